//! `collect`: async sensor collection, and a large CSV parsed three ways.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use course_support::child::{Children, Spawner};
use course_support::cli::{u64_in, usize_in};
use course_support::interpreter::PythonArgs;
use course_support::report::grouped;
use course_support::system::mib;
use course_support::{cores, ratio, table, tour};
use scenarios::collect::{
    CollectorReport, Parsed, parse_range, parse_threads, ranges, run_sensors, write_csv,
};
use scenarios::load::{self, ms};
use scenarios::procs::{ServerProcess, TempFolder, listener};
use scenarios::python_side::PythonSide;

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// Simulated sensors, each on its own TCP connection.
    #[arg(long, default_value_t = 2_000, value_parser = usize_in(1..=50_000))]
    pub(crate) sensors: usize,
    /// Each sensor sends a reading this often, ms.
    #[arg(long, default_value_t = 100, value_parser = u64_in(1..=60_000))]
    pub(crate) every_ms: u64,
    /// How long the sensors send, ms.
    #[arg(long, default_value_t = 3_000, value_parser = u64_in(100..=600_000))]
    pub(crate) for_ms: u64,
    /// Size of the CSV file, MiB (0: skip the CSV part).
    #[arg(long, default_value_t = 100, value_parser = u64_in(0..=10_000))]
    pub(crate) csv_mib: u64,
    /// Parser threads and processes [default: cores].
    #[arg(long, value_parser = usize_in(1..=256))]
    pub(crate) workers: Option<usize>,
    /// Skip Python's rows.
    #[arg(long)]
    pub(crate) no_python: bool,
    #[command(flatten)]
    pub(crate) python: PythonArgs,
}

pub(crate) fn run(args: Args) -> Result<()> {
    if cfg!(debug_assertions) {
        println!("note: this is a debug build; measure with --release.");
    }
    let python = PythonSide::unless_skipped(args.no_python, args.python.python_bin.as_deref());
    tour::section("Sensors: many slow producers, one async collector");
    sensors(&args, python.as_ref().ok())?;
    if args.csv_mib > 0 {
        tour::section("A large CSV: one thread, threads, processes");
        csv(&args, python.as_ref().ok())?;
    }
    if let Err(line) = &python {
        println!("{line}");
    }
    Ok(())
}

fn sensors(args: &Args, python: Option<&PythonSide>) -> Result<()> {
    let every = Duration::from_millis(args.every_ms);
    let duration = Duration::from_millis(args.for_ms);
    println!(
        "{} sensors, each a TCP connection sending a reading every {} ms for {} ms; \
         the collector is a child process; age: from the sensor's send to the collector's parse.",
        grouped(args.sensors),
        args.every_ms,
        args.for_ms
    );
    let spawner = Spawner::current_exe()?;
    let mut runs = vec![(
        "Rust: tokio, 1 thread".to_owned(),
        spawner.command("collector", ["--sensors", &args.sensors.to_string()]),
    )];
    if let Some(py) = python {
        let mut c = py.command();
        c.arg(py.script("sensor_collector.py")).args([
            "--fd",
            "3",
            "--sensors",
            &args.sensors.to_string(),
        ]);
        runs.push((format!("{}: asyncio", py.label()), c));
    }
    let rt = load::runtime();
    let mut t = table([
        "collector",
        "readings sent",
        "received",
        "p50 age ms",
        "p99 age ms",
        "CPU s",
        "peak MiB",
    ]);
    for (label, mut cmd) in runs {
        let l = listener()?;
        let mut server = ServerProcess::spawn_reporting(&label, &mut cmd, &l)?;
        drop(l);
        let sent = rt.block_on(run_sensors(server.addr, args.sensors, every, duration))?;
        let out = server.wait_output(Duration::from_secs(30) + duration)?;
        let r: CollectorReport =
            serde_json::from_str(out.trim()).with_context(|| format!("{label} printed {out:?}"))?;
        t.add_row([
            label,
            grouped(sent),
            grouped(r.readings),
            ms(r.p50_us),
            ms(r.p99_us),
            r.cpu_s.map_or("-".to_owned(), |s| format!("{s:.2}")),
            mib(r.peak_rss_kib),
        ]);
    }
    println!("{t}");
    Ok(())
}

fn csv(args: &Args, python: Option<&PythonSide>) -> Result<()> {
    let workers = args.workers.unwrap_or_else(cores);
    let folder = TempFolder::new("scenarios-csv-")?;
    let path = folder.path().join("readings.csv");
    let made = Instant::now();
    let rows = write_csv(&path, args.csv_mib)?;
    let len = std::fs::metadata(&path)?.len();
    println!(
        "{} rows, {} MiB, written in {:.1} s to a temporary folder (removed at the end); {} workers.",
        grouped(rows),
        len >> 20,
        made.elapsed().as_secs_f64(),
        workers
    );
    let spawner = Spawner::current_exe()?;
    let mut results: Vec<(String, f64, Parsed)> = Vec::new();
    let t0 = Instant::now();
    let one = parse_range(&path, 0, len)?;
    results.push((
        "Rust: one thread".to_owned(),
        t0.elapsed().as_secs_f64(),
        one,
    ));
    let t0 = Instant::now();
    let threads = parse_threads(&path, workers)?;
    results.push((
        format!("Rust: {workers} threads"),
        t0.elapsed().as_secs_f64(),
        threads,
    ));
    let t0 = Instant::now();
    let procs = parse_processes(&spawner, &path, len, workers)?;
    results.push((
        format!("Rust: {workers} processes"),
        t0.elapsed().as_secs_f64(),
        procs,
    ));
    if let Some(py) = python {
        let out = py
            .command()
            .arg(py.script("csv_parse.py"))
            .args([path.as_os_str(), workers.to_string().as_ref()])
            .stderr(std::process::Stdio::inherit())
            .output()?;
        let text = String::from_utf8_lossy(&out.stdout);
        for line in text.lines().filter(|l| l.starts_with('{')) {
            #[derive(serde::Deserialize)]
            struct Row {
                mode: String,
                seconds: f64,
                parsed: Parsed,
            }
            let row: Row = serde_json::from_str(line)?;
            results.push((
                format!("{}: {}", py.label(), row.mode),
                row.seconds,
                row.parsed,
            ));
        }
    }
    let mut t = table(["parser", "seconds", "rows/s", "speed-up", "same result"]);
    let base = results[0].1;
    for (label, secs, parsed) in &results {
        t.add_row([
            label.clone(),
            format!("{secs:.2}"),
            grouped((parsed.rows as f64 / secs).round() as u64),
            ratio(base, *secs),
            course_support::report::yes_no(*parsed == one).to_owned(),
        ]);
    }
    println!("{t}");
    println!("speed-up: against Rust's one thread.");
    Ok(())
}

// ANCHOR: processes
/// The file cut into `workers` ranges, each parsed by a child process that
/// prints its result as one line of JSON.
fn parse_processes(
    spawner: &Spawner,
    path: &std::path::Path,
    len: u64,
    workers: usize,
) -> Result<Parsed> {
    let mut kids = Children::new();
    for (a, b) in ranges(len, workers) {
        let mut cmd = spawner.command(
            "csv-part",
            ["--start", &a.to_string(), "--end", &b.to_string()],
        );
        cmd.arg("--path")
            .arg(path)
            .stdout(std::process::Stdio::piped());
        kids.push(course_support::child::ChildGuard::spawn(&mut cmd)?);
    }
    let mut total = Parsed::default();
    for kid in kids.iter_mut() {
        let mut text = String::new();
        if let Some(mut out) = kid.child_mut().stdout.take() {
            std::io::Read::read_to_string(&mut out, &mut text)?;
        }
        anyhow::ensure!(kid.wait()?.success(), "a parser process failed");
        total = total + serde_json::from_str::<Parsed>(text.trim())?;
    }
    Ok(total)
}
// ANCHOR_END: processes

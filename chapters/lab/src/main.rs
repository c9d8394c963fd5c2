//! `cargo run -p lab` (no arguments) is the guided tour; `bench`, `advise`,
//! `timeline`, `matrix`, `history` and `calibrate` are the tools
//! (`--help` lists their flags).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::builder::{RangedU64ValueParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use course_support::child::{ROLE_COMMAND, Spawner};
use course_support::interpreter::{self, PythonArgs};
use course_support::{cores, table};
use lab::advise::{self, Checked};
use lab::bench::{self, Bench};
use lab::model::{self, Advice, Calibration, Profile, PythonBuild, Sizes};
use lab::modes::{Mode, Plan};
use lab::progress::Bars;
use lab::scenarios::{self, Scenario};
use lab::task::{self, TaskSpec, Workload};
use lab::{calibrate, chart, gil_timeline, history, pool, python};

#[derive(Debug, Parser)]
#[command(
    name = "lab",
    about = "The benchmarking laboratory and the decision assistant",
    long_about = "The benchmarking laboratory: the same tasks run sequentially, as threads under a \
                  simulated GIL, as free threads, as isolated workers that share nothing (Python's \
                  subinterpreters), as processes and with async, measured on this \
                  machine; and the decision assistant, which predicts those times and recommends \
                  a model.\n\nRun without a subcommand for the guided tour."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The guided tour: a small bench, the timeline, the assistant (the default)
    Tour,
    /// Run one workload in every mode: ms, speed-up, efficiency, history, chart
    Bench(BenchArgs),
    /// Recommend threads, processes, async or a hybrid for a workload, with predicted times
    Advise(AdviseArgs),
    /// The decision matrix: scenarios, the model each calls for, Python and Rust tools
    Matrix,
    /// Lesson 01's GIL timeline from a real run, as text and as an SVG
    Timeline(TimelineArgs),
    /// The bench history: past runs, and a chart of comparable ones
    History(HistoryArgs),
    /// Measure what the assistant's model needs on this machine
    Calibrate,
    /// What a worker process runs: `lab child worker ...` (started by `lab` itself)
    #[command(name = ROLE_COMMAND, hide = true)]
    Child {
        #[command(subcommand)]
        role: Role,
    },
}

#[derive(Debug, Subcommand)]
enum Role {
    /// A process-pool worker: task frames on stdin, answers on stdout.
    Worker {
        #[arg(long)]
        numbers: u64,
        #[arg(long)]
        io_us: u64,
    },
}

fn count(min: u64, max: u64) -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::<usize>::new().range(min..=max)
}

/// Milliseconds as a float in `0..=max`.
fn ms_parser(max: f64) -> impl TypedValueParser<Value = f64> {
    clap::builder::StringValueParser::new().try_map(move |s: String| {
        let v: f64 = s.parse().map_err(|e| format!("{e}"))?;
        if (0.0..=max).contains(&v) {
            Ok(v)
        } else {
            Err(format!("must be between 0 and {max}"))
        }
    })
}

fn share(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err("must be between 0 and 1 (0.8 = 80% computing)".into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum YesNo {
    Yes,
    No,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// cpu: count primes; io: wait 1 ms (then parse a little); mixed: both
    #[arg(long, value_enum, default_value_t = Workload::Cpu)]
    workload: Workload,
    /// Number of tasks
    #[arg(long, default_value_t = 5_000, value_parser = RangedU64ValueParser::<u64>::new().range(1..=10_000_000))]
    tasks: u64,
    /// Threads and processes [default: cores]
    #[arg(long, value_parser = count(1, 256))]
    workers: Option<usize>,
    /// Async tasks in progress at once [default: workers]
    #[arg(long, value_parser = count(1, 100_000))]
    in_flight: Option<usize>,
    /// Numbers each cpu or mixed task tests for primality (2000: 0.2 to 0.3 ms in release)
    #[arg(long, default_value_t = task::DEFAULT_NUMBERS, value_parser = clap::value_parser!(u64).range(0..=task::MAX_NUMBERS))]
    numbers: u64,
    /// The wait of each io or mixed task, in ms
    #[arg(long, default_value = "1", value_parser = ms_parser(10_000.0))]
    io_ms: f64,
    /// Modes to run, comma-separated [default: those that fit the workload]:
    /// sequential; gil-threads (threads under a simulated GIL); threads (free
    /// threads); isolated (workers that share nothing and get copies of their
    /// inputs over channels, like Python 3.14's InterpreterPoolExecutor);
    /// processes; async; hybrid (async waits feeding processes)
    #[arg(long, value_delimiter = ',', value_parser = mode_parser())]
    modes: Vec<Mode>,
    /// Input per task, in KB: free threads read it in place, isolated workers
    /// and processes get a copy of it
    #[arg(long, default_value = "0", value_parser = ms_parser(65_536.0))]
    data_kb: f64,
    /// The simulated GIL's switch interval in ms (CPython: 5)
    #[arg(long, default_value = "5", value_parser = ms_parser(1_000.0))]
    switch_ms: f64,
    /// The history file [default: target/lab/history.jsonl, or $LAB_HISTORY]
    #[arg(long)]
    history: Option<PathBuf>,
    /// Neither read nor append the history
    #[arg(long)]
    no_history: bool,
    /// Where to write the chart of this run [default: target/lab/bench-WORKLOAD.svg]
    #[arg(long)]
    svg: Option<PathBuf>,
    /// Also chart every comparable run in the history, to this file
    #[arg(long)]
    history_svg: Option<PathBuf>,
    /// Run the same workload in Python too (threading, multiprocessing, asyncio; free threads and InterpreterPoolExecutor where the interpreter has them)
    #[arg(long)]
    python: bool,
    #[command(flatten)]
    python_bin: PythonArgs,
    /// Tasks for Python [default: all for io, at most 500 for cpu and mixed: Python computes ~35x slower]
    #[arg(long, value_parser = RangedU64ValueParser::<u64>::new().range(1..=10_000_000))]
    python_tasks: Option<u64>,
    /// No progress bars (they only show when stdout is a terminal anyway)
    #[arg(long)]
    no_progress: bool,
    /// Run every mode this many times, in rounds, and keep each mode's median
    #[arg(long, default_value_t = 1, value_parser = count(1, 100))]
    repeat: usize,
}

fn mode_parser() -> impl TypedValueParser<Value = Mode> {
    clap::builder::StringValueParser::new().try_map(|s: String| {
        Mode::from_key(&s).ok_or_else(|| {
            let keys: Vec<&str> = Mode::ALL.iter().map(|m| m.key()).collect();
            format!("unknown mode '{s}'; choose from {}", keys.join(", "))
        })
    })
}

#[derive(Debug, Args)]
struct AdviseArgs {
    /// A named workload (`all` for every one): see `lab matrix`
    #[arg(long, conflicts_with_all = ["cpu_share", "task_ms", "cpu_ms", "io_ms"])]
    scenario: Option<String>,
    /// Share of each task spent computing, 0..1 (with --task-ms)
    #[arg(long, value_parser = share, requires = "task_ms")]
    cpu_share: Option<f64>,
    /// Milliseconds per task, computing + waiting (with --cpu-share)
    #[arg(long, value_parser = ms_parser(60_000.0), requires = "cpu_share")]
    task_ms: Option<f64>,
    /// Milliseconds of computing per task (instead of --cpu-share/--task-ms)
    #[arg(long, value_parser = ms_parser(60_000.0), conflicts_with_all = ["cpu_share", "task_ms"])]
    cpu_ms: Option<f64>,
    /// Milliseconds of waiting per task (instead of --cpu-share/--task-ms)
    #[arg(long, value_parser = ms_parser(60_000.0), conflicts_with_all = ["cpu_share", "task_ms"])]
    io_ms: Option<f64>,
    /// Number of tasks
    #[arg(long, default_value_t = 1_000, value_parser = RangedU64ValueParser::<u64>::new().range(1..=100_000_000))]
    tasks: u64,
    /// Input per task, in KB (a process must receive it; a thread reads it in place)
    #[arg(long, default_value = "0", value_parser = ms_parser(1_048_576.0))]
    data_kb: f64,
    /// Do tasks read and update state shared by all of them?
    #[arg(long, value_enum, default_value_t = YesNo::No)]
    shared_memory: YesNo,
    /// At most this many tasks in progress at once (a connection pool, a rate limit)
    #[arg(long, value_parser = count(1, 1_000_000))]
    max_concurrency: Option<usize>,
    /// Run each option for real (scaled down) and print predicted vs measured
    #[arg(long)]
    check: bool,
    /// With --check: about how long the sequential run may take, in ms
    #[arg(long, default_value = "1500", value_parser = ms_parser(600_000.0))]
    budget_ms: f64,
    /// With --check: run every option this many times, in rounds, and keep the median
    /// (checks of a few milliseconds repeat more on their own)
    #[arg(long, default_value_t = 1, value_parser = count(1, 100), requires = "check")]
    repeat: usize,
    /// With --check: chart predicted vs measured to this SVG (one scenario only)
    #[arg(long, requires = "check")]
    svg: Option<PathBuf>,
    /// Use the book's fixed reference calibration instead of measuring this machine
    #[arg(long, conflicts_with = "check")]
    reference: bool,
    /// The Python that runs the workload: gil (any default build), subinterpreters
    /// (3.14+: InterpreterPoolExecutor), free-threaded (python3.13t, python3.14t)
    /// [default: gil, or the scenario's]
    #[arg(long, value_enum)]
    python: Option<PythonBuild>,
}

#[derive(Debug, Args)]
struct TimelineArgs {
    /// cpu: count primes; io: wait, then parse
    #[arg(long, value_enum, default_value_t = GilWorkload::Cpu)]
    workload: GilWorkload,
    /// Lanes (workers) per group
    #[arg(long, default_value_t = 4, value_parser = count(1, 16))]
    lanes: usize,
    /// Numbers each cpu task tests (one task per lane)
    #[arg(long, default_value_t = 300_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    numbers: u64,
    /// The simulated GIL's switch interval in ms
    #[arg(long, default_value = "5", value_parser = ms_parser(1_000.0))]
    switch_ms: f64,
    /// Width of the text bars
    #[arg(long, default_value_t = 60, value_parser = count(10, 400))]
    width: usize,
    /// Where to write the SVG [default: target/lab/timeline-WORKLOAD.svg]
    #[arg(long)]
    svg: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum GilWorkload {
    Cpu,
    Io,
}

#[derive(Debug, Args)]
struct HistoryArgs {
    /// The history file [default: target/lab/history.jsonl, or $LAB_HISTORY]
    #[arg(long)]
    history: Option<PathBuf>,
    /// Show only this workload
    #[arg(long, value_enum)]
    workload: Option<Workload>,
    /// Runs to list (the most recent)
    #[arg(long, default_value_t = 10, value_parser = count(1, 10_000))]
    last: usize,
    /// Chart the runs comparable with the most recent one (shown) to this SVG
    #[arg(long)]
    svg: Option<PathBuf>,
}

/// `lab bench | head` closes stdout early: end quietly instead of printing a
/// panic about the broken pipe. (Unwinding still runs every guard, so no
/// worker process is left behind.)
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let text = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if !(text.contains("failed printing to stdout") && text.contains("Broken pipe")) {
            default(info);
        }
    }));
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let command = Cli::parse().command.unwrap_or(Command::Tour);
    if let Command::Child {
        role: Role::Worker { numbers, io_us },
    } = command
    {
        let spec = TaskSpec {
            numbers,
            io: Duration::from_micros(io_us),
            data_bytes: 0,
        };
        return ExitCode::from(u8::try_from(pool::worker_main(&spec)).unwrap_or(1));
    }
    match run(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<()> {
    let spawner = Spawner::current_exe()?;
    match command {
        Command::Tour => tour(&spawner),
        Command::Bench(args) => bench_cmd(&args, &spawner),
        Command::Advise(args) => advise_cmd(&args, &spawner),
        Command::Matrix => {
            println!("{}", scenarios::matrix_table());
            Ok(())
        }
        Command::Timeline(args) => timeline_cmd(&args),
        Command::History(args) => history_cmd(&args),
        Command::Calibrate => {
            let cal = calibrate::measure(&spawner, Duration::from_millis(5))?;
            println!("{}", calibrate::table(&cal));
            Ok(())
        }
        Command::Child { .. } => unreachable!("handled in main"),
    }
}

/// Runs a subcommand as the tour does, showing the command line.
fn section(title: &str, args: &[&str], spawner: &Spawner) -> Result<()> {
    println!("\n== {title} ==\n");
    println!("$ cargo run -p lab -- {}\n", args.join(" "));
    let cli = Cli::parse_from(std::iter::once("lab").chain(args.iter().copied()));
    match cli.command.expect("the tour runs subcommands") {
        Command::Bench(a) => bench_cmd(&a, spawner),
        Command::Advise(a) => advise_cmd(&a, spawner),
        Command::Timeline(a) => timeline_cmd(&a),
        Command::Matrix => {
            println!("{}", scenarios::matrix_table());
            Ok(())
        }
        other => run(other),
    }
}

fn tour(spawner: &Spawner) -> Result<()> {
    println!(
        "The laboratory: one workload, every way to run it, measured on this machine ({} cores).",
        cores()
    );
    println!("A small run of each; `bench --tasks 5000` and `--release` give the real numbers.");
    section(
        "CPU-bound: count primes",
        &[
            "bench",
            "--workload",
            "cpu",
            "--tasks",
            "200",
            "--no-history",
        ],
        spawner,
    )?;
    section(
        "Mixed: wait 1 ms, then count primes",
        &[
            "bench",
            "--workload",
            "mixed",
            "--tasks",
            "100",
            "--no-history",
        ],
        spawner,
    )?;
    section(
        "Who ran when",
        &["timeline", "--numbers", "100000"],
        spawner,
    )?;
    section(
        "The decision assistant",
        &["advise", "--scenario", "ml-training"],
        spawner,
    )?;
    println!(
        "\nMore: `advise --scenario all --check` runs every option for real and prints the model's error;\n\
         `matrix` prints the decision matrix; `bench --python` adds Python side by side."
    );
    Ok(())
}

/// A path as the user would type it: relative to the current directory when
/// it lies below it.
fn shown(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|here| path.strip_prefix(here).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

fn lab_dir() -> PathBuf {
    history::default_path()
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn bench_cmd(args: &BenchArgs, spawner: &Spawner) -> Result<()> {
    let workers = args.workers.unwrap_or_else(cores);
    let in_flight = args.in_flight.unwrap_or(workers);
    let io = Duration::from_secs_f64(args.io_ms / 1e3);
    let spec = TaskSpec {
        data_bytes: (args.data_kb * 1024.0).round() as usize,
        ..TaskSpec::for_workload(args.workload, args.numbers, io)
    };
    let modes = if args.modes.is_empty() {
        bench::default_modes(args.workload)
    } else {
        args.modes.clone()
    };
    let b = Bench {
        workload: args.workload,
        plan: Plan {
            spec,
            tasks: args.tasks,
            workers,
            in_flight,
            switch_interval: Duration::from_secs_f64(args.switch_ms / 1e3),
        },
        modes,
    };
    let read = if spec.data_bytes > 0 {
        format!(", read {} KB of input", args.data_kb)
    } else {
        String::new()
    };
    let task = match args.workload {
        Workload::Cpu => format!("count the primes among {} numbers{read}", spec.numbers),
        Workload::Io => format!(
            "wait {} ms, then parse {} numbers{read}",
            args.io_ms, spec.numbers
        ),
        Workload::Mixed => format!(
            "wait {} ms, then count the primes among {} numbers{read}",
            args.io_ms, spec.numbers
        ),
    };
    println!(
        "{} {} tasks ({task}); {workers} workers, {in_flight} async tasks in flight; {} cores; {} build.",
        args.tasks,
        args.workload.name(),
        cores(),
        history::profile()
    );
    if args.repeat > 1 {
        println!(
            "Every mode runs {} times, in rounds; the table shows each mode's median run.",
            args.repeat
        );
    }
    let bars = Bars::new(!args.no_progress);
    let runs = bench::run_all(&b, spawner, &bars, args.repeat)?;
    let outcome = bench::agreed_outcome(&runs)?;
    println!("{}", bench::results_table(&runs));
    println!(
        "Every mode found {} primes: identical. Efficiency = speed-up / workers (async: / tasks in flight).",
        outcome.primes
    );
    if let Some(line) = bench::copy_cost(&runs, b.plan.tasks) {
        println!("{line}");
    }
    for r in runs.iter().filter(|r| !r.pids.is_empty()) {
        let pids: Vec<String> = r.pids.iter().map(u32::to_string).collect();
        println!(
            "{}: worker pids {} (the lab is pid {}).",
            r.mode.label(),
            pids.join(", "),
            std::process::id()
        );
    }

    let record = bench::record(&b, &runs);
    if !args.no_history {
        let path = args.history.clone().unwrap_or_else(history::default_path);
        let (past, skipped) = history::read(&path)?;
        if skipped > 0 {
            println!("(skipped {skipped} unreadable line(s) in {})", shown(&path));
        }
        match history::last_comparable(&past, &record) {
            Some(prev) => {
                println!(
                    "\nSince the last comparable run ({}, same workload, tasks, workers, task size, build):",
                    prev.time
                );
                println!(
                    "{}",
                    bench::changes_table(prev, &history::changes(prev, &record))
                );
            }
            None => println!("\nNo earlier comparable run in the history: this is the first."),
        }
        history::append(&path, &record)?;
        println!(
            "Appended to {} ({} comparable run(s) now).",
            shown(&path),
            history::series(&past, &record).len() + 1
        );
        if let Some(svg) = &args.history_svg {
            let mut all = past;
            all.push(record.clone());
            let series = history::series(&all, &record);
            chart::lines(
                svg,
                &format!(
                    "{} {} tasks, {} workers: each run in the history",
                    record.tasks, record.workload, record.workers
                ),
                "run (oldest first)",
                "ms",
                &bench::history_lines(&series),
            )?;
            println!("Wrote the history chart to {}.", shown(svg));
        }
    }
    let svg = args
        .svg
        .clone()
        .unwrap_or_else(|| lab_dir().join(format!("bench-{}.svg", args.workload.name())));
    chart::bars(
        &svg,
        &format!(
            "{} {} tasks, {} workers, {} cores: ms per mode",
            args.tasks,
            args.workload.name(),
            workers,
            cores()
        ),
        &bench::chart_bars(&runs),
    )?;
    println!("Wrote the chart to {}.", shown(&svg));

    if args.python {
        python_side_by_side(args, &b, &runs)?;
    }
    Ok(())
}

fn python_side_by_side(args: &BenchArgs, b: &Bench, runs: &[lab::modes::Run]) -> Result<()> {
    println!();
    let Some(py) = interpreter::announce(args.python_bin.python_bin.as_deref()) else {
        return Ok(());
    };
    let modes = python::runnable(&py, &b.modes);
    if modes.is_empty() {
        println!("None of the modes asked for runs in Python.");
        return Ok(());
    }
    let tasks = args.python_tasks.unwrap_or(match b.workload {
        Workload::Io => b.plan.tasks,
        _ => b.plan.tasks.min(500),
    });
    println!(
        "Python {}: the same tasks ({tasks} of them), {} workers, {} in flight{}:",
        py.facts.version,
        b.plan.workers,
        b.plan.in_flight,
        if args.repeat > 1 {
            format!(", median of {} runs each", args.repeat)
        } else {
            String::new()
        }
    );
    let res = python::run(
        &py,
        &b.plan.spec,
        tasks,
        b.plan.workers,
        b.plan.in_flight,
        args.repeat,
        &modes,
    )?;
    let py_base = res
        .runs
        .iter()
        .find(|r| r.mode == Mode::Sequential)
        .map_or(f64::NAN, |r| r.ms);
    let rust_base = runs
        .iter()
        .find(|r| r.mode == Mode::Sequential)
        .map_or(f64::NAN, lab::modes::Run::ms);
    let mut t = table([
        "mode",
        "Python ms",
        "Python speed-up",
        "Rust speed-up",
        "Python µs/task",
        "Rust µs/task",
        "Python primes",
    ]);
    for r in &res.runs {
        let rust = runs.iter().find(|x| x.mode == r.mode);
        t.add_row([
            match r.mode {
                Mode::GilThreads => "threads: real GIL / simulated",
                Mode::Threads => "free threads: free-threaded Python / Rust",
                Mode::Isolated => "isolated: InterpreterPoolExecutor / Rust",
                Mode::Async => "async: asyncio / tokio",
                m => m.label(),
            }
            .to_owned(),
            format!("{:.1}", r.ms),
            format!("{:.2}x", py_base / r.ms),
            rust.map_or("-".into(), |x| format!("{:.2}x", rust_base / x.ms())),
            format!("{:.1}", r.ms * 1e3 / tasks as f64),
            rust.map_or("-".into(), |x| {
                format!("{:.1}", x.ms() * 1e3 / b.plan.tasks as f64)
            }),
            r.primes.to_string(),
        ]);
    }
    println!("{t}");
    let spec = b.plan.spec;
    let expected: u64 = (0..tasks).map(|i| spec.compute(i)).sum();
    let same = res.runs.iter().all(|r| r.primes == expected);
    println!(
        "Python found {expected} primes in its {tasks} tasks, {} Rust's count for the same tasks.",
        if same { "equal to" } else { "DIFFERENT from" }
    );
    Ok(())
}

/// The workload the advise flags describe.
fn profile_from(args: &AdviseArgs) -> Result<Profile> {
    let (cpu_ms, io_ms) = match (args.cpu_share, args.task_ms, args.cpu_ms, args.io_ms) {
        (Some(s), Some(ms), None, None) => (ms * s, ms * (1.0 - s)),
        (None, None, cpu, io) if cpu.is_some() || io.is_some() => {
            (cpu.unwrap_or(0.0), io.unwrap_or(0.0))
        }
        _ => bail!(
            "describe the workload: --scenario NAME, or --cpu-share S --task-ms MS, or --cpu-ms MS --io-ms MS\n\
             scenarios: {}",
            scenario_keys()
        ),
    };
    if cpu_ms + io_ms <= 0.0 {
        bail!("a task must compute or wait for some time: --task-ms, --cpu-ms or --io-ms above 0");
    }
    Ok(Profile {
        tasks: args.tasks,
        cpu_ms,
        io_ms,
        data_kb: args.data_kb,
        shared_memory: args.shared_memory == YesNo::Yes,
        max_concurrency: args.max_concurrency,
        python: args.python.unwrap_or_default(),
    })
}

/// A scenario's profile, run by the Python `--python` names, if it names one.
fn with_python(profile: &Profile, python: Option<PythonBuild>) -> Profile {
    Profile {
        python: python.unwrap_or(profile.python),
        ..profile.clone()
    }
}

fn scenario_keys() -> String {
    let mut keys: Vec<&str> = scenarios::all().iter().map(|s| s.key).collect();
    keys.push("all");
    keys.join(", ")
}

fn advise_cmd(args: &AdviseArgs, spawner: &Spawner) -> Result<()> {
    let chosen: Vec<(Option<Scenario>, Profile)> = match args.scenario.as_deref() {
        Some("all") => scenarios::all()
            .into_iter()
            .map(|s| {
                let p = with_python(&s.profile, args.python);
                (Some(s), p)
            })
            .collect(),
        Some(key) => {
            let s = scenarios::find(key).with_context(|| {
                format!("unknown scenario '{key}'; choose from {}", scenario_keys())
            })?;
            let p = with_python(&s.profile, args.python);
            vec![(Some(s), p)]
        }
        None => vec![(None, profile_from(args)?)],
    };
    if args.svg.is_some() && chosen.len() > 1 {
        bail!("--svg charts one scenario; name one with --scenario");
    }
    let cal = if args.reference {
        println!("Using the fixed reference calibration (a 2-core laptop), not this machine.");
        Calibration::reference()
    } else {
        println!("Calibrating on this machine (short measurements with the lab's own code)...");
        calibrate::measure(spawner, Duration::from_millis(5))?
    };
    println!("{}", calibrate::table(&cal));
    let mut summary = Vec::new();
    for (scenario, profile) in &chosen {
        println!();
        if let Some(s) = scenario {
            println!("Scenario {}: {} ({})", s.key, s.title, s.task);
        }
        let advice = advise_one(profile, &cal);
        if args.check {
            let rows = check_one(profile, &cal, spawner, args)?;
            let worst = rows.iter().map(|r| r.error().abs()).fold(0.0, f64::max);
            summary.push((
                scenario.as_ref().map_or("(flags)", |s| s.key).to_owned(),
                model::model_name(advice.model),
                rows,
                worst,
            ));
        }
    }
    if args.check && summary.len() > 1 {
        println!("\nThe model against real runs, every scenario:");
        let mut t = table([
            "scenario",
            "recommended",
            "options run",
            "mean |error|",
            "worst |error|",
            "within 25%",
        ]);
        for (key, model, rows, worst) in &summary {
            let mean = rows.iter().map(|r| r.error().abs()).sum::<f64>() / rows.len() as f64;
            let within = rows.iter().filter(|r| r.error().abs() <= 0.25).count();
            t.add_row([
                key.clone(),
                (*model).to_owned(),
                rows.len().to_string(),
                format!("{:.1}%", mean * 100.0),
                format!("{:.1}%", worst * 100.0),
                format!("{within}/{}", rows.len()),
            ]);
        }
        println!("{t}");
    }
    Ok(())
}

/// Prints the assistant's answer for one workload.
fn advise_one(profile: &Profile, cal: &Calibration) -> Advice {
    let sizes = Sizes::for_profile(profile, cal.cores);
    println!(
        "Workload: {} tasks x ({:.2} ms computing + {:.2} ms waiting), {:.0} KB input each, shared state: {}{}; Python: {}.",
        profile.tasks,
        profile.cpu_ms,
        profile.io_ms,
        profile.data_kb,
        if profile.shared_memory { "yes" } else { "no" },
        profile
            .max_concurrency
            .map_or(String::new(), |m| format!(", at most {m} at once")),
        profile.python.describe()
    );
    let advice = model::recommend(profile, &sizes, cal);
    let seq = advice.predicted(Mode::Sequential);
    let mut t = table([
        "option",
        "Python tool",
        "workers",
        "predicted ms",
        "speed-up",
    ]);
    for p in &advice.predictions {
        let tool = match p.mode {
            Mode::Threads => "(no GIL: Rust threads, free-threaded Python)",
            m => model::python_tool(m),
        };
        let workers = match p.mode {
            Mode::Async => format!("{} in flight", sizes.in_flight),
            Mode::Hybrid => format!(
                "{} in flight + {} processes",
                sizes.in_flight, sizes.processes
            ),
            m => sizes.workers(m).to_string(),
        };
        let mark = if p.mode == advice.model {
            " <- recommended"
        } else {
            ""
        };
        t.add_row([
            format!("{}{mark}", p.mode.label()),
            tool.to_owned(),
            workers,
            format!("{:.1}", p.ms),
            format!("{:.2}x", seq / p.ms),
        ]);
    }
    println!("{t}");
    println!(
        "Recommendation: {} (Python: {}; Rust: {}).",
        model::model_name(advice.model),
        model::python_tool(advice.model),
        model::rust_tool(advice.model)
    );
    println!("Why:");
    for line in &advice.why {
        println!("  - {line}");
    }
    advice
}

/// Runs every option on a scaled-down copy and prints predicted vs measured.
fn check_one(
    profile: &Profile,
    cal: &Calibration,
    spawner: &Spawner,
    args: &AdviseArgs,
) -> Result<Vec<Checked>> {
    let small = advise::scaled(profile, cal, args.budget_ms);
    let sizes = Sizes::for_profile(&small, cal.cores);
    let rounds = advise::rounds_for(&small, cal, args.repeat);
    println!(
        "Check: {} of the {} tasks ({:.3} ms computing each, as {} numbers), every option for real{}:",
        small.tasks,
        profile.tasks,
        small.cpu_ms,
        advise::numbers_for(small.cpu_ms, cal),
        if rounds > 1 {
            format!(" (median of {rounds} rounds)")
        } else {
            String::new()
        }
    );
    let bars = Bars::new(true);
    let rows = advise::check(&small, cal, spawner, &Mode::ALL, rounds, &|mode, tasks| {
        let bar = bars.bar(mode.label(), tasks);
        Box::new(move |n| bar.inc(n))
    })?;
    let mut t = table(["option", "workers", "predicted ms", "measured ms", "error"]);
    for r in &rows {
        let workers = match r.mode {
            Mode::Async => format!("{} in flight", sizes.in_flight),
            Mode::Hybrid => format!("{} + {}", sizes.in_flight, sizes.processes),
            _ => r.workers.to_string(),
        };
        t.add_row([
            r.mode.label().to_owned(),
            workers,
            format!("{:.1}", r.predicted_ms),
            format!("{:.1}", r.measured_ms),
            format!("{:+.1}%", r.error() * 100.0),
        ]);
    }
    println!("{t}");
    let worst = rows.iter().map(|r| r.error().abs()).fold(0.0, f64::max);
    println!(
        "Largest error {:.1}% (error = (predicted - measured) / measured).",
        worst * 100.0
    );
    if let Some(svg) = &args.svg {
        let pairs: Vec<(String, f64, f64)> = rows
            .iter()
            .map(|r| (r.mode.key().to_owned(), r.predicted_ms, r.measured_ms))
            .collect();
        chart::predicted_vs_measured(
            svg,
            &format!("Predicted vs measured, {} tasks", small.tasks),
            &pairs,
        )?;
        println!("Wrote the chart to {}.", shown(svg));
    }
    Ok(rows)
}

fn timeline_cmd(args: &TimelineArgs) -> Result<()> {
    let workload = match args.workload {
        GilWorkload::Cpu => gil_sim::workload::Workload::Cpu,
        GilWorkload::Io => gil_sim::workload::Workload::Io,
    };
    let name = match args.workload {
        GilWorkload::Cpu => "cpu",
        GilWorkload::Io => "io",
    };
    let rec = gil_timeline::record(
        workload,
        args.lanes,
        args.numbers,
        Duration::from_secs_f64(args.switch_ms / 1e3),
    );
    println!(
        "{} lanes, one {name} task each, recorded by lesson 01's recorder; █ running, ░ waiting for I/O, · idle or waiting for the lock.\n",
        args.lanes
    );
    print!("{}", gil_timeline::text(&rec, args.width));
    let svg = args
        .svg
        .clone()
        .unwrap_or_else(|| lab_dir().join(format!("timeline-{name}.svg")));
    gil_timeline::svg(&rec, &svg)?;
    println!("Wrote the SVG timeline to {}.", shown(&svg));
    Ok(())
}

fn history_cmd(args: &HistoryArgs) -> Result<()> {
    let path = args.history.clone().unwrap_or_else(history::default_path);
    let (records, skipped) = history::read(&path)?;
    let records: Vec<_> = records
        .into_iter()
        .filter(|r| args.workload.is_none_or(|w| r.workload == w.name()))
        .collect();
    println!(
        "{}: {} run(s){}.",
        shown(&path),
        records.len(),
        if skipped > 0 {
            format!(", {skipped} unreadable line(s) skipped")
        } else {
            String::new()
        }
    );
    let Some(latest) = records.last() else {
        println!("Nothing recorded yet: run `cargo run --release -p lab -- bench` first.");
        return Ok(());
    };
    let mut t = table([
        "time (UTC)",
        "workload",
        "tasks",
        "workers",
        "cores",
        "build",
        "ms per mode",
    ]);
    for r in records.iter().rev().take(args.last).rev() {
        let ms: Vec<String> = r
            .results
            .iter()
            .map(|m| format!("{} {:.0}", m.mode, m.ms))
            .collect();
        t.add_row([
            r.time.clone(),
            r.workload.clone(),
            r.tasks.to_string(),
            r.workers.to_string(),
            r.cores.to_string(),
            r.profile.clone(),
            ms.join(", "),
        ]);
    }
    println!("{t}");
    if let Some(svg) = &args.svg {
        let series = history::series(&records, latest);
        chart::lines(
            svg,
            &format!(
                "{} {} tasks, {} workers: each run in the history",
                latest.tasks, latest.workload, latest.workers
            ),
            "run (oldest first)",
            "ms",
            &bench::history_lines(&series),
        )?;
        println!(
            "Wrote a chart of the {} run(s) comparable with the latest to {}.",
            series.len(),
            shown(svg)
        );
    }
    Ok(())
}

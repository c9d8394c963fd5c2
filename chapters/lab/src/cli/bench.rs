//! `bench`: one workload in every mode, with progress bars, history, a chart and
//! Python side by side.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::builder::TypedValueParser;
use course_support::child::Spawner;
use course_support::cli::{f64_in, u64_in, usize_in};
use course_support::interpreter::{self, PythonArgs};
use course_support::{cores, table};
use lab::bench::{self, Bench};
use lab::modes::{Mode, Plan};
use lab::progress::Bars;
use lab::task::{self, TaskSpec, Workload};
use lab::{chart, history, python};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// cpu: count primes; io: wait 1 ms (then parse a little); mixed: both
    #[arg(long, value_enum, default_value_t = Workload::Cpu)]
    pub(crate) workload: Workload,
    /// Number of tasks
    #[arg(long, default_value_t = 5_000, value_parser = u64_in(1..=10_000_000))]
    pub(crate) tasks: u64,
    /// Threads and processes [default: cores]
    #[arg(long, value_parser = usize_in(1..=256))]
    pub(crate) workers: Option<usize>,
    /// Async tasks in progress at once [default: workers]
    #[arg(long, value_parser = usize_in(1..=100_000))]
    pub(crate) in_flight: Option<usize>,
    /// Numbers each cpu or mixed task tests for primality (2000: 0.2 to 0.3 ms in release)
    #[arg(long, default_value_t = task::DEFAULT_NUMBERS, value_parser = clap::value_parser!(u64).range(0..=task::MAX_NUMBERS))]
    pub(crate) numbers: u64,
    /// The wait of each io or mixed task, in ms
    #[arg(long, default_value = "1", value_parser = f64_in(0.0..=10_000.0))]
    pub(crate) io_ms: f64,
    /// Modes to run, comma-separated [default: those that fit the workload]:
    /// sequential; gil-threads (threads under a simulated GIL); threads (free
    /// threads); isolated (workers that share nothing and get copies of their
    /// inputs over channels, like Python 3.14's InterpreterPoolExecutor);
    /// processes; async; hybrid (async waits feeding processes)
    #[arg(long, value_delimiter = ',', value_parser = mode_parser())]
    pub(crate) modes: Vec<Mode>,
    /// Input per task, in KB: free threads read it in place, isolated workers
    /// and processes get a copy of it
    #[arg(long, default_value = "0", value_parser = f64_in(0.0..=65_536.0))]
    pub(crate) data_kb: f64,
    /// The simulated GIL's switch interval in ms (CPython: 5)
    #[arg(long, default_value = "5", value_parser = f64_in(0.0..=1_000.0))]
    pub(crate) switch_ms: f64,
    /// The history file [default: target/lab/history.jsonl, or $LAB_HISTORY]
    #[arg(long)]
    pub(crate) history: Option<PathBuf>,
    /// Neither read nor append the history
    #[arg(long)]
    pub(crate) no_history: bool,
    /// Where to write the chart of this run [default: target/lab/bench-WORKLOAD.svg]
    #[arg(long)]
    pub(crate) svg: Option<PathBuf>,
    /// Also chart every comparable run in the history, to this file
    #[arg(long)]
    pub(crate) history_svg: Option<PathBuf>,
    /// Run the same workload in Python too (threading, multiprocessing, asyncio; free threads and InterpreterPoolExecutor where the interpreter has them)
    #[arg(long)]
    pub(crate) python: bool,
    #[command(flatten)]
    pub(crate) python_bin: PythonArgs,
    /// Tasks for Python [default: all for io, at most 500 for cpu and mixed: Python computes ~35x slower]
    #[arg(long, value_parser = u64_in(1..=10_000_000))]
    pub(crate) python_tasks: Option<u64>,
    /// No progress bars (they only show when stdout is a terminal anyway)
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// Run every mode this many times, in rounds, and keep each mode's median
    #[arg(long, default_value_t = 1, value_parser = usize_in(1..=100))]
    pub(crate) repeat: usize,
}

pub(crate) fn run(args: &Args, spawner: &Spawner) -> Result<()> {
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
            println!(
                "(skipped {skipped} unreadable line(s) in {})",
                super::paths::shown(&path)
            );
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
            super::paths::shown(&path),
            history::series(&past, &record).len() + 1
        );
        if let Some(svg) = &args.history_svg {
            let mut all = past;
            all.push(record.clone());
            let series = history::series(&all, &record);
            let mut panel = chart::LinePanel::new(
                format!(
                    "{} {} tasks, {} workers: each run in the history",
                    record.tasks, record.workload, record.workers
                ),
                "run (oldest first)",
                "ms",
            );
            panel.lines = bench::history_lines(&series);
            let caption = chart::Caption::this_run(env!("CARGO_PKG_NAME"));
            chart::lines(svg, &[panel], &caption)?;
            println!("Wrote the history chart to {}.", super::paths::shown(svg));
        }
    }
    let mut panels = vec![chart::BarPanel {
        bars: bench::chart_bars(&runs),
        ..chart::BarPanel::new(
            format!(
                "{} {} tasks, {} workers, {} cores: ms per mode",
                args.tasks,
                args.workload.name(),
                workers,
                cores()
            ),
            "milliseconds (shorter is faster)",
            "ms",
        )
    }];
    if args.python {
        panels.extend(python_side_by_side(args, &b, &runs)?);
    }
    let svg = args.svg.clone().unwrap_or_else(|| {
        super::paths::lab_dir().join(format!("bench-{}.svg", args.workload.name()))
    });
    let caption = chart::Caption::this_run(env!("CARGO_PKG_NAME"));
    chart::bars(&svg, &panels, &caption)?;
    println!("Wrote the chart to {}.", super::paths::shown(&svg));
    Ok(())
}

pub(crate) fn mode_parser() -> impl TypedValueParser<Value = Mode> {
    clap::builder::StringValueParser::new().try_map(|s: String| {
        Mode::from_key(&s).ok_or_else(|| {
            let keys: Vec<&str> = Mode::ALL.iter().map(|m| m.key()).collect();
            format!("unknown mode '{s}'; choose from {}", keys.join(", "))
        })
    })
}

/// Runs the same tasks in Python and prints them beside Rust's; returns the
/// chart's panel of both per task (Python runs fewer tasks), if Python ran.
pub(crate) fn python_side_by_side(
    args: &Args,
    b: &Bench,
    runs: &[lab::modes::Run],
) -> Result<Option<chart::BarPanel>> {
    println!();
    let Some(py) = interpreter::announce(args.python_bin.python_bin.as_deref()) else {
        return Ok(None);
    };
    let modes = python::runnable(&py, &b.modes);
    if modes.is_empty() {
        println!("None of the modes asked for runs in Python.");
        return Ok(None);
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
    let mut panel = chart::BarPanel::new(
        format!(
            "Rust and Python {}: microseconds per task",
            py.facts.version
        ),
        "microseconds per task (log scale, shorter is faster)",
        "µs",
    )
    .log();
    for r in &res.runs {
        if let Some(rust) = runs.iter().find(|x| x.mode == r.mode) {
            let rust_us = rust.ms() * 1e3 / b.plan.tasks as f64;
            let py_us = r.ms * 1e3 / tasks as f64;
            panel = panel
                .bar(chart::Bar::new(
                    format!("Rust {}", r.mode.key()),
                    rust_us,
                    bench::color(r.mode),
                ))
                .bar(chart::Bar::new(
                    format!("Python {}", r.mode.key()),
                    py_us,
                    chart::PYTHON,
                ));
        }
    }
    Ok(Some(panel))
}

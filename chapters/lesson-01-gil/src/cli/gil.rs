//! `gil`: sequential vs threads under the interpreter lock vs free threads.

use std::time::Duration;

use course_support::cli::{positive_ms, usize_in};
use course_support::{chart, cores};
use lesson_01_gil::workload::{self, Job, Mode, Run, Workload};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// cpu: count primes; io: wait for a simulated response, then parse it
    #[arg(long, value_enum, default_value_t = Workload::Cpu)]
    pub(crate) workload: Workload,
    /// Workers [default: cores for cpu, 8 for io: waiting needs no core]
    #[arg(long, value_parser = usize_in(1..=64))]
    pub(crate) workers: Option<usize>,
    /// Number of tasks shared by the workers
    #[arg(long, default_value_t = 16, value_parser = usize_in(1..=10_000))]
    pub(crate) tasks: usize,
    /// Numbers each cpu task tests for primality
    #[arg(long, default_value_t = 150_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub(crate) numbers: u64,
    /// Milliseconds each io task waits
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    pub(crate) io_ms: u64,
    /// The lock's switch interval in ms (CPython: 5, `sys.setswitchinterval(0.005)`)
    #[arg(long, default_value = "5", value_parser = positive_ms(1_000.0))]
    pub(crate) switch_ms: Duration,
    /// Also draw each mode's time (and speed-up) into this SVG file
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<std::path::PathBuf>,
}

pub(crate) fn run(args: &Args) {
    let workers = args.workers.unwrap_or(match args.workload {
        Workload::Cpu => cores(),
        Workload::Io => 8,
    });
    let job = Job {
        tasks: args.tasks,
        numbers: args.numbers,
        io_wait: Duration::from_millis(args.io_ms),
        switch_interval: args.switch_ms,
        ..Job::new(args.workload, args.tasks)
    };
    match args.workload {
        Workload::Cpu => println!(
            "{} tasks, each counting primes among {} numbers; {workers} workers on {} cores.",
            job.tasks,
            job.numbers,
            cores()
        ),
        Workload::Io => println!(
            "{} tasks, each waiting {} ms then parsing briefly; {workers} workers on {} cores.",
            job.tasks,
            args.io_ms,
            cores()
        ),
    }
    let (runs, table) = workload::compare(&job, workers);
    println!("{table}");
    let expected = job.expected();
    let same = runs.iter().all(|r| r.primes == expected);
    println!(
        "Every mode found {} primes: {}.",
        expected,
        if same { "identical" } else { "MISMATCH" }
    );
    println!("{}", conclusion(args.workload, &runs, cores()));
    if let Some(path) = &args.svg {
        let base = runs[0].elapsed.as_secs_f64();
        let mut panel = chart::BarPanel::new(
            format!(
                "{} {} tasks, {workers} workers, {} cores: ms per mode",
                job.tasks,
                match args.workload {
                    Workload::Cpu => "cpu",
                    Workload::Io => "io",
                },
                cores()
            ),
            "milliseconds (shorter is faster)",
            "ms",
        );
        for r in &runs {
            let color = match r.mode {
                Mode::Sequential => chart::BASELINE,
                Mode::LockedThreads => 1,
                Mode::FreeThreads => 2,
            };
            let ms = r.elapsed.as_secs_f64() * 1e3;
            let note = format!("{:.2}x", base / r.elapsed.as_secs_f64());
            panel = panel.bar(chart::Bar::new(r.mode.label(), ms, color).note(note));
        }
        let caption = chart::Caption::this_run(env!("CARGO_PKG_NAME"));
        match chart::bars(path, &[panel], &caption) {
            Ok(()) => println!("Wrote the chart to {}.", path.display()),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        }
    }
}

/// What this run's numbers show, in one or two sentences: each claim is
/// printed only when the speed-ups measured support it.
fn conclusion(workload: Workload, runs: &[Run], cores: usize) -> String {
    let speed_up = |mode: Mode| {
        let base = runs[0].elapsed.as_secs_f64();
        runs.iter()
            .find(|r| r.mode == mode)
            .map_or((0.0, 1), |r| (base / r.elapsed.as_secs_f64(), r.workers))
    };
    let (locked, workers) = speed_up(Mode::LockedThreads);
    let (free, _) = speed_up(Mode::FreeThreads);
    match workload {
        Workload::Cpu => {
            let lock = if locked < 1.2 {
                format!(
                    "Under the lock, threads take turns: {locked:.2}x, no faster than one thread."
                )
            } else {
                format!(
                    "Under the lock, threads ran {locked:.2}x faster than one thread: not what a \
                     GIL allows, so something in this run went wrong."
                )
            };
            // Free threads can use at most min(workers, cores) cores.
            let usable = workers.min(cores) as f64;
            let free = if usable >= 2.0 && free >= 0.75 * usable {
                format!(
                    "Free threads use every core: {free:.2}x with {workers} workers on {cores} cores."
                )
            } else if usable < 2.0 {
                format!(
                    "Free threads: {free:.2}x; with one core (or one worker) there is nothing to run in parallel."
                )
            } else {
                format!(
                    "Free threads reached only {free:.2}x with {workers} workers on {cores} cores: \
                     other programs were using the cores."
                )
            };
            format!("{lock} {free}")
        }
        Workload::Io => {
            if locked >= 0.5 * workers as f64 {
                format!(
                    "Under the lock, waits overlap ({locked:.2}x with {workers} threads): the lock is \
                     released while a thread waits,\nso I/O scales with the number of threads, not \
                     the number of cores."
                )
            } else {
                format!(
                    "Under the lock, {workers} threads ran only {locked:.2}x faster than one: the \
                     waits overlapped less than they should (a busy machine delays wake-ups)."
                )
            }
        }
    }
}

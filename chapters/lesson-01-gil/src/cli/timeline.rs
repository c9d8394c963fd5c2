//! `timeline`: which worker ran when, under one lock and with none.

use std::time::Duration;

use course_support::cli::{positive_ms, usize_in};
use course_support::cores;
use lesson_01_gil::timeline;
use lesson_01_gil::timeline::Activity;
use lesson_01_gil::workload::{self, Job, Mode, Workload};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// cpu: count primes; io: wait, then parse
    #[arg(long, value_enum, default_value_t = Workload::Cpu)]
    pub(crate) workload: Workload,
    /// Lanes (workers) per timeline
    #[arg(long, default_value_t = 4, value_parser = usize_in(1..=64))]
    pub(crate) workers: usize,
    /// Numbers each cpu task tests for primality (one task per lane)
    #[arg(long, default_value_t = 600_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub(crate) numbers: u64,
    /// Width of the bars in characters
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(10..=400))]
    pub(crate) width: u64,
    /// The lock's switch interval in ms
    #[arg(long, default_value = "5", value_parser = positive_ms(1_000.0))]
    pub(crate) switch_ms: Duration,
}

pub(crate) fn run(args: &Args) {
    let job = Job {
        numbers: args.numbers,
        switch_interval: args.switch_ms,
        ..Job::new(args.workload, args.workers)
    };
    let locked = workload::run(&job, Mode::LockedThreads, args.workers);
    let free = workload::run(&job, Mode::FreeThreads, args.workers);
    // One time axis for both, so the shorter run draws shorter bars.
    let total = timeline::span(&locked.slices).max(timeline::span(&free.slices));
    let width = args.width as usize;
    println!(
        "{} workers, one {} task each; █ running, ░ waiting for I/O, · idle or waiting for the lock.\n",
        args.workers,
        match args.workload {
            Workload::Cpu => "cpu",
            Workload::Io => "io",
        }
    );
    println!(
        "Threads sharing one interpreter lock ({:.0} ms, {} handoffs):",
        locked.elapsed.as_secs_f64() * 1e3,
        locked.handoffs
    );
    print!(
        "{}",
        timeline::render(&locked.slices, args.workers, "T", width, total)
    );
    println!(
        "\nFree workers, no shared lock: stand-ins for processes, each with its own interpreter ({:.0} ms):",
        free.elapsed.as_secs_f64() * 1e3
    );
    print!(
        "{}",
        timeline::render(&free.slices, args.workers, "P", width, total)
    );
    println!();
    for (run, prefix) in [(&locked, "T"), (&free, "P")] {
        let running = timeline::max_at_once(&run.slices, Activity::Running);
        match args.workload {
            Workload::Cpu => println!("{prefix} lanes: at most {running} running at once."),
            Workload::Io => println!(
                "{prefix} lanes: at most {running} running at once, at most {} waiting for I/O at once.",
                timeline::max_at_once(&run.slices, Activity::Waiting)
            ),
        }
    }
    if args.workload == Workload::Cpu && args.workers > cores() {
        println!(
            "{} P lanes on {} cores: the OS shares the cores, so a busy P lane is a task in progress.",
            args.workers,
            cores()
        );
    }
}

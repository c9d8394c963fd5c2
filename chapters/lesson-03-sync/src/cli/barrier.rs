//! `barrier`: phases that wait for every thread.

use course_support::cli::usize_in;
use course_support::report::{grouped, ms, yes_no};
use course_support::table;
use lesson_03_sync::barrier;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Worker threads (all must reach the barrier)
    #[arg(long, default_value_t = 4, value_parser = usize_in(1..=256))]
    pub(crate) workers: usize,
    /// Phases, separated by the barrier
    #[arg(long, default_value_t = 3, value_parser = usize_in(1..=100))]
    pub(crate) phases: usize,
    /// Numbers tested for primality per phase
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub(crate) numbers: u64,
}

pub(crate) fn run(args: &Args) {
    println!(
        "{} workers count primes in phases of {} numbers; worker w gets a part of size ~(w + 1):",
        args.workers,
        grouped(args.numbers)
    );
    let run = barrier::phases(args.workers, args.phases, args.numbers);
    let mut t = table([
        "phase",
        "numbers",
        "primes",
        "leader",
        "fastest worker ms",
        "slowest worker ms",
    ]);
    for (p, phase) in run.phases.iter().enumerate() {
        let fastest = phase.work.iter().min().copied().unwrap_or_default();
        let slowest = phase.work.iter().max().copied().unwrap_or_default();
        t.add_row([
            p.to_string(),
            format!("{}..{}", phase.numbers.start, phase.numbers.end),
            grouped(phase.primes),
            format!("worker {}", phase.leader),
            ms(fastest),
            ms(slowest),
        ]);
    }
    println!("{t}");
    let total: u64 = run.phases.iter().map(|p| p.primes).sum();
    let expected = course_support::count_primes(0..args.phases as u64 * args.numbers);
    println!(
        "Phases never overlapped: {}. Total {} primes, {}.",
        yes_no(run.phases_kept_apart()),
        grouped(total),
        if total == expected { "exact" } else { "WRONG" }
    );
    println!("The fastest worker of each phase waited at the barrier for the slowest.");
}

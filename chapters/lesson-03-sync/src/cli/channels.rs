//! `channels`: queue.Queue as crossbeam channels.

use std::time::Duration;

use course_support::cli::{u64_in, usize_in};
use course_support::report::{grouped, ms, yes_no};
use course_support::table;
use lesson_03_sync::channels;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Worker threads taking jobs from the queue
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=256))]
    pub(crate) workers: usize,
    /// Jobs in the queue
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) jobs: u64,
    /// Numbers each job tests for primality
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub(crate) numbers: u64,
    /// Progress tick interval, in ms
    #[arg(long, default_value_t = 5, value_parser = u64_in(1..=10_000))]
    pub(crate) tick_ms: u64,
    /// Give up waiting for results after this long, in ms
    #[arg(long, default_value_t = 5_000, value_parser = u64_in(1..=10_000))]
    pub(crate) deadline_ms: u64,
}

pub(crate) fn run(args: &Args) {
    let run = channels::fan_in(
        args.workers,
        args.jobs,
        args.numbers,
        Duration::from_millis(args.tick_ms),
        Duration::from_millis(args.deadline_ms),
    );
    let expected = course_support::count_primes(0..args.jobs * args.numbers);
    let mut t = table(["what", "value"]);
    t.add_row(["workers".to_owned(), args.workers.to_string()]);
    t.add_row([
        "jobs queued (unbounded channel)".to_owned(),
        grouped(run.jobs),
    ]);
    t.add_row([
        "results received (bounded channel)".to_owned(),
        grouped(run.results),
    ]);
    t.add_row([
        format!("progress ticks handled (every {} ms)", args.tick_ms),
        grouped(run.ticks),
    ]);
    t.add_row([
        format!("deadline ({} ms) passed", args.deadline_ms),
        yes_no(run.deadline_passed).to_owned(),
    ]);
    t.add_row([
        "primes counted".to_owned(),
        if run.deadline_passed {
            format!("{} (partial)", grouped(run.primes))
        } else {
            format!(
                "{} (exact: {})",
                grouped(run.primes),
                yes_no(run.primes == expected)
            )
        },
    ]);
    t.add_row(["ms".to_owned(), ms(run.elapsed)]);
    println!("{t}");
    println!(
        "The loop ended when {}; every worker was joined.",
        if run.deadline_passed {
            "the deadline arm of select! fired"
        } else {
            "the last worker dropped its sender"
        }
    );
}

//! `cpu`: where CPU work runs in async, beside a heartbeat.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, ensure};
use course_support::report::{grouped, ms, table};
use lesson_10_cancellation::cpu::{Placement, measure};

#[derive(Debug, clap::Parser)]
pub struct Args {
    /// Count the primes below this number.
    #[arg(long, default_value_t = 300_000, value_parser = clap::value_parser!(u64).range(1_000..))]
    numbers: u64,
    /// The heartbeat's period, milliseconds.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    beat_ms: u64,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let beat = Duration::from_millis(args.beat_ms);
    println!(
        "Count the primes below {} on a tokio runtime with one worker thread, beside a heartbeat every {} ms; {} cores.",
        grouped(args.numbers),
        args.beat_ms,
        course_support::cores()
    );
    let mut t = table([
        "where the job runs",
        "Python",
        "primes",
        "job ms",
        "heartbeat worst late (ms)",
    ]);
    let mut counts = Vec::new();
    for placement in Placement::ALL {
        let run = measure(placement, 0..args.numbers, beat)?;
        counts.push(run.primes);
        t.add_row([
            placement.label().to_owned(),
            placement.python().to_owned(),
            grouped(run.primes),
            ms(run.elapsed),
            ms(run.worst_late),
        ]);
    }
    ensure!(
        counts.windows(2).all(|w| w[0] == w[1]),
        "the placements disagree: {counts:?}"
    );
    println!("{t}");
    println!("Inline, the heartbeat waits for the whole job: nothing else on that worker runs.");
    Ok(ExitCode::SUCCESS)
}

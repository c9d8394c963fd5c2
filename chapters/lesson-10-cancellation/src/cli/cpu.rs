//! `cpu`: where CPU work runs in async, beside a heartbeat.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Result, ensure};
use course_support::chart;
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
    /// Also draw how late the heartbeat was, and how long the job took, per placement into this SVG file
    #[arg(long, value_name = "FILE")]
    svg: Option<std::path::PathBuf>,
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
    let mut late = chart::BarPanel::new(
        format!("How late the {} ms heartbeat was, at worst", args.beat_ms),
        "milliseconds late (log scale, shorter is better)",
        "ms",
    )
    .log();
    let mut took = chart::BarPanel::new(
        "How long the job took",
        "milliseconds (shorter is faster)",
        "ms",
    );
    for (k, placement) in Placement::ALL.into_iter().enumerate() {
        let run = measure(placement, 0..args.numbers, beat)?;
        counts.push(run.primes);
        let color = [1, 4, 2, 3][k % 4];
        let ms_of = |d: Duration| d.as_secs_f64() * 1e3;
        late = late.bar(chart::Bar::new(
            placement.label(),
            ms_of(run.worst_late),
            color,
        ));
        took = took.bar(chart::Bar::new(
            placement.label(),
            ms_of(run.elapsed),
            color,
        ));
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
    if let Some(path) = &args.svg {
        let caption = chart::Caption::this_run(env!("CARGO_PKG_NAME"));
        chart::bars(path, &[late, took], &caption)?;
        println!("Wrote the chart to {}.", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

//! `semaphore`: at most N downloads at once.

use std::time::Duration;

use course_support::cli::{u64_in, usize_in};
use course_support::report::ms;
use course_support::table;
use lesson_03_sync::semaphore;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Simulated downloads, one thread each
    #[arg(long, default_value_t = 12, value_parser = usize_in(1..=1_000))]
    pub(crate) downloads: usize,
    /// Permits: downloads allowed at the same time
    #[arg(long, default_value_t = 3, value_parser = usize_in(1..=256))]
    pub(crate) limit: usize,
    /// How long one download takes (a sleep stands for the network), in ms
    #[arg(long, default_value_t = 20, value_parser = u64_in(0..=10_000))]
    pub(crate) latency_ms: u64,
}

pub(crate) fn run(args: &Args) {
    let latency = Duration::from_millis(args.latency_ms);
    println!(
        "{} downloads of {} ms, one thread each:",
        args.downloads, args.latency_ms
    );
    let mut t = table(["limit", "max in flight", "ms", "ideal ms"]);
    let mut held = true;
    for limit in [None, Some(args.limit)] {
        let run = semaphore::download_all(args.downloads, limit, latency);
        held &= limit.is_none_or(|n| run.max_in_flight <= n);
        let waves = args.downloads.div_ceil(limit.unwrap_or(args.downloads)) as u64;
        t.add_row([
            limit.map_or("none".to_owned(), |n| format!("Semaphore({n})")),
            run.max_in_flight.to_string(),
            ms(run.elapsed),
            (waves * args.latency_ms).to_string(),
        ]);
    }
    println!("{t}");
    println!(
        "ideal ms = ceil(downloads / limit) x latency: the limit costs time, and {}.",
        if held { "holds" } else { "was EXCEEDED" }
    );
}

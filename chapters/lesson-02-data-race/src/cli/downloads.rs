//! `downloads`: the seed article's download total.

use std::time::Duration;

use course_support::cli::u64_in;
use course_support::cli::usize_in;
use course_support::report::{grouped, yes_no};
use course_support::{ratio, table};
use lesson_02_data_race::downloads;

use crate::LATENCY_MS;
use crate::PAGES;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How many simulated pages to download.
    #[arg(long, default_value_t = PAGES, value_parser = usize_in(1..=1_000))]
    pub(crate) pages: usize,
    /// How long one download waits, standing for the network, in milliseconds.
    #[arg(long, default_value_t = LATENCY_MS, value_parser = u64_in(0..=10_000))]
    pub(crate) latency_ms: u64,
}

pub(crate) fn run(args: Args) {
    let Args { pages, latency_ms } = args;
    show(pages, Duration::from_millis(latency_ms))
}

pub(crate) fn show(pages: usize, latency: Duration) {
    println!(
        "{pages} simulated downloads of {} ms each (a sleep stands for the network):",
        latency.as_millis()
    );
    let expected = downloads::expected_total(&downloads::pages(pages));
    let runs = downloads::compare(pages, latency);
    let sequential_ms = runs
        .iter()
        .find(|r| r.shape == downloads::Shape::Sequential)
        .map_or(0.0, |r| r.elapsed.as_secs_f64());
    let mut t = table([
        "shape",
        "total bytes",
        "exact",
        "most downloads at once",
        "ms",
        "speed-up",
    ]);
    for run in &runs {
        t.add_row([
            run.shape.label().to_owned(),
            grouped(run.total as u64),
            yes_no(run.total == expected).to_owned(),
            run.peak_in_flight.to_string(),
            format!("{:.0}", run.elapsed.as_secs_f64() * 1e3),
            ratio(sequential_ms, run.elapsed.as_secs_f64()),
        ]);
    }
    println!("{t}");
}

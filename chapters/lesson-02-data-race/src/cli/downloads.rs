//! `downloads`: the seed article's download total.

use std::time::Duration;

use course_support::report::{grouped, yes_no};
use course_support::{ratio, table};
use lesson_02_data_race::downloads;

pub(crate) fn run(pages: usize, latency: Duration) {
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

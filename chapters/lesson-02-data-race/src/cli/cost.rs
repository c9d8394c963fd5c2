//! `cost`: what one increment costs with each fix.

use course_support::chart;
use course_support::cli::u64_in;
use course_support::cli::usize_in;
use course_support::report::grouped;
use course_support::{cores, ratio, table};
use lesson_02_data_race::cost::{self, Method};

use crate::COST_INCREMENTS;
use crate::cost_threads;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Threads for the multi-threaded rows [default: two per core].
    #[arg(long, value_parser = usize_in(1..=1_024))]
    pub(crate) threads: Option<usize>,
    /// Increments per thread (the single-thread rows do threads x this).
    #[arg(long, default_value_t = COST_INCREMENTS, value_parser = u64_in(1..=100_000_000))]
    pub(crate) increments: u64,
    /// Also draw each fix's cost per increment into this SVG file
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<std::path::PathBuf>,
}

pub(crate) fn run(args: Args) {
    let Args {
        threads,
        increments,
        svg,
    } = args;
    let rows = show(threads.unwrap_or_else(cost_threads), increments);
    if let Some(path) = svg {
        let mut panel = chart::BarPanel::new(
            "What one increment costs with each fix",
            "nanoseconds per increment (log scale, shorter is cheaper)",
            "ns",
        )
        .log();
        for row in &rows {
            let color = match (row.method, row.exact()) {
                (Method::PlainLoop, _) => chart::BASELINE,
                (_, false) => 1,
                _ => 3,
            };
            let note = if row.exact() {
                String::new()
            } else {
                format!("lost {}", grouped(row.increments - row.counted))
            };
            let label = format!("{}, {} thread(s)", row.method.label(), row.threads);
            panel = panel.bar(chart::Bar::new(label, row.ns_per_increment(), color).note(note));
        }
        let caption = chart::Caption::this_run(env!("CARGO_PKG_NAME"));
        match chart::bars(&path, &[panel], &caption) {
            Ok(()) => println!("Wrote the chart to {}.", path.display()),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        }
    }
}

pub(crate) fn show(threads: usize, increments: u64) -> Vec<cost::Cost> {
    let rows = cost::measure(threads, increments);
    println!(
        "Every row does {} increments: {threads} threads x {}, or all of them on 1 thread.",
        grouped(threads as u64 * increments),
        grouped(increments)
    );
    println!(
        "Each row runs {} times in this process: time of the fastest run, count of the worst.",
        cost::REPEATS
    );
    let baseline = rows
        .iter()
        .find(|r| r.method == Method::PlainLoop)
        .map_or(0.0, |r| r.ns_per_increment());
    let mut t = table([
        "method",
        "threads",
        "ns / increment",
        "time vs plain loop",
        "sleeps in kernel",
        "exact",
    ]);
    for row in &rows {
        t.add_row([
            row.method.label().to_owned(),
            row.threads.to_string(),
            format!("{:.2}", row.ns_per_increment()),
            // other / baseline: how many times longer than the plain loop.
            ratio(row.ns_per_increment(), baseline),
            row.sleeps.map_or("n/a".to_owned(), grouped),
            if row.exact() {
                "yes".to_owned()
            } else {
                format!("no, lost {}", grouped(row.increments - row.counted))
            },
        ]);
    }
    println!("{t}");
    println!(
        "ns / increment is wall time divided by increments, so rows with threads on {} cores can beat 1.00x.",
        cores()
    );
    rows
}

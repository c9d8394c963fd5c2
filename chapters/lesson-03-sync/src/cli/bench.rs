//! `bench`: the channel benchmark, bounded vs unbounded.

use course_support::cli::usize_in;
use course_support::report::grouped;
use course_support::{chart, cores};
use lesson_03_sync::bounded::{self, Kind};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Items sent per run (a tenth of them at capacity 1)
    #[arg(long, default_value_t = 500_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub(crate) items: u64,
    /// Producer threads
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=256))]
    pub(crate) producers: usize,
    /// Consumer threads
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=256))]
    pub(crate) consumers: usize,
    /// Runs per row; the fastest counts
    #[arg(long, default_value_t = 3, value_parser = usize_in(1..=100))]
    pub(crate) repeats: usize,
    /// Also draw each queue's items per second into this SVG file
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<std::path::PathBuf>,
}

pub(crate) fn run(args: &Args) {
    println!(
        "{} producers -> {} consumers, {} items per run, {} cores:",
        args.producers,
        args.consumers,
        grouped(args.items),
        cores()
    );
    println!("Each row is the fastest of {} runs.", args.repeats);
    let rates = super::bounded::throughput_table(
        args.producers,
        args.consumers,
        args.items,
        &[1, 64, 1024],
        args.repeats,
    );
    let unbounded = bounded::throughput(
        Kind::Unbounded,
        args.producers,
        args.consumers,
        args.items,
        0,
    );
    println!(
        "crossbeam unbounded(): {} items/s (no backpressure: the queue may grow without limit).",
        super::bounded::si(unbounded.items_per_sec())
    );
    if let Some(path) = &args.svg {
        let mut panel = chart::BarPanel::new(
            format!(
                "{} producers -> {} consumers: items per second",
                args.producers, args.consumers
            ),
            "items per second (log scale, longer is faster)",
            "/s",
        )
        .log();
        for (label, rate) in rates {
            let color = if label.starts_with("BoundedBuffer") {
                3
            } else {
                2
            };
            panel = panel.bar(chart::Bar::new(label, rate, color));
        }
        panel = panel.bar(chart::Bar::new(
            "crossbeam unbounded()",
            unbounded.items_per_sec(),
            4,
        ));
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

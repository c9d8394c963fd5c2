//! `bounded`: a bounded buffer, and the throughput table shared with `channels`.

use std::time::Duration;

use course_support::cli::usize_in;
use course_support::report::{grouped, ms, yes_no};
use course_support::{ratio, table};
use lesson_03_sync::bounded::{self, Kind};
use lesson_03_sync::triangle;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Capacity of the bounded queues
    #[arg(long, default_value_t = 8, value_parser = usize_in(1..=1_000_000))]
    pub(crate) capacity: usize,
    /// Items in the backpressure demo (one fast producer, one slow consumer)
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) items: u64,
    /// Time the slow consumer spends on each item, in microseconds
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(0..=100_000))]
    pub(crate) consume_us: u64,
    /// Producer threads in the throughput run
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=256))]
    pub(crate) producers: usize,
    /// Consumer threads in the throughput run
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=256))]
    pub(crate) consumers: usize,
    /// Items in the throughput run
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub(crate) throughput_items: u64,
    /// Capacity in the throughput run
    #[arg(long, default_value_t = 64, value_parser = usize_in(1..=1_000_000))]
    pub(crate) throughput_capacity: usize,
}

pub(crate) fn run(args: &Args) {
    let per_item = Duration::from_micros(args.consume_us);
    println!(
        "1. Backpressure: one producer pushes {} items as fast as it can; one consumer takes\n   {} us per item.",
        args.items, args.consume_us
    );
    let mut t = table([
        "queue",
        "producer done ms",
        "consumer done ms",
        "most queued",
        "pushes that waited",
        "exact",
    ]);
    let mut runs = Vec::new();
    for kind in Kind::ALL {
        let run = bounded::backpressure(kind, args.items, args.capacity, per_item);
        t.add_row([
            kind.label(args.capacity),
            ms(run.producer_done),
            ms(run.consumer_done),
            run.peak_len.to_string(),
            run.producer_waits.to_string(),
            yes_no(run.sum == triangle(args.items)).to_owned(),
        ]);
        runs.push(run);
    }
    println!("{t}");
    let (bounded, unbounded): (Vec<&bounded::Backpressure>, Vec<_>) =
        runs.iter().partition(|r| r.kind != Kind::Unbounded);
    let held = bounded.iter().all(|r| r.peak_len <= args.capacity);
    // "With the consumer": when the producer's last push lands, no more than a
    // full queue (twice over, for slack) is left for the consumer to take.
    let slack = per_item * (args.capacity as u32 + 1) * 2;
    let together = bounded
        .iter()
        .all(|r| r.producer_done + slack >= r.consumer_done);
    if held && together {
        println!(
            "Bounded: the producer finishes with the consumer, never more than {} queued.",
            args.capacity
        );
    } else {
        println!(
            "Bounded: at most {} queued: {}; the producer finished with the consumer: {}.",
            args.capacity,
            yes_no(held),
            yes_no(together)
        );
    }
    let early = unbounded
        .iter()
        .all(|r| r.producer_done.as_secs_f64() < 0.5 * r.consumer_done.as_secs_f64());
    println!(
        "{}\n",
        if early {
            "Unbounded: it finishes at once, and everything waits in memory."
        } else {
            "Unbounded: this run the producer did not finish far ahead of the consumer."
        }
    );
    println!(
        "2. Throughput: {} producers -> {} consumers, {} items, capacity {}:",
        args.producers,
        args.consumers,
        grouped(args.throughput_items),
        args.throughput_capacity
    );
    throughput_table(
        args.producers,
        args.consumers,
        args.throughput_items,
        &[args.throughput_capacity],
        1,
    );
}

/// 12_345_678.9 -> "12.3 M".
pub(crate) fn si(x: f64) -> String {
    match x {
        x if x >= 1e9 => format!("{:.2} G", x / 1e9),
        x if x >= 1e6 => format!("{:.2} M", x / 1e6),
        x if x >= 1e3 => format!("{:.1} k", x / 1e3),
        x => format!("{x:.0}"),
    }
}

/// Runs the buffer and the crossbeam channel at each capacity and prints
/// items/s; each row is the fastest of `repeats` runs. Capacity 1 hands over
/// every item from thread to thread, so it gets a tenth of the items.
pub(crate) fn throughput_table(
    producers: usize,
    consumers: usize,
    items: u64,
    capacities: &[usize],
    repeats: usize,
) -> Vec<(String, f64)> {
    let mut rates = Vec::new();
    let mut t = table([
        "queue",
        "items",
        "items/s",
        "ms",
        "vs BoundedBuffer",
        "exact sum",
    ]);
    for &capacity in capacities {
        let items = if capacity == 1 && capacities.len() > 1 {
            (items / 10).max(1)
        } else {
            items
        };
        let runs: Vec<_> = [Kind::Buffer, Kind::Bounded]
            .into_iter()
            .map(|kind| {
                (0..repeats.max(1))
                    .map(|_| bounded::throughput(kind, producers, consumers, items, capacity))
                    .min_by_key(|run| run.elapsed)
                    .expect("at least one run")
            })
            .collect();
        let base = runs[0].items_per_sec();
        for run in runs {
            rates.push((run.kind.label(capacity), run.items_per_sec()));
            t.add_row([
                run.kind.label(capacity),
                grouped(items),
                si(run.items_per_sec()),
                ms(run.elapsed),
                ratio(run.items_per_sec(), base),
                yes_no(run.sum == triangle(items)).to_owned(),
            ]);
        }
    }
    println!("{t}");
    if cfg!(debug_assertions) {
        println!(
            "(debug build: for real numbers, `cargo run --release -p lesson-03-sync -- bench`)"
        );
    }
    rates
}

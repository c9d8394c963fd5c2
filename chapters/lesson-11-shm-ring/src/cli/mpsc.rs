//! `mpsc`: many producer processes, a ring each, one consumer.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::{u64_in, usize_in};
use course_support::report::grouped;
use course_support::{cores, table};
use lesson_11_shm_ring::ring::Wait;
use lesson_11_shm_ring::transfer::{self, SLOTS};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Messages per producer.
    #[arg(long, default_value_t = 50_000, value_parser = u64_in(2..=1_000_000_000))]
    pub(crate) messages: u64,
    /// The most producers to try (1, 2, 4, ... up to this).
    #[arg(long, default_value_t = cores().clamp(2, 8), value_parser = usize_in(1..=64))]
    pub(crate) producers: usize,
    /// spin or yield (the many-ring consumer has no single futex to sleep on).
    #[arg(long, value_enum, default_value_t = Wait::Yield)]
    pub(crate) wait: Wait,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    println!(
        "K producer processes, one ring each in one segment; the consumer takes up to 64\n\
         messages from each ring in turn and checks each producer's order. {} messages\n\
         per producer, {} cores, waiting by {}.",
        grouped(args.messages),
        cores(),
        args.wait.name()
    );
    let mut t = table(["producers", "messages", "messages/s", "ns/message"]);
    let mut k = 1;
    while k <= args.producers {
        let run = transfer::mpsc(spawner, k, args.messages, SLOTS, args.wait)?;
        t.add_row([
            k.to_string(),
            grouped(run.total),
            grouped(run.per_second() as u64),
            format!("{:.1}", 1e9 / run.per_second()),
        ]);
        k = if k < args.producers {
            (k * 2).min(args.producers)
        } else {
            k + 1
        };
    }
    println!("{t}");
    println!("Every message arrived once, in order per producer.");
    if cfg!(debug_assertions) {
        println!("(debug build: use --release for numbers worth comparing)");
    }
    Ok(())
}

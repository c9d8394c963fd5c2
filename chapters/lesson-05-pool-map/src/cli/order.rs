//! `order`: ordered vs unordered results.

use std::time::Duration;

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::usize_in;
use course_support::table;
use lesson_05_pool_map::order::{self, Plan};

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// Items 0..N; item 0 is the slow one
    #[arg(long, default_value_t = 8, value_parser = usize_in(2..=1_000))]
    pub(crate) items: usize,
    /// How long item 0 takes, in ms
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub(crate) slow_ms: u64,
    /// How long every other item takes, in ms
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub(crate) fast_ms: u64,
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=256))]
    pub(crate) workers: usize,
}

pub(crate) fn run(spawner: &Spawner, a: &Args) -> Result<()> {
    let plan = Plan {
        items: a.items,
        slow: Duration::from_millis(a.slow_ms),
        fast: Duration::from_millis(a.fast_ms),
        workers: a.workers,
    };
    println!(
        "Items 0..{}: item 0 takes {} ms, every other item {} ms; {} workers, chunks of 1 item.",
        a.items, a.slow_ms, a.fast_ms, a.workers
    );
    let seen = order::compare(spawner, plan)?;
    let mut t = table([
        "API",
        "Python",
        "order the caller got",
        "first result ms",
        "all ms",
    ]);
    for s in &seen {
        let order: Vec<String> = s.order.iter().map(usize::to_string).collect();
        t.add_row([
            s.api.to_owned(),
            s.python.to_owned(),
            order.join(" "),
            format!("{:.0}", s.first.as_secs_f64() * 1e3),
            format!("{:.0}", s.all.as_secs_f64() * 1e3),
        ]);
    }
    println!("{t}");
    println!(
        "map and imap keep input order, so nothing after item 0 reaches you before item 0 is done.\n\
         imap_unordered hands over each result when it is ready."
    );
    let unordered: Vec<&order::Seen> = seen
        .iter()
        .filter(|s| s.python == "imap_unordered")
        .collect();
    let slow_last = unordered.iter().all(|s| s.order.last() == Some(&0));
    let first_fast = unordered
        .iter()
        .all(|s| s.first < Duration::from_millis(a.slow_ms));
    println!(
        "{}",
        match (slow_last, first_fast) {
            (true, true) =>
                "This run: the slow item came last, and the first result arrived before it was done.",
            (true, false) =>
                "This run: the slow item came last, but the first result came no sooner than the slow item (a busy machine).",
            (false, _) =>
                "This run: the slow item was NOT last in every unordered run (a busy machine delays workers).",
        }
    );
    let complete = seen.iter().all(|s| {
        let mut got = s.order.clone();
        got.sort_unstable();
        got == (0..a.items).collect::<Vec<_>>()
    });
    println!(
        "{}",
        if complete {
            "Every API returned every item exactly once."
        } else {
            "An API LOST or DUPLICATED items."
        }
    );
    Ok(())
}

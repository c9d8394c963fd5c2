//! `map`: Executor.map keeps input order; ordinals for the tables `as-completed` shares.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::Duration;

use anyhow::Result;
use course_support::cli::u64_in;
use course_support::cli::usize_in;
use course_support::table;
use lesson_07_executors::thread_pool::ThreadPool;

use crate::ms_to;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 6, value_parser = usize_in(1..=1_000))]
    pub(crate) items: usize,
    #[arg(long, default_value_t = 3, value_parser = usize_in(1..=256))]
    pub(crate) workers: usize,
    /// Item i sleeps (items - i) x this many ms, so later items finish first.
    #[arg(long, default_value_t = 20, value_parser = u64_in(0..=10_000))]
    pub(crate) step_ms: u64,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args {
        items,
        workers,
        step_ms,
    } = args;
    show(items, workers, ms_to(step_ms))
}

pub(crate) fn show(items: usize, workers: usize, step: Duration) -> Result<()> {
    let pool = ThreadPool::new(workers);
    let finished = Arc::new(AtomicUsize::new(0));
    let rank = Arc::clone(&finished);
    let outcomes: Vec<_> = pool
        .map(
            move |i: usize| {
                thread::sleep(step * (items - i) as u32);
                Ok::<_, Infallible>((i, rank.fetch_add(1, SeqCst) + 1))
            },
            0..items,
        )
        .collect();
    let mut t = table(["map yields", "item", "it finished"]);
    for (pos, outcome) in outcomes.iter().enumerate() {
        let (item, rank) = outcome.as_ref().map_err(|e| anyhow::anyhow!("{e:?}"))?;
        t.add_row([format!("{}", pos + 1), item.to_string(), ordinal(*rank)]);
    }
    println!(
        "{items} items on {workers} workers; item i sleeps ({items} - i) x {} ms, so late items finish first:\n{t}",
        step.as_millis()
    );
    let in_order = outcomes
        .iter()
        .enumerate()
        .all(|(pos, o)| matches!(o, Ok((i, _)) if *i == pos));
    println!("Input order kept: {}.", if in_order { "yes" } else { "NO" });
    Ok(())
}

pub(crate) fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        let got: Vec<_> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal).into();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"
            ]
        );
    }
}

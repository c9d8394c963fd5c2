//! `as-completed`: results in the order they finish.

use std::collections::HashMap;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::Result;
use course_support::cli::u64_in;
use course_support::cli::usize_in;
use course_support::report::ms;
use course_support::table;
use lesson_07_executors::as_completed;
use lesson_07_executors::thread_pool::ThreadPool;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Sleep of each task in ms, in submission order.
    #[arg(long, value_delimiter = ',', default_values_t = [300, 100, 200, 50], value_parser = u64_in(0..=60_000))]
    pub(crate) sleeps_ms: Vec<u64>,
    #[arg(long, default_value_t = 4, value_parser = usize_in(1..=256))]
    pub(crate) workers: usize,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args { sleeps_ms, workers } = args;
    show(&sleeps_ms, workers)
}

pub(crate) fn show(sleeps: &[u64], workers: usize) -> Result<()> {
    let pool = ThreadPool::new(workers);
    let t0 = Instant::now();
    let mut sleep_of = HashMap::new();
    let handles: Vec<_> = sleeps
        .iter()
        .map(|&ms| {
            let h = pool.spawn(move || thread::sleep(Duration::from_millis(ms)));
            sleep_of.insert(h.id(), ms);
            h
        })
        .collect();
    let mut t = table(["yielded", "task", "sleeps ms", "arrived at ms"]);
    for (k, handle) in as_completed(handles).enumerate() {
        t.add_row([
            super::map::ordinal(k + 1),
            handle.id().to_string(),
            sleep_of[&handle.id()].to_string(),
            ms(t0.elapsed()),
        ]);
    }
    println!(
        "{} tasks submitted in this order, sleeps {:?} ms, {workers} workers:\n{t}",
        sleeps.len(),
        sleeps
    );
    Ok(())
}

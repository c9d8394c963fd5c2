//! `robust`: every result and every (task, error) pair, and the report `processes` shares.

use std::time::{Duration, Instant};

use anyhow::Result;
use course_support::cli::u64_in;
use course_support::cli::usize_in;
use course_support::report::ms;
use course_support::{table, time};
use lesson_07_executors::future::TaskId;
use lesson_07_executors::robust::{self, Report};
use lesson_07_executors::thread_pool::ThreadPool;

use crate::ms_to;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=256))]
    pub(crate) workers: usize,
    /// How long the whole batch may take, in ms.
    #[arg(long, default_value_t = 300, value_parser = u64_in(1..=60_000))]
    pub(crate) timeout_ms: u64,
    /// The slow task's sleep, in ms (longer than the timeout).
    #[arg(long, default_value_t = 600, value_parser = u64_in(0..=60_000))]
    pub(crate) slow_ms: u64,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args {
        workers,
        timeout_ms,
        slow_ms,
    } = args;
    show(workers, ms_to(timeout_ms), slow_ms)
}

pub(crate) fn show(workers: usize, timeout: Duration, slow_ms: u64) -> Result<()> {
    let pool = ThreadPool::new(workers);
    let jobs = robust::batch(slow_ms);
    let t0 = Instant::now();
    let (report, task_of) = robust::run_batch(&pool, &jobs, timeout);
    let collected = t0.elapsed();
    println!(
        "{} tasks on {workers} workers, {} ms for the whole batch; outcomes in completion order:",
        jobs.len(),
        timeout.as_millis()
    );
    print_report(&report, |id| task_of[&id].to_string());
    let dropped = time(|| drop(pool));
    // A pool that is only joining idle workers drops in well under a millisecond.
    let waited = dropped.elapsed >= Duration::from_millis(5);
    println!(
        "Collected after {} ms. Dropping the pool then waited {} ms more: {}.",
        ms(collected),
        ms(dropped.elapsed),
        if waited {
            "the timed-out task was still running"
        } else {
            "no task was left running"
        }
    );
    Ok(())
}

// ANCHOR: print_report
/// The report as a table: successes, then failures with their task.
pub(crate) fn print_report<T: std::fmt::Debug, E: std::fmt::Display>(
    report: &Report<T, E>,
    task: impl Fn(TaskId) -> String,
) {
    let mut t = table(["task", "what", "outcome", "value or error"]);
    for (id, value) in &report.ok {
        t.add_row([id.to_string(), task(*id), "ok".into(), format!("{value:?}")]);
    }
    for (id, error) in &report.failed {
        t.add_row([
            id.to_string(),
            task(*id),
            error.kind().into(),
            error.to_string(),
        ]);
    }
    println!("{t}");
    println!(
        "{} succeeded, {} failed; none was lost, and no failure stopped the batch.",
        report.ok.len(),
        report.failed.len()
    );
}
// ANCHOR_END: print_report

//! `robust`: every result and every (task, error) pair, and the report `processes` shares.

use std::time::{Duration, Instant};

use anyhow::Result;
use course_support::report::ms;
use course_support::{table, time};
use lesson_07_executors::future::TaskId;
use lesson_07_executors::robust::{self, Report};
use lesson_07_executors::thread_pool::ThreadPool;

pub(crate) fn run(workers: usize, timeout: Duration, slow_ms: u64) -> Result<()> {
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

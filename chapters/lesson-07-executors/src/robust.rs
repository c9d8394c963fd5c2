//! The seeds' robust pattern: run a batch, keep every success *and* every
//! `(task, error)` pair, whatever went wrong (an error, a panic, a task
//! that takes too long), and never stop at the first failure.
//!
//! ```python
//! for future in as_completed(future_to_task):
//!     task = future_to_task[future]
//!     try:
//!         results.append(future.result())
//!     except Exception as exc:
//!         failed.append((task, exc))
//! ```
//!
//! [`collect`] is that loop for any handles, from either pool; [`batch`]
//! and [`run_batch`] are the demo's batch of well-behaved and misbehaving
//! tasks on a [`ThreadPool`].

use std::collections::HashMap;
use std::fmt;
use std::thread;
use std::time::Duration;

use course_support::count_primes;

use crate::completion::as_completed;
use crate::future::{Handle, TaskError, TaskId};
use crate::thread_pool::ThreadPool;

// ANCHOR: report
/// Everything a batch produced, each list in the order tasks completed.
#[derive(Debug)]
pub struct Report<T, E> {
    pub ok: Vec<(TaskId, T)>,
    pub failed: Vec<(TaskId, TaskError<E>)>,
}

/// Waits for `handles` as they complete, for at most `timeout` in all, and
/// sorts every outcome into `ok` or `failed`. At the deadline, tasks still
/// waiting in the queue are cancelled (`Cancelled`: they never run) and
/// tasks still running are reported `TimedOut` (they run on: a thread
/// cannot be stopped, only no longer waited for).
pub fn collect<T, E>(handles: Vec<Handle<T, E>>, timeout: Duration) -> Report<T, E> {
    let mut report = Report {
        ok: Vec::new(),
        failed: Vec::new(),
    };
    let mut completed = as_completed(handles).timeout(timeout);
    for handle in completed.by_ref() {
        let id = handle.id();
        // It is done, so this does not wait.
        match handle.result(Duration::ZERO) {
            Ok(value) => report.ok.push((id, value)),
            Err(error) => report.failed.push((id, error)),
        }
    }
    for late in completed.into_remaining() {
        let error = if late.cancel() {
            TaskError::Cancelled
        } else {
            TaskError::TimedOut
        };
        report.failed.push((late.id(), error));
    }
    report
}
// ANCHOR_END: report

// ANCHOR: job
/// One task of the demo batch, and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Count the primes below `n`: succeeds.
    Primes(u64),
    /// Parse a number: fails (returns `Err`) on anything but digits.
    Parse(String),
    /// Divide 100 by `d`: panics when `d` is 0.
    Divide(u64),
    /// Sleep `ms`, then return: slower than the batch's timeout.
    Sleep(u64),
}

impl Job {
    /// Runs the job: `Ok` with a number, or `Err` with a message.
    pub fn run(&self) -> Result<u64, String> {
        match self {
            Job::Primes(n) => Ok(count_primes(0..*n)),
            Job::Parse(text) => text
                .parse::<u64>()
                .map_err(|e| format!("cannot parse {text:?}: {e}")),
            // A real division by zero: Rust panics, it does not return inf.
            Job::Divide(d) => Ok(100 / std::hint::black_box(*d)),
            Job::Sleep(ms) => {
                thread::sleep(Duration::from_millis(*ms));
                Ok(*ms)
            }
        }
    }
}
// ANCHOR_END: job

impl fmt::Display for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Job::Primes(n) => write!(f, "primes below {n}"),
            Job::Parse(text) => write!(f, "parse {text:?}"),
            Job::Divide(d) => write!(f, "100 / {d}"),
            Job::Sleep(ms) => write!(f, "sleep {ms} ms"),
        }
    }
}

/// The demo batch: mostly good tasks, with an error, a panic and a slow
/// task in between, so that every kind of failure shows up. `slow_ms`
/// should exceed the batch's timeout.
pub fn batch(slow_ms: u64) -> Vec<Job> {
    vec![
        Job::Primes(200_000),
        Job::Parse("42".into()),
        Job::Sleep(slow_ms),
        Job::Primes(50_000),
        Job::Parse("forty-two".into()),
        Job::Divide(4),
        Job::Divide(0),
        Job::Primes(100_000),
    ]
}

// ANCHOR: run_batch
/// Submits `jobs` to `pool` and collects every outcome within `timeout`;
/// also returns which job each task id was (Python's `future_to_task`).
pub fn run_batch(
    pool: &ThreadPool,
    jobs: &[Job],
    timeout: Duration,
) -> (Report<u64, String>, HashMap<TaskId, Job>) {
    let mut task_of = HashMap::new();
    let handles = jobs
        .iter()
        .map(|job| {
            let mine = job.clone();
            let handle = pool.submit(move || mine.run());
            task_of.insert(handle.id(), job.clone());
            handle
        })
        .collect();
    (collect(handles, timeout), task_of)
}
// ANCHOR_END: run_batch

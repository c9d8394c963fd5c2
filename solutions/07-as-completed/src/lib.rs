//! # Exercise: as_completed, collecting every outcome (reference solution)
//!
//! Workers share one job channel and send `(id, outcome)` on a results
//! channel as each task finishes; receiving from that channel *is*
//! `as_completed`. Panics are caught where the task runs, so a worker
//! lives on. At the deadline the caller stops receiving and reports every
//! id it has not heard from as `TimedOut`; the workers are not joined.

use std::any::Any;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A task's number, as given in [`Task::id`].
pub type TaskId = usize;

/// Why a task produced no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskError {
    /// The task returned `Err(message)`: Python's raised exception.
    Failed(String),
    /// The task panicked with this message.
    Panicked(String),
    /// The task had not finished when the time ran out.
    TimedOut,
}

/// The work a task does: runs once, on some worker thread.
pub type Work<T> = Box<dyn FnOnce() -> Result<T, String> + Send>;

/// One task to run.
pub struct Task<T> {
    pub id: TaskId,
    pub run: Work<T>,
}

impl<T> Task<T> {
    /// A task with this id that runs `f`.
    pub fn new(id: TaskId, f: impl FnOnce() -> Result<T, String> + Send + 'static) -> Self {
        Task {
            id,
            run: Box::new(f),
        }
    }
}

impl<T> std::fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Task({})", self.id)
    }
}

/// Everything a batch produced.
#[derive(Debug)]
pub struct Report<T> {
    /// `(id, value)` of every task that returned `Ok`, in the order they
    /// finished.
    pub ok: Vec<(TaskId, T)>,
    /// `(id, error)` of every other task: failures and panics in the order
    /// they finished, then the timed-out tasks.
    pub failed: Vec<(TaskId, TaskError)>,
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}

/// Runs `tasks` on at most `workers` threads (`workers` >= 1; you may panic
/// on 0) and collects every outcome as it completes, for at most `timeout`
/// in all.
pub fn collect_all<T: Send + 'static>(
    tasks: Vec<Task<T>>,
    workers: usize,
    timeout: Duration,
) -> Report<T> {
    assert!(workers >= 1, "collect_all needs at least one worker");
    let deadline = Instant::now() + timeout;
    let mut waiting: HashSet<TaskId> = tasks.iter().map(|t| t.id).collect();
    let mut ids: Vec<TaskId> = tasks.iter().map(|t| t.id).collect();

    let (job_tx, job_rx) = mpsc::channel::<Task<T>>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = mpsc::channel::<(TaskId, Result<T, TaskError>)>();
    for _ in 0..workers.min(tasks.len()) {
        let (job_rx, done_tx) = (Arc::clone(&job_rx), done_tx.clone());
        // Detached: we never join, so a slow task can't hold us past the deadline.
        thread::spawn(move || {
            loop {
                // The guard is a temporary: the lock is released before the task runs.
                let next = job_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok(task) = next else { break };
                let outcome = match catch_unwind(AssertUnwindSafe(task.run)) {
                    Ok(Ok(value)) => Ok(value),
                    Ok(Err(msg)) => Err(TaskError::Failed(msg)),
                    Err(payload) => Err(TaskError::Panicked(panic_message(&*payload))),
                };
                if done_tx.send((task.id, outcome)).is_err() {
                    break; // the caller has returned
                }
            }
        });
    }
    drop(done_tx);
    for task in tasks {
        let _ = job_tx.send(task);
    }
    drop(job_tx); // workers stop when the queue is empty

    let mut report = Report {
        ok: Vec::new(),
        failed: Vec::new(),
    };
    while !waiting.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok((id, outcome)) = done_rx.recv_timeout(left) else {
            break; // time is up
        };
        waiting.remove(&id);
        match outcome {
            Ok(value) => report.ok.push((id, value)),
            Err(e) => report.failed.push((id, e)),
        }
    }
    ids.retain(|id| waiting.contains(id));
    report
        .failed
        .extend(ids.into_iter().map(|id| (id, TaskError::TimedOut)));
    report
}

//! # Exercise: as_completed, collecting every outcome
//!
//! The seed article's robust pattern, in Python:
//!
//! ```python
//! with ThreadPoolExecutor(max_workers=workers) as executor:
//!     future_to_task = {executor.submit(t.run): t for t in tasks}
//!     for future in as_completed(future_to_task, timeout=timeout):
//!         task = future_to_task[future]
//!         try:
//!             results.append((task.id, future.result()))
//!         except Exception as exc:
//!             failed.append((task.id, exc))
//! ```
//!
//! Write [`collect_all`], which does the same with threads:
//!
//! - at most `workers` tasks run at any moment, and as many as `workers`
//!   *do* run at the same time when there are enough tasks;
//! - outcomes are collected in the order the tasks **finish**, not the
//!   order they were given (a slow first task is reported last);
//! - a task that returns `Err(msg)` is `(id, TaskError::Failed(msg))`, a
//!   task that panics is `(id, TaskError::Panicked(message))`, and neither
//!   stops the others: with one worker, the tasks after a panic still run;
//! - after `timeout`, `collect_all` returns without waiting any longer:
//!   every task without an outcome by then is `(id, TaskError::TimedOut)`.
//!   (Its thread may still be running it: a thread cannot be stopped from
//!   outside, only no longer waited for.)
//!
//! Every task id appears exactly once in the report, in `ok` or in `failed`.
//!
//! Run the tests with `cargo xtask check exercises as-completed`, ask for a
//! hint with `cargo xtask hint as-completed`.

use std::time::Duration;

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

/// Runs `tasks` on at most `workers` threads (`workers` >= 1; you may panic
/// on 0) and collects every outcome as it completes, for at most `timeout`
/// in all.
///
/// ```no_run
/// use std::time::Duration;
/// use as_completed::{Task, TaskError, collect_all};
///
/// let tasks = vec![
///     Task::new(0, || Ok(1)),
///     Task::new(1, || Err("no".to_owned())),
///     Task::new(2, || panic!("boom")),
/// ];
/// let report = collect_all(tasks, 2, Duration::from_secs(5));
/// assert_eq!(report.ok, [(0, 1)]);
/// assert_eq!(report.failed.len(), 2);
/// assert!(report.failed.contains(&(2, TaskError::Panicked("boom".into()))));
/// ```
pub fn collect_all<T: Send + 'static>(
    tasks: Vec<Task<T>>,
    workers: usize,
    timeout: Duration,
) -> Report<T> {
    todo!(
        "start at most `workers` threads that share the tasks, catch panics, \
         and receive the outcomes as they complete until the deadline"
    )
}

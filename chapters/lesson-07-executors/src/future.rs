//! The future: what `submit` hands back ([`Handle`]), and the other end a
//! worker fills in ([`Promise`]).
//!
//! A `concurrent.futures.Future` is a small state machine behind a lock:
//! PENDING, RUNNING, then FINISHED (a result or an exception) or CANCELLED,
//! with a condition variable for whoever waits on it. This module is that
//! machine. Both pools of this lesson return the same [`Handle`], so
//! [`as_completed`](crate::completion::as_completed) and
//! [`wait`](crate::completion::wait) work on futures from either.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crossbeam::channel::Sender;

// ANCHOR: task_error
/// Why a task gave no value. Python raises these as exceptions from
/// `future.result()`; here they are the `Err` side of one `Result`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskError<E> {
    /// The task ran and returned `Err(e)`: the exception it raised.
    Failed(E),
    /// The task panicked; the pool caught it. Holds the panic message.
    Panicked(String),
    /// `result(timeout)` gave up waiting. The task itself may still run.
    TimedOut,
    /// Cancelled before it started (`cancel()`, or `shutdown(false)`): it
    /// never ran.
    Cancelled,
    /// The executor could not run it to the end: its worker process died
    /// while running it, or the pool could not start one. Python's
    /// `BrokenProcessPool`.
    Broken(String),
}
// ANCHOR_END: task_error

impl<E: fmt::Display> fmt::Display for TaskError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Failed(e) => write!(f, "failed: {e}"),
            TaskError::Panicked(msg) => write!(f, "panicked: {msg}"),
            TaskError::TimedOut => f.write_str("timed out"),
            TaskError::Cancelled => f.write_str("cancelled"),
            TaskError::Broken(why) => write!(f, "broken: {why}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for TaskError<E> {}

impl<E> TaskError<E> {
    /// The variant's name, for tables: `Failed`, `Panicked`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            TaskError::Failed(_) => "Failed",
            TaskError::Panicked(_) => "Panicked",
            TaskError::TimedOut => "TimedOut",
            TaskError::Cancelled => "Cancelled",
            TaskError::Broken(_) => "Broken",
        }
    }
}

/// A task's number in its pool, in the order it was submitted: the key to
/// look up what a handle was for (Python code keeps a `future_to_task` dict).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(pub u64);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// What a task ends with.
pub type Outcome<T, E> = Result<T, TaskError<E>>;

/// What `map` returns: the outcomes, joined one by one in input order.
pub type Results<T, E> =
    std::iter::Map<std::vec::IntoIter<Handle<T, E>>, fn(Handle<T, E>) -> Outcome<T, E>>;

/// Joins handles in the order given.
pub fn in_order<T, E>(handles: Vec<Handle<T, E>>) -> Results<T, E> {
    handles
        .into_iter()
        .map(Handle::join as fn(Handle<T, E>) -> Outcome<T, E>)
}

// ANCHOR: state
/// PENDING -> RUNNING -> FINISHED, or PENDING -> CANCELLED.
enum State<T, E> {
    Pending,
    Running,
    Finished(Outcome<T, E>),
    Cancelled,
    /// `result()` moved the outcome out (only a consumed handle gets here).
    Taken,
}

struct Inner<T, E> {
    state: State<T, E>,
    /// Who to tell when it finishes: `as_completed` and `wait` put a
    /// channel here, with the index the handle has in their list.
    watchers: Vec<(Sender<usize>, usize)>,
}

struct Shared<T, E> {
    inner: Mutex<Inner<T, E>>,
    changed: Condvar,
}
// ANCHOR_END: state

impl<T, E> Shared<T, E> {
    fn lock(&self) -> MutexGuard<'_, Inner<T, E>> {
        // Nothing panics while holding this lock, but never let poison spread.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves to `state` (a final one) and tells everybody waiting.
    fn settle(&self, mut inner: MutexGuard<'_, Inner<T, E>>, state: State<T, E>) {
        inner.state = state;
        for (tx, index) in inner.watchers.drain(..) {
            let _ = tx.send(index); // the watcher may have given up: fine
        }
        drop(inner);
        self.changed.notify_all();
    }
}

impl<T, E> Inner<T, E> {
    fn is_done(&self) -> bool {
        matches!(
            self.state,
            State::Finished(_) | State::Cancelled | State::Taken
        )
    }
}

/// A new future: the handle for the caller, the promise for the worker.
pub fn pair<T, E>(id: TaskId) -> (Handle<T, E>, Promise<T, E>) {
    let shared = Arc::new(Shared {
        inner: Mutex::new(Inner {
            state: State::Pending,
            watchers: Vec::new(),
        }),
        changed: Condvar::new(),
    });
    (
        Handle {
            id,
            shared: Arc::clone(&shared),
        },
        Promise {
            shared,
            settled: false,
        },
    )
}

// ANCHOR: handle
/// The caller's side of a submitted task: Python's `Future`.
///
/// Dropping a handle does not cancel or stop the task; its result is
/// thrown away when it arrives.
pub struct Handle<T, E> {
    id: TaskId,
    shared: Arc<Shared<T, E>>,
}
// ANCHOR_END: handle

impl<T, E> fmt::Debug for Handle<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.shared.lock();
        let state = match &inner.state {
            State::Pending => "pending",
            State::Running => "running",
            State::Finished(Ok(_)) => "finished",
            State::Finished(Err(_)) => "finished with an error",
            State::Cancelled => "cancelled",
            State::Taken => "taken",
        };
        write!(f, "Handle({}, {state})", self.id)
    }
}

impl<T, E> Handle<T, E> {
    /// The task's number in its pool.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// Python's `done()`: finished, failed or cancelled; `result` won't wait.
    pub fn done(&self) -> bool {
        self.shared.lock().is_done()
    }

    /// Python's `running()`: a worker is running it right now.
    pub fn running(&self) -> bool {
        matches!(self.shared.lock().state, State::Running)
    }

    /// Python's `cancelled()`.
    pub fn cancelled(&self) -> bool {
        matches!(self.shared.lock().state, State::Cancelled)
    }

    /// Finished with an error: Python's `exception() is not None`, what
    /// `wait(FIRST_EXCEPTION)` stops at. A cancelled task did not fail.
    pub fn failed(&self) -> bool {
        matches!(self.shared.lock().state, State::Finished(Err(_)))
    }

    // ANCHOR: cancel
    /// Python's `cancel()`: a task still waiting in the queue is cancelled
    /// and will never run (`true`); one that is running or done is not
    /// (`false`). Cancelling twice is `true` twice.
    pub fn cancel(&self) -> bool {
        let inner = self.shared.lock();
        match inner.state {
            State::Pending => {
                self.shared.settle(inner, State::Cancelled);
                true
            }
            State::Cancelled => true,
            _ => false,
        }
    }
    // ANCHOR_END: cancel

    /// Waits until the task is done or `timeout` has passed; `true` if done.
    /// Borrows the handle, so you can wait again, or take the result after.
    pub fn wait(&self, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut inner = self.shared.lock();
        while !inner.is_done() {
            let changed = &self.shared.changed;
            inner = match deadline {
                // No deadline that an Instant can hold: wait for ever.
                None => changed.wait(inner).unwrap_or_else(|p| p.into_inner()),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return false;
                    }
                    changed
                        .wait_timeout(inner, left)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
            };
        }
        true
    }

    // ANCHOR: result
    /// Python's `result(timeout)`: waits at most `timeout` for the task and
    /// returns its value or why there is none. On `TimedOut` the task goes
    /// on running; only the waiting stopped. Consumes the handle, like
    /// `JoinHandle::join`: to wait and come back later, use [`Handle::wait`].
    pub fn result(self, timeout: Duration) -> Outcome<T, E> {
        if !self.wait(timeout) {
            return Err(TaskError::TimedOut);
        }
        self.take()
    }
    // ANCHOR_END: result

    /// `result()` with no timeout: waits as long as it takes.
    pub fn join(self) -> Outcome<T, E> {
        self.wait(Duration::MAX);
        self.take()
    }

    fn take(self) -> Outcome<T, E> {
        let mut inner = self.shared.lock();
        match std::mem::replace(&mut inner.state, State::Taken) {
            State::Finished(outcome) => outcome,
            State::Cancelled => Err(TaskError::Cancelled),
            _ => unreachable!("take() only after the task is done, once"),
        }
    }

    /// Asks to be told when the task is done: `index` arrives on `tx` (at
    /// once if it is done already).
    pub(crate) fn notify(&self, tx: &Sender<usize>, index: usize) {
        let mut inner = self.shared.lock();
        if inner.is_done() {
            let _ = tx.send(index);
        } else {
            inner.watchers.push((tx.clone(), index));
        }
    }
}

// ANCHOR: promise
/// The worker's side of a task. A promise that is dropped without being
/// fulfilled still settles its handle (a queued task becomes `Cancelled`, a
/// running one `Broken`), so no `result()` can wait for ever.
pub struct Promise<T, E> {
    shared: Arc<Shared<T, E>>,
    settled: bool,
}

impl<T, E> Promise<T, E> {
    /// PENDING -> RUNNING. `false` if it was cancelled: don't run it.
    pub fn start(&self) -> bool {
        let mut inner = self.shared.lock();
        match inner.state {
            State::Pending => {
                inner.state = State::Running;
                drop(inner);
                self.shared.changed.notify_all();
                true
            }
            _ => false,
        }
    }

    /// PENDING -> CANCELLED, for a task dropped from the queue. `false` if
    /// it was no longer pending (already cancelled by its handle).
    pub fn cancel(mut self) -> bool {
        self.settled = true;
        let inner = self.shared.lock();
        if matches!(inner.state, State::Pending) {
            self.shared.settle(inner, State::Cancelled);
            true
        } else {
            false
        }
    }

    /// RUNNING -> FINISHED with the task's outcome.
    pub fn finish(mut self, outcome: Outcome<T, E>) {
        self.settled = true;
        let inner = self.shared.lock();
        if matches!(inner.state, State::Cancelled) {
            return; // never started: keep it cancelled
        }
        self.shared.settle(inner, State::Finished(outcome));
    }
}

impl<T, E> Drop for Promise<T, E> {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let inner = self.shared.lock();
        match inner.state {
            State::Pending => self.shared.settle(inner, State::Cancelled),
            State::Running => self.shared.settle(
                inner,
                State::Finished(Err(TaskError::Broken(
                    "its worker went away before it finished".into(),
                ))),
            ),
            _ => {}
        }
    }
}
// ANCHOR_END: promise

impl<T, E> fmt::Debug for Promise<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Promise")
    }
}

/// The message of a caught panic: what `panic!` was given, when it was a
/// string (it almost always is).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_promise_settles_its_handle() {
        let (queued, p) = pair::<u8, ()>(TaskId(0));
        drop(p);
        assert_eq!(queued.result(Duration::ZERO), Err(TaskError::Cancelled));

        let (running, p) = pair::<u8, ()>(TaskId(1));
        assert!(p.start());
        drop(p);
        assert!(matches!(running.join(), Err(TaskError::Broken(_))));
    }

    #[test]
    fn cancel_only_while_pending() {
        let (h, p) = pair::<u8, ()>(TaskId(0));
        assert!(h.cancel() && h.cancel() && h.cancelled() && h.done());
        assert!(!p.start(), "a cancelled task must not start");
        let (h, p) = pair::<u8, ()>(TaskId(1));
        assert!(p.start());
        assert!(!h.cancel() && h.running());
        p.finish(Ok(7));
        assert!(!h.cancel());
        assert_eq!(h.result(Duration::ZERO), Ok(7));
    }
}

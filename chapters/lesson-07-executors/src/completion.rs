//! Waiting for many futures at once: `as_completed` and `wait`.
//!
//! Python installs a *waiter* (an event plus a list) on every future; each
//! future, when it finishes, adds itself to the list and sets the event. We
//! do the same with a channel: every handle gets the sending end and its
//! index, and sends the index when it settles. The receiver therefore sees
//! the indexes in the order the tasks finished, which is the whole trick.

use std::time::{Duration, Instant};

use crossbeam::channel::{self, Receiver, RecvTimeoutError};

use crate::future::Handle;

// ANCHOR: as_completed
/// Python's `as_completed(futures)`: yields each handle as soon as its task
/// is done (finished, failed or cancelled), in the order they finish, not
/// the order they were submitted.
pub fn as_completed<T, E>(handles: Vec<Handle<T, E>>) -> AsCompleted<T, E> {
    let (tx, rx) = channel::unbounded();
    for (index, handle) in handles.iter().enumerate() {
        handle.notify(&tx, index);
    }
    AsCompleted {
        left: handles.len(),
        handles: handles.into_iter().map(Some).collect(),
        done: rx,
        deadline: None,
        timed_out: false,
    }
}

/// The iterator `as_completed` returns.
#[derive(Debug)]
pub struct AsCompleted<T, E> {
    handles: Vec<Option<Handle<T, E>>>,
    done: Receiver<usize>,
    left: usize,
    deadline: Option<Instant>,
    timed_out: bool,
}

impl<T, E> Iterator for AsCompleted<T, E> {
    type Item = Handle<T, E>;

    fn next(&mut self) -> Option<Handle<T, E>> {
        if self.left == 0 || self.timed_out {
            return None;
        }
        let index = match self.deadline {
            None => self.done.recv().ok()?,
            Some(deadline) => match self.done.recv_deadline(deadline) {
                Ok(index) => index,
                Err(RecvTimeoutError::Timeout) => {
                    self.timed_out = true;
                    return None;
                }
                Err(RecvTimeoutError::Disconnected) => return None,
            },
        };
        self.left -= 1;
        self.handles[index].take()
    }
}
// ANCHOR_END: as_completed

impl<T, E> AsCompleted<T, E> {
    /// Python's `as_completed(fs, timeout)`: stop yielding once `timeout`
    /// has passed (from now). Python raises `TimeoutError`; here the loop
    /// ends, [`AsCompleted::timed_out`] says so, and
    /// [`AsCompleted::into_remaining`] hands back the handles not yet done.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.deadline = Instant::now().checked_add(timeout);
        self
    }

    /// Did the iteration end because the time ran out?
    pub fn timed_out(&self) -> bool {
        self.timed_out
    }

    /// The handles that were not yielded (not done in time), in the order
    /// they were given.
    pub fn into_remaining(self) -> Vec<Handle<T, E>> {
        self.handles.into_iter().flatten().collect()
    }
}

/// When `wait` should return: Python's `FIRST_COMPLETED`,
/// `FIRST_EXCEPTION` and `ALL_COMPLETED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnWhen {
    FirstCompleted,
    FirstException,
    AllCompleted,
}

/// What `wait` returns: Python's `DoneAndNotDoneFutures` named tuple.
#[derive(Debug)]
pub struct DoneAndNotDone<T, E> {
    pub done: Vec<Handle<T, E>>,
    pub not_done: Vec<Handle<T, E>>,
}

// ANCHOR: wait
/// Python's `wait(futures, timeout, return_when)`: blocks until the
/// condition holds or `timeout` passes, then splits the handles into
/// `done` and `not_done`, each in the order given.
pub fn wait<T, E>(
    handles: Vec<Handle<T, E>>,
    timeout: Duration,
    return_when: ReturnWhen,
) -> DoneAndNotDone<T, E> {
    let deadline = Instant::now().checked_add(timeout);
    let (tx, rx) = channel::unbounded();
    for (index, handle) in handles.iter().enumerate() {
        handle.notify(&tx, index);
    }
    let mut finished = 0;
    while finished < handles.len() {
        let index = match deadline {
            Some(deadline) => match rx.recv_deadline(deadline) {
                Ok(index) => index,
                Err(_) => break,
            },
            None => match rx.recv() {
                Ok(index) => index,
                Err(_) => break,
            },
        };
        finished += 1;
        match return_when {
            ReturnWhen::FirstCompleted => break,
            ReturnWhen::FirstException if handles[index].failed() => break,
            _ => {}
        }
    }
    // A task may finish between the loop and here: `done()` has the last word.
    let (done, not_done) = handles.into_iter().partition(Handle::done);
    DoneAndNotDone { done, not_done }
}
// ANCHOR_END: wait

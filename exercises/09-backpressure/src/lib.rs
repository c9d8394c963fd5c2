//! Backpressure across two worlds: a bounded queue whose senders are async
//! tasks and whose receiver is a plain thread.
//!
//! In a hybrid pipeline the fetch stage runs on a tokio runtime and the CPU
//! stage on ordinary threads. The queue between them must:
//!
//! - make a sender **wait** while it is full, *without blocking the
//!   runtime's thread* (a task waiting for room must let the other tasks
//!   on that thread run): so `send` is `async`;
//! - make the receiver **block** while it is empty (a CPU thread has no
//!   runtime to await on): so `recv` is a plain blocking function;
//! - never hold more than `capacity` items;
//! - shut down cleanly: after [`Receiver::close`], or once every
//!   [`Sender`] is dropped, `recv` still returns the items already queued
//!   (it *drains*), then `None`.
//!
//! In Python the same role is played by `asyncio.Queue(maxsize)` on one side
//! and `loop.run_in_executor` on the other; `janus` is a library that offers
//! exactly this mixed queue. tokio's `mpsc::channel` with `blocking_recv`
//! does it too; here you build one to see how.
//!
//! The pieces: a `Mutex` around the items, a `Condvar` the receiver sleeps
//! on, and a `tokio::sync::Semaphore` holding one permit per free slot, on
//! which senders wait asynchronously. [`Receiver::close`], the `Drop`s and
//! the small getters are written for you.
//!
//! Replace each `todo!()`. Check your work with
//! `cargo xtask check exercises backpressure`; stuck? `cargo xtask hint backpressure`.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use tokio::sync::Semaphore;

/// `send` failed because the queue is closed: here is your item back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed<T>(pub T);

/// What the lock protects.
#[derive(Debug)]
struct State<T> {
    /// The queued items, oldest first. Keep them here: `len()` reads it.
    items: VecDeque<T>,
    /// Live [`Sender`]s; when it drops to 0 the receiver may stop waiting.
    senders: usize,
    /// Set by [`Receiver::close`]: no new items are accepted.
    closed: bool,
}

/// What both ends share.
#[derive(Debug)]
struct Shared<T> {
    capacity: usize,
    state: Mutex<State<T>>,
    /// The receiver waits here for an item (or for the end).
    item_ready: Condvar,
    /// One permit per free slot: a sender takes one before it pushes, the
    /// receiver gives one back after it pops. Closed by [`Receiver::close`].
    space: Semaphore,
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The async end. Clone it for more producers.
#[derive(Debug)]
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// The blocking end. Share it by reference between consumer threads.
#[derive(Debug)]
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

/// A queue of at most `capacity` items, with one sender and its receiver.
///
/// Panics if `capacity` is 0.
pub fn bridge<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    todo!()
}

impl<T> Sender<T> {
    /// Puts `item` at the back of the queue.
    ///
    /// While the queue holds `capacity` items, this *waits* (the task is
    /// suspended, the thread runs other tasks) until the receiver takes one.
    /// Returns `Err(Closed(item))`, giving the item back, if the queue is
    /// closed: before the call, or while waiting for room.
    pub async fn send(&self, item: T) -> Result<(), Closed<T>> {
        todo!()
    }
}

impl<T> Receiver<T> {
    /// Takes the item at the front of the queue, blocking this thread until
    /// there is one. Returns `None` once the queue is empty *and* will stay
    /// empty: it was closed, or every [`Sender`] was dropped. Items queued
    /// before that are all returned first.
    ///
    /// Call it from a plain thread (or `spawn_blocking`), not from async code.
    pub fn recv(&self) -> Option<T> {
        todo!()
    }

    /// Closes the queue (written for you): senders waiting for room, and
    /// later sends, get `Err(Closed(item))`; the receiver still drains the
    /// items already queued.
    pub fn close(&self) {
        self.shared.lock().closed = true;
        self.shared.space.close();
        self.shared.item_ready.notify_all();
    }

    /// Items in the queue now (written for you).
    pub fn len(&self) -> usize {
        self.shared.lock().items.len()
    }

    /// Is the queue empty now? (written for you)
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most items it may hold (written for you).
    pub fn capacity(&self) -> usize {
        self.shared.capacity
    }
}

impl<T> Clone for Sender<T> {
    /// Another sender on the same queue (written for you).
    fn clone(&self) -> Self {
        self.shared.lock().senders += 1;
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Drop for Sender<T> {
    /// One sender fewer (written for you): after the last one, a receiver
    /// waiting on an empty queue must wake up and return `None`.
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.senders -= 1;
        if state.senders == 0 {
            drop(state);
            self.shared.item_ready.notify_all();
        }
    }
}

impl<T> Drop for Receiver<T> {
    /// Dropping the receiver closes the queue (written for you), so that
    /// no sender waits forever for room nobody will make.
    fn drop(&mut self) {
        self.close();
    }
}

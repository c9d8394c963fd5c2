//! # Exercise: a bounded buffer, `queue.Queue(maxsize=n)` (reference solution)
//!
//! Python's `queue.Queue(maxsize=n)` holds at most `n` items. `put` blocks
//! while it is full, `get` blocks while it is empty:
//!
//! ```python
//! q = queue.Queue(maxsize=8)
//! # producer:                  # consumer:
//! for item in work():          while (item := q.get()) is not None:
//!     q.put(item)                  handle(item)
//! q.put(None)  # "no more"
//! ```
//!
//! The blocking `put` is *backpressure*: a producer faster than its
//! consumers is slowed to their pace instead of filling memory.
//!
//! Build it from a `Mutex` around a `VecDeque` and two `Condvar`s: producers
//! sleep on `not_full`, consumers on `not_empty`. Instead of a `None`
//! sentinel, the buffer can be *closed*: after `close()`, `push` refuses new
//! items (and gives them back), and `pop` returns what is left, then `None`.
//!
//! What the tests check:
//! - items come out in the order they went in, each exactly once, with 4
//!   producers and 4 consumers;
//! - with nobody consuming, exactly `capacity` pushes succeed and the rest
//!   block; a push into a full buffer returns once a `pop` makes room;
//! - a `pop` from an empty buffer blocks until a `push`;
//! - `close` wakes every blocked producer and consumer; items pushed before
//!   `close` are still delivered;
//! - waiting threads sleep: they use (almost) no CPU while they wait.
//!
//! Run the tests with `cargo xtask check exercises bounded-buffer`, ask for a
//! hint with `cargo xtask hint bounded-buffer`.

use std::collections::VecDeque;
// The grader also runs the tests in tests/model.rs under a model checker
// (loom), which tries every interleaving of your threads: with the `model`
// feature on, these names switch to its types. Your code reads as plain std.
#[cfg(not(feature = "model"))]
use std::sync::{Condvar, Mutex, MutexGuard};
#[cfg(feature = "model")]
use model_sync::sync::{Condvar, Mutex, MutexGuard};
use std::sync::PoisonError;

/// A blocking FIFO queue that holds at most `capacity` items.
#[derive(Debug)]
pub struct BoundedBuffer<T> {
    state: Mutex<State<T>>,
    /// Producers waiting for room sleep here.
    not_full: Condvar,
    /// Consumers waiting for an item sleep here.
    not_empty: Condvar,
    capacity: usize,
}

/// Everything the mutex guards.
#[derive(Debug)]
struct State<T> {
    items: VecDeque<T>,
    /// Set by `close`: no more pushes.
    closed: bool,
}

/// The error of a `push` into a closed buffer: the item, given back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed<T>(pub T);

impl<T> BoundedBuffer<T> {
    /// An empty, open buffer for at most `capacity` items. `capacity` is at
    /// least 1 (you may panic on 0).
    pub fn new(capacity: usize) -> Self {
        assert!(
            capacity > 0,
            "a bounded buffer needs room for at least 1 item"
        );
        BoundedBuffer {
            state: Mutex::new(State {
                items: VecDeque::with_capacity(capacity),
                closed: false,
            }),
            not_full: Condvar::new(),
            not_empty: Condvar::new(),
            capacity,
        }
    }

    /// The state, locked. Nothing here can panic half-way through an
    /// update, so a poisoned lock is safe to use.
    fn state(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `item` at the back, waiting (asleep) while the buffer is full.
    /// Returns `Err(Closed(item))` if the buffer is closed, also when it is
    /// closed while this push waits.
    ///
    /// ```no_run
    /// let buffer = bounded_buffer::BoundedBuffer::new(2);
    /// buffer.push("a").unwrap();
    /// assert_eq!(buffer.pop(), Some("a"));
    /// ```
    pub fn push(&self, item: T) -> Result<(), Closed<T>> {
        let mut state = self
            .not_full
            .wait_while(self.state(), |s| {
                s.items.len() == self.capacity && !s.closed
            })
            .unwrap_or_else(PoisonError::into_inner);
        if state.closed {
            return Err(Closed(item));
        }
        state.items.push_back(item);
        drop(state); // unlock before waking, so the consumer can take the lock
        self.not_empty.notify_one(); // one new item: one consumer can use it
        Ok(())
    }

    /// Takes the item at the front, waiting (asleep) while the buffer is
    /// empty. Returns `None` once the buffer is closed and empty.
    pub fn pop(&self) -> Option<T> {
        let mut state = self
            .not_empty
            .wait_while(self.state(), |s| s.items.is_empty() && !s.closed)
            .unwrap_or_else(PoisonError::into_inner);
        let item = state.items.pop_front(); // None only when closed and drained
        drop(state);
        if item.is_some() {
            self.not_full.notify_one(); // room for one more
        }
        item
    }

    /// Closes the buffer: no more pushes. Wakes every waiting thread.
    pub fn close(&self) {
        self.state().closed = true;
        // Every waiter, on both sides, must see `closed`.
        self.not_full.notify_all();
        self.not_empty.notify_all();
    }

    /// How many items the buffer holds right now.
    pub fn len(&self) -> usize {
        self.state().items.len()
    }

    /// Whether the buffer holds no items right now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most items it can hold.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

//! # Exercise: `threading.Event` (reference solution)
//!
//! Python's `Event` is a flag that threads can wait for:
//!
//! ```python
//! ready = threading.Event()
//! # worker threads:               # main thread:
//! ready.wait()                    load_config()
//! serve()                         ready.set()     # wakes every waiter
//! ```
//!
//! `set()` raises the flag and wakes every thread waiting for it; `clear()`
//! lowers it again; `wait()` returns at once if the flag is up, and otherwise
//! sleeps until someone sets it; `wait(timeout)` gives up after `timeout` and
//! returns `False`.
//!
//! Rust's standard library has no Event. Build one from a `Mutex<bool>` (the
//! flag) and a `Condvar` (where waiters sleep).
//!
//! What the tests check:
//! - `wait` blocks until another thread calls `set`, then returns;
//! - one `set` wakes all of 16 waiting threads (no wake-up is lost);
//! - `wait` after `set` returns at once; `clear` makes `wait` block again;
//! - `wait_timeout` returns `false` after (not before) the timeout when
//!   nobody sets the flag, and `true` as soon as somebody does;
//! - a waiting thread sleeps: it uses (almost) no CPU while it waits.
//!
//! Run the tests with `cargo xtask check exercises event`, ask for a hint
//! with `cargo xtask hint event`.

// The grader also runs the tests in tests/model.rs under a model checker
// (loom), which tries every interleaving of your threads: with the `model`
// feature on, these names switch to its types. Your code reads as plain std.
#[cfg(feature = "model")]
use model_sync::sync::{Condvar, Mutex, MutexGuard, PoisonError};
#[cfg(not(feature = "model"))]
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// A flag threads can wait for, like `threading.Event`.
#[derive(Debug, Default)]
pub struct Event {
    /// Is the flag up?
    flag: Mutex<bool>,
    /// Threads waiting for the flag sleep here.
    changed: Condvar,
}

impl Event {
    /// A new event, with the flag down.
    pub fn new() -> Self {
        Self::default()
    }

    /// The flag, locked. A panic can't leave a `bool` half-written, so a
    /// poisoned lock is safe to use.
    fn flag(&self) -> MutexGuard<'_, bool> {
        self.flag.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Raises the flag and wakes every thread waiting for it.
    pub fn set(&self) {
        *self.flag() = true;
        self.changed.notify_all(); // every waiter needs to know
    }

    /// Lowers the flag: later `wait` calls block until the next `set`.
    pub fn clear(&self) {
        *self.flag() = false;
    }

    /// Is the flag up?
    pub fn is_set(&self) -> bool {
        *self.flag()
    }

    /// Returns once the flag is up: at once if it already is, otherwise
    /// when another thread calls `set`. Sleeps while it waits.
    ///
    /// ```no_run
    /// let ready = event::Event::new();
    /// ready.set();
    /// ready.wait(); // returns at once: the flag is up
    /// ```
    pub fn wait(&self) {
        // Re-checks the flag after every wake-up, spurious ones included.
        let _up = self
            .changed
            .wait_while(self.flag(), |up| !*up)
            .unwrap_or_else(PoisonError::into_inner);
    }

    /// Like `Event.wait(timeout)`: `true` once the flag is up, `false` if
    /// `timeout` passed first.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let (_up, waited) = self
            .changed
            .wait_timeout_while(self.flag(), timeout, |up| !*up)
            .unwrap_or_else(PoisonError::into_inner);
        // timed_out() is true only if the flag was still down at the end.
        !waited.timed_out()
    }
}

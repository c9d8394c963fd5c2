//! # Exercise: a counting semaphore (reference solution)
//!
//! Python's `threading.Semaphore(n)` lets at most `n` threads past at once:
//!
//! ```python
//! downloads = threading.Semaphore(3)
//! with downloads:          # acquire; blocks while 3 threads are inside
//!     fetch(url)
//! # release on the way out
//! ```
//!
//! Rust's standard library has no semaphore. Build one from the two tools it
//! does have: a `Mutex<usize>` holding the number of free permits, and a
//! `Condvar` that waiting threads sleep on until a permit is given back.
//!
//! Acquiring returns a [`Permit`]; dropping the permit gives it back. There is
//! no `release()`, so a permit can't be forgotten on an early return or a
//! panic, and can't be given back twice (the mistake Python's
//! `BoundedSemaphore` catches at run time).
//!
//! What the tests check:
//! - with 16 threads hammering a `Semaphore::new(3)`, never more than 3 hold
//!   a permit at once, and all 3 can be held at once;
//! - `acquire` blocks while no permit is free, and returns as soon as one
//!   comes back; no wake-up is lost (every waiter finishes);
//! - a waiting thread sleeps: it uses (almost) no CPU while it waits;
//! - `try_acquire` never waits; `acquire_timeout` gives up after its timeout;
//! - a permit comes back even when its holder panics.
//!
//! Run the tests with `cargo xtask check exercises counting-semaphore`, ask
//! for a hint with `cargo xtask hint counting-semaphore`.

// The grader also runs the tests in tests/model.rs under a model checker
// (loom), which tries every interleaving of your threads: with the `model`
// feature on, these names switch to its types. Your code reads as plain std.
#[cfg(feature = "model")]
use model_sync::sync::{Condvar, Mutex, MutexGuard, PoisonError};
#[cfg(not(feature = "model"))]
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// A counting semaphore: `permits` threads may hold a permit at once.
#[derive(Debug)]
pub struct Semaphore {
    /// How many permits nobody holds right now.
    free: Mutex<usize>,
    /// Threads waiting for a permit sleep here; a returned permit wakes one.
    given_back: Condvar,
}

/// One permit. Dropping it gives the permit back to its semaphore.
#[derive(Debug)]
#[must_use = "the permit is given back as soon as it is dropped"]
pub struct Permit<'a> {
    semaphore: &'a Semaphore,
}

impl Semaphore {
    /// A semaphore with `permits` free permits.
    pub fn new(permits: usize) -> Self {
        Semaphore {
            free: Mutex::new(permits),
            given_back: Condvar::new(),
        }
    }

    /// The free count, locked. A panicking permit holder can't leave a
    /// `usize` half-updated, so a poisoned lock is safe to use.
    fn free(&self) -> MutexGuard<'_, usize> {
        self.free.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until a permit is free, takes it, and returns it.
    ///
    /// The waiting thread must sleep (on the Condvar), not spin.
    ///
    /// ```no_run
    /// let sem = counting_semaphore::Semaphore::new(1);
    /// let permit = sem.acquire();
    /// assert_eq!(sem.available(), 0);
    /// drop(permit);
    /// assert_eq!(sem.available(), 1);
    /// ```
    pub fn acquire(&self) -> Permit<'_> {
        // Asleep while none is free; re-checked after every wake-up.
        let mut free = self
            .given_back
            .wait_while(self.free(), |free| *free == 0)
            .unwrap_or_else(PoisonError::into_inner);
        *free -= 1;
        Permit { semaphore: self }
    }

    /// Takes a permit if one is free right now; never waits.
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        let mut free = self.free();
        if *free == 0 {
            return None;
        }
        *free -= 1;
        Some(Permit { semaphore: self })
    }

    /// Like [`Semaphore::acquire`], but gives up and returns `None` if no
    /// permit became free within `timeout`.
    pub fn acquire_timeout(&self, timeout: Duration) -> Option<Permit<'_>> {
        let (mut free, waited) = self
            .given_back
            .wait_timeout_while(self.free(), timeout, |free| *free == 0)
            .unwrap_or_else(PoisonError::into_inner);
        if waited.timed_out() {
            return None;
        }
        *free -= 1;
        Some(Permit { semaphore: self })
    }

    /// How many permits are free right now.
    pub fn available(&self) -> usize {
        *self.free()
    }
}

impl Drop for Permit<'_> {
    /// Gives the permit back, and wakes a thread waiting for one.
    fn drop(&mut self) {
        *self.semaphore.free() += 1;
        // One permit, so one waiter can use it: notify_one is enough.
        self.semaphore.given_back.notify_one();
    }
}

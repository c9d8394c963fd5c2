//! Build an interpreter lock.
//!
//! CPython's GIL is a lock that a thread must hold to run Python code. Write a
//! small one with the behaviour that matters:
//!
//! - **one holder at a time**: [`InterpreterLock::acquire`] blocks until the
//!   caller holds the lock and returns a [`Held`] guard; dropping the guard
//!   releases the lock (also when the holding thread panics);
//! - **first come, first served**: threads get the lock in the order they
//!   started waiting for it, so no thread starves;
//! - **taking turns**: [`Held::yield_to_waiters`] is what a holder does when
//!   its switch interval is over: if anyone waits, it hands the lock to them
//!   and queues behind them;
//! - **releasing around I/O**: [`Held::allow_threads`] runs a blocking call
//!   with the lock released and takes the lock back before returning.
//!
//! Replace each `todo!()`; you may change the private fields and add private
//! helpers. Check your work with `cargo xtask check exercises interpreter-lock`;
//! stuck? `cargo xtask hint interpreter-lock`.

use std::sync::{Condvar, Mutex};

/// A fair lock that simulated Python threads must hold to run.
#[derive(Debug)]
pub struct InterpreterLock {
    tickets: Mutex<Tickets>,
    turn: Condvar,
}

/// A ticket lock: take a number, wait until it is served.
#[derive(Debug, Default)]
struct Tickets {
    /// The next ticket to hand out.
    next: u64,
    /// The ticket whose owner may hold the lock.
    serving: u64,
    /// Threads blocked in `acquire`.
    waiting: usize,
}

impl Default for InterpreterLock {
    fn default() -> Self {
        Self::new()
    }
}

impl InterpreterLock {
    /// An unlocked lock.
    pub fn new() -> Self {
        Self {
            tickets: Mutex::new(Tickets::default()),
            turn: Condvar::new(),
        }
    }

    /// Blocks until the calling thread holds the lock. Threads that call
    /// `acquire` while the lock is held get it in the order they called.
    pub fn acquire(&self) -> Held<'_> {
        todo!()
    }

    /// How many threads are blocked in [`acquire`](Self::acquire) (or waiting
    /// to get the lock back in [`Held`]'s methods) right now.
    pub fn waiting(&self) -> usize {
        todo!()
    }
}

/// Proof that this thread holds the [`InterpreterLock`]. Dropping it releases
/// the lock.
#[derive(Debug)]
pub struct Held<'a> {
    lock: &'a InterpreterLock,
    /// `false` while the lock is released inside `allow_threads`.
    holding: bool,
}

impl Held<'_> {
    /// If other threads wait for the lock, hands it to the first of them,
    /// queues behind all of them, and returns `true` once this thread holds the
    /// lock again. If nobody waits, keeps the lock and returns `false` at once.
    pub fn yield_to_waiters(&mut self) -> bool {
        todo!()
    }

    /// Runs `blocking` with the lock released, so that other threads can run
    /// (or wait for their own I/O) meanwhile, then waits for the lock again and
    /// returns what `blocking` returned. If `blocking` panics, the lock must
    /// stay usable for everyone else.
    pub fn allow_threads<T>(&mut self, blocking: impl FnOnce() -> T) -> T {
        todo!()
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        todo!()
    }
}

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

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

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
        let mut tickets = self.tickets();
        let ticket = tickets.next;
        tickets.next += 1;
        self.wait_for(tickets, ticket);
        Held {
            lock: self,
            holding: true,
        }
    }

    /// How many threads are blocked in [`acquire`](Self::acquire) (or waiting
    /// to get the lock back in [`Held`]'s methods) right now.
    pub fn waiting(&self) -> usize {
        self.tickets().waiting
    }

    fn wait_for(&self, mut tickets: MutexGuard<'_, Tickets>, ticket: u64) {
        tickets.waiting += 1;
        while tickets.serving != ticket {
            tickets = self
                .turn
                .wait(tickets)
                .unwrap_or_else(PoisonError::into_inner);
        }
        tickets.waiting -= 1;
    }

    fn tickets(&self) -> MutexGuard<'_, Tickets> {
        // Never held while user code runs, so the counters are consistent even
        // if some thread panicked.
        self.tickets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn release(&self) {
        self.tickets().serving += 1;
        self.turn.notify_all();
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
        let mut tickets = self.lock.tickets();
        if tickets.waiting == 0 {
            return false;
        }
        // Pass the turn and take a new ticket in one step, so the next holder
        // already sees us waiting.
        tickets.serving += 1;
        let ticket = tickets.next;
        tickets.next += 1;
        self.lock.turn.notify_all();
        self.lock.wait_for(tickets, ticket);
        true
    }

    /// Runs `blocking` with the lock released, so that other threads can run
    /// (or wait for their own I/O) meanwhile, then waits for the lock again and
    /// returns what `blocking` returned. If `blocking` panics, the lock must
    /// stay usable for everyone else.
    pub fn allow_threads<T>(&mut self, blocking: impl FnOnce() -> T) -> T {
        self.holding = false;
        self.lock.release();
        // If `blocking` panics, `holding` is false and drop won't release twice.
        let out = blocking();
        let mut tickets = self.lock.tickets();
        let ticket = tickets.next;
        tickets.next += 1;
        self.lock.wait_for(tickets, ticket);
        self.holding = true;
        out
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if self.holding {
            self.lock.release();
        }
    }
}

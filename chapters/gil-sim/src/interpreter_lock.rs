//! A simulated interpreter lock: a small model of CPython's GIL.
//!
//! A "Python thread" in this lesson is an OS thread that runs its CPU work
//! only while it holds an [`InterpreterLock`]. Three rules, the same as
//! CPython's since 3.2, decide who runs:
//!
//! 1. The lock is fair: threads get it in the order they asked (a ticket lock).
//! 2. The holder checks between small steps of work whether its switch interval
//!    has passed and somebody waits; if so it hands the lock over and queues
//!    behind them ([`Held::check_interval`]), so CPU-bound threads take turns.
//! 3. Around a blocking call the holder lets go ([`Held::allow_threads`], named
//!    after CPython's `Py_BEGIN_ALLOW_THREADS`), so threads wait for I/O together.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::timeline::{Activity, Recorder, Slice};

/// CPython's default switch interval: `sys.getswitchinterval()` returns `0.005`.
pub const DEFAULT_SWITCH_INTERVAL: Duration = Duration::from_millis(5);

// ANCHOR: lock
/// One lock that every simulated Python thread must hold to run.
#[derive(Debug)]
pub struct InterpreterLock {
    tickets: Mutex<Tickets>,
    turn: Condvar,
    // Threads blocked in `acquire`. The holder reads it at every check, so it is
    // an atomic outside the mutex: one cheap load, like CPython's "eval breaker" flag.
    waiting: AtomicUsize,
    switch_interval: Duration,
    handoffs: AtomicU64,
    recorder: Recorder,
}

/// A ticket lock: take a number, wait until it is served. First come, first served.
#[derive(Debug, Default)]
struct Tickets {
    next: u64,
    serving: u64,
}
// ANCHOR_END: lock

impl InterpreterLock {
    /// A lock whose holder gives way after `switch_interval` if someone waits
    /// (`sys.setswitchinterval` in Python).
    pub fn new(switch_interval: Duration) -> Self {
        Self {
            tickets: Mutex::new(Tickets::default()),
            turn: Condvar::new(),
            waiting: AtomicUsize::new(0),
            switch_interval,
            handoffs: AtomicU64::new(0),
            recorder: Recorder::new(),
        }
    }

    /// The interval after which a holder hands the lock to a waiting thread.
    pub fn switch_interval(&self) -> Duration {
        self.switch_interval
    }

    // ANCHOR: acquire
    /// Blocks until it is `thread`'s turn, then returns proof that it holds the
    /// lock. `thread` only labels the timeline (T1 is thread 0).
    pub fn acquire(&self, thread: usize) -> Held<'_> {
        self.take_turn();
        Held {
            lock: self,
            thread,
            since: Instant::now(),
            holding: true,
        }
    }

    fn take_turn(&self) {
        let mut tickets = self.tickets();
        let ticket = tickets.next;
        tickets.next += 1;
        self.wait_for(tickets, ticket);
    }

    fn wait_for(&self, mut tickets: MutexGuard<'_, Tickets>, ticket: u64) {
        if ticket != tickets.serving {
            self.waiting.fetch_add(1, Ordering::Relaxed);
            while ticket != tickets.serving {
                tickets = self
                    .turn
                    .wait(tickets)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            self.waiting.fetch_sub(1, Ordering::Relaxed);
        }
    }

    fn pass_turn(&self) {
        self.tickets().serving += 1;
        // Every waiter wakes and checks its ticket; only the next one proceeds.
        self.turn.notify_all();
    }

    /// Passes the turn on and queues again, in one step, so that the next
    /// holder already sees us waiting.
    fn pass_and_requeue(&self) {
        let mut tickets = self.tickets();
        tickets.serving += 1;
        let ticket = tickets.next;
        tickets.next += 1;
        self.turn.notify_all();
        self.wait_for(tickets, ticket);
    }
    // ANCHOR_END: acquire

    /// Threads blocked in [`acquire`](Self::acquire) right now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// How many times a holder gave the lock to a waiting thread because its
    /// switch interval had passed.
    pub fn handoffs(&self) -> u64 {
        self.handoffs.load(Ordering::Relaxed)
    }

    /// Who held the lock when (`Running`) and who waited for I/O with the lock
    /// released (`Waiting`), in start order.
    pub fn slices(&self) -> Vec<Slice> {
        self.recorder.slices()
    }

    fn tickets(&self) -> MutexGuard<'_, Tickets> {
        // The mutex guards two counters and is never held while user code
        // runs, so a poisoned lock still holds consistent data.
        self.tickets.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Proof that the current thread holds the [`InterpreterLock`]; dropping it
/// releases the lock, also when the thread panics.
#[derive(Debug)]
pub struct Held<'a> {
    lock: &'a InterpreterLock,
    thread: usize,
    since: Instant,
    holding: bool,
}

impl Held<'_> {
    // ANCHOR: check_interval
    /// What CPython's evaluation loop does between bytecodes: if the switch
    /// interval has passed and another thread waits, hand the lock over, queue
    /// behind the waiters, and return once it is our turn again.
    /// Returns whether the lock changed hands.
    pub fn check_interval(&mut self) -> bool {
        // The common case costs one atomic load: nobody waits, keep running.
        if self.lock.waiting() == 0 || self.since.elapsed() < self.lock.switch_interval {
            return false;
        }
        self.lock.handoffs.fetch_add(1, Ordering::Relaxed);
        self.record_running();
        self.lock.pass_and_requeue(); // a new ticket: behind everyone already waiting
        self.since = Instant::now();
        true
    }
    // ANCHOR_END: check_interval

    // ANCHOR: allow_threads
    /// Runs `blocking` (a read, a sleep, a socket call) with the lock released,
    /// then waits for the lock again, as CPython does around a blocking system
    /// call. Other threads run, or wait for their own I/O, in the meantime.
    pub fn allow_threads<T>(&mut self, blocking: impl FnOnce() -> T) -> T {
        self.release();
        let started = Instant::now();
        // If `blocking` panics we no longer hold the lock: `holding` is false,
        // so dropping `self` during unwinding does not release it twice.
        let out = blocking();
        self.lock
            .recorder
            .record(self.thread, started, Instant::now(), Activity::Waiting);
        self.lock.take_turn();
        self.reacquired();
        out
    }
    // ANCHOR_END: allow_threads

    /// The thread label this holder was acquired with.
    pub fn thread(&self) -> usize {
        self.thread
    }

    fn release(&mut self) {
        self.record_running();
        self.holding = false;
        self.lock.pass_turn();
    }

    // Called before passing the turn, so two holders' slices never overlap.
    fn record_running(&self) {
        self.lock
            .recorder
            .record(self.thread, self.since, Instant::now(), Activity::Running);
    }

    fn reacquired(&mut self) {
        self.since = Instant::now();
        self.holding = true;
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if self.holding {
            self.release();
        }
    }
}

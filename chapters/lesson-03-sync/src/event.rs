//! `threading.Event` is a flag that threads can wait for: `set()` raises it
//! and wakes every waiter, `clear()` lowers it, `wait()` returns at once if
//! it is up. Rust's standard library has no Event; a `Mutex` around the flag
//! and a `Condvar` to sleep on make one.
//!
//! One detail takes more than a bare `Mutex<bool>`: Python's `wait()` returns
//! `True` to a thread that was waiting when `set()` ran, even if `clear()`
//! ran before that thread woke up. A waiter that only re-checks the flag
//! would find it down and sleep again: a lost wake-up. Counting the sets
//! (a generation number) lets a waiter see that a set happened.

use std::thread;
use std::time::{Duration, Instant};

use crate::sync::{Condvar, Mutex, lock_ignoring_poison};

// ANCHOR: event
// ANCHOR: event_state
#[derive(Debug, Default)]
struct Flag {
    up: bool,
    /// How many times the flag went up: a waiter that saw this change was
    /// woken by a `set()`, even if the flag is down again by now.
    sets: u64,
    /// Threads inside `wait` right now (for demos and tests).
    waiting: usize,
}

/// A flag threads can wait for, like `threading.Event`.
#[derive(Debug, Default)]
pub struct Event {
    flag: Mutex<Flag>,
    changed: Condvar,
}
// ANCHOR_END: event_state

impl Event {
    pub fn new() -> Self {
        Self::default()
    }

    /// Raises the flag and wakes every waiting thread.
    pub fn set(&self) {
        let mut flag = lock_ignoring_poison(&self.flag);
        if !flag.up {
            flag.up = true;
            flag.sets += 1;
        }
        self.changed.notify_all(); // all of them: each waiter needs to know
    }

    /// Lowers the flag; later `wait` calls block again.
    pub fn clear(&self) {
        lock_ignoring_poison(&self.flag).up = false;
    }

    pub fn is_set(&self) -> bool {
        lock_ignoring_poison(&self.flag).up
    }

    /// Waits until the flag is set; returns at once if it already is.
    pub fn wait(&self) {
        self.wait_for(None);
    }

    /// Like `Event.wait(timeout)`: `true` if the flag was set, `false` if
    /// `timeout` passed first.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.wait_for(Some(timeout))
    }

    fn wait_for(&self, timeout: Option<Duration>) -> bool {
        let mut flag = lock_ignoring_poison(&self.flag);
        if flag.up {
            return true;
        }
        let seen = flag.sets;
        flag.waiting += 1;
        // Asleep until a set() happened since we looked: the condition
        // is re-checked after every wake-up, spurious ones included.
        let still_down = |f: &mut Flag| !f.up && f.sets == seen;
        let (mut flag, was_set) = match timeout {
            None => {
                let flag = self.changed.wait_while(flag, still_down);
                (flag.unwrap_or_else(|e| e.into_inner()), true)
            }
            Some(timeout) => {
                let waited = self.changed.wait_timeout_while(flag, timeout, still_down);
                let (flag, result) = waited.unwrap_or_else(|e| e.into_inner());
                (flag, !result.timed_out())
            }
        };
        flag.waiting -= 1;
        was_set
    }
}
// ANCHOR_END: event

impl Event {
    /// How many threads are blocked in `wait` or `wait_timeout` right now.
    pub fn waiting(&self) -> usize {
        lock_ignoring_poison(&self.flag).waiting
    }

    /// Waits, up to `patience`, until `n` threads are blocked in `wait`.
    /// Returns whether they got there.
    pub fn await_waiters(&self, n: usize, patience: Duration) -> bool {
        let deadline = Instant::now() + patience;
        while self.waiting() < n {
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(Duration::from_micros(200));
        }
        true
    }
}

/// What a starting-gun run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct StartRun {
    pub waiters: usize,
    /// Threads that returned from `wait` after `set()`.
    pub woken: usize,
    /// From `set()` to each waiter running again, sorted, in microseconds.
    pub wake_us: Vec<f64>,
}

// ANCHOR: starting_gun
/// `waiters` threads block on one event; once all are asleep in `wait`,
/// the main thread sets it once, and every one of them runs.
pub fn starting_gun(waiters: usize) -> StartRun {
    let go = Event::new();
    let mut set_at = None;
    let mut woke_at = thread::scope(|s| {
        let runners: Vec<_> = (0..waiters)
            .map(|_| {
                s.spawn(|| {
                    go.wait();
                    Instant::now()
                })
            })
            .collect();
        // Wait until they are all asleep (the demo's check, not needed for
        // correctness: a set() before a wait() is never missed either).
        go.await_waiters(waiters, Duration::from_secs(5));
        set_at = Some(Instant::now());
        go.set();
        runners
            .into_iter()
            .map(|r| r.join().unwrap())
            .collect::<Vec<_>>()
    });
    woke_at.sort();
    let set_at = set_at.expect("the event was set");
    StartRun {
        waiters,
        woken: woke_at.len(),
        wake_us: woke_at
            .iter()
            .map(|t| t.saturating_duration_since(set_at).as_secs_f64() * 1e6)
            .collect(),
    }
}
// ANCHOR_END: starting_gun

/// `set()` immediately followed by `clear()` while `waiters` threads wait
/// (with a timeout of `patience`): how many of them saw the set.
pub fn pulse(waiters: usize, patience: Duration) -> usize {
    let event = Event::new();
    thread::scope(|s| {
        let runners: Vec<_> = (0..waiters)
            .map(|_| s.spawn(|| event.wait_timeout(patience)))
            .collect();
        event.await_waiters(waiters, patience);
        event.set();
        event.clear();
        runners
            .into_iter()
            .map(|r| r.join().unwrap())
            .filter(|&woken| woken)
            .count()
    })
}

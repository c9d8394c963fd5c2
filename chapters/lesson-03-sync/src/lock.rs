//! `threading.Lock` is `std::sync::Mutex`: the lock and the data it guards are
//! one value, a guard is the only way in, and dropping the guard unlocks.
//!
//! Two things Python's lock does not have: the guard's scope is visible in the
//! code (no `release()` to forget), and a thread that panics while holding the
//! guard *poisons* the mutex, so the next thread learns that the data may be
//! half-updated instead of reading it as if nothing happened.

use std::panic;
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};
use std::thread;

/// Locks `m` even if a panicking thread poisoned it.
///
/// Right for data that no panic can leave half-updated, such as a counter
/// changed in a single statement; every primitive in this lesson uses it for
/// its own bookkeeping, so one panicking user thread can't break the others.
pub fn lock_ignoring_poison<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether another thread, asking right now, would find `m` locked.
///
/// Asks from a fresh thread with `try_lock`, which never waits.
pub fn locked_elsewhere<T: Send>(m: &Mutex<T>) -> bool {
    thread::scope(|s| {
        s.spawn(|| matches!(m.try_lock(), Err(TryLockError::WouldBlock)))
            .join()
            .expect("try_lock does not panic")
    })
}

/// Where the guard was, and whether the mutex was locked there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub place: &'static str,
    pub locked: bool,
}

// ANCHOR: guard_scope
/// Python's `with lock:` block, and the three ways a Rust guard's life ends.
pub fn guard_scope(shared: &Mutex<Vec<u32>>) -> Vec<Probe> {
    let mut probes = Vec::new();
    let mut probe = |place| {
        let locked = locked_elsewhere(shared);
        probes.push(Probe { place, locked });
    };
    {
        let mut list = shared.lock().unwrap(); // `with lock:` ...
        list.push(1);
        probe("inside the block that holds the guard");
    } // ... the guard is dropped at the closing brace: unlocked
    probe("after the block");

    shared.lock().unwrap().push(2); // a temporary guard: unlocked at the `;`
    probe("after a one-statement lock");

    let mut list = shared.lock().unwrap();
    list.push(3);
    probe("guard in a `let`, still in scope");
    drop(list); // unlock early, before the scope ends
    probe("after drop(guard)");
    probes
}
// ANCHOR_END: guard_scope

/// Two balances whose sum must never change: the invariant the lock protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ledger {
    pub checking: i64,
    pub savings: i64,
}

impl Ledger {
    pub fn total(&self) -> i64 {
        self.checking + self.savings
    }
}

/// Panics like `panic!(message)`, without printing the message: the panic
/// hook, which prints it, is skipped by `resume_unwind`. Poisoning works the
/// same either way; the tour's output just stays readable.
pub fn quiet_panic(message: &'static str) -> ! {
    panic::resume_unwind(Box::new(message))
}

// ANCHOR: poison
/// Moves `amount` from checking to savings. If the network fails half-way,
/// the money has left checking but never reaches savings.
pub fn transfer(ledger: &Mutex<Ledger>, amount: i64, network_fails: bool) {
    let mut books = ledger.lock().unwrap();
    books.checking -= amount;
    if network_fails {
        quiet_panic("network error before savings was credited");
    }
    books.savings += amount;
}

/// Runs a transfer on another thread that panics while holding the guard.
pub fn crash_mid_transfer(ledger: &Mutex<Ledger>, amount: i64) {
    thread::scope(|s| {
        let crashed = s.spawn(|| transfer(ledger, amount, true));
        // The guard was dropped while the thread unwound: the mutex is
        // unlocked again, and marked poisoned.
        assert!(crashed.join().is_err(), "the transfer thread panicked");
    });
}
// ANCHOR_END: poison

/// What the next user of a poisoned ledger saw and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub poisoned_after_crash: bool,
    pub lock_returned_err: bool,
    pub total_seen: i64,
    pub total_repaired: i64,
    pub poisoned_after_clear: bool,
}

// ANCHOR: recover
/// Finds the ledger poisoned, repairs the invariant, and clears the poison.
pub fn recover(ledger: &Mutex<Ledger>, expected_total: i64) -> Recovery {
    let poisoned_after_crash = ledger.is_poisoned();
    let (lock_returned_err, total_seen, total_repaired) = match ledger.lock() {
        Ok(books) => (false, books.total(), books.total()),
        Err(poisoned) => {
            // The error still holds the guard: take it and look at the data.
            let mut books = poisoned.into_inner();
            let seen = books.total();
            // Repair: put the missing money back where it came from.
            books.checking += expected_total - seen;
            (true, seen, books.total())
        }
    };
    // The data is consistent again: tell later users the mutex is healthy.
    ledger.clear_poison();
    Recovery {
        poisoned_after_crash,
        lock_returned_err,
        total_seen,
        total_repaired,
        poisoned_after_clear: ledger.is_poisoned(),
    }
}
// ANCHOR_END: recover

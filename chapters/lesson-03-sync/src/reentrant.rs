//! `threading.RLock` lets the thread that holds it lock it again; it counts
//! the levels and unlocks when the count returns to zero. `std::sync::Mutex`
//! is not re-entrant: locking it again on the thread that holds it is
//! documented to deadlock or panic, and which one is left unspecified.
//!
//! This module never does that. It asks with `try_lock`, which answers
//! `WouldBlock` at once, and then shows the idiomatic fix: lock once in the
//! public method and do the work in a helper that takes `&mut T`.
//! (`parking_lot::ReentrantMutex` exists; it hands out only `&T`, so the data
//! inside needs a `RefCell` as well. This course does not use it.)

use std::collections::BTreeMap;
use std::sync::{Mutex, TryLockError};

/// What a second lock on the same thread returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relock {
    /// `try_lock` said the mutex is held: here, by this very thread.
    WouldBlock,
    /// The mutex let the same thread in twice (a re-entrant lock would).
    Entered,
}

// ANCHOR: relock
/// Locks `m`, then asks for it again on the same thread.
pub fn relock_same_thread<T>(m: &Mutex<T>) -> Relock {
    let _held = m.lock().unwrap();
    // `m.lock()` here would never return (or would panic). try_lock never waits:
    match m.try_lock() {
        Ok(_) => Relock::Entered,
        Err(TryLockError::WouldBlock) => Relock::WouldBlock,
        Err(TryLockError::Poisoned(_)) => unreachable!("nobody panicked"),
    }
}
// ANCHOR_END: relock

/// The error the naive port reports instead of hanging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WouldDeadlock;

impl std::fmt::Display for WouldDeadlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the lock is already held (by the caller on this thread): lock() would hang")
    }
}

// ANCHOR: naive_port
/// The line-by-line port of the Python cart: `add_all` holds the lock and
/// calls `add`, which locks again. With an RLock that works; with a Mutex it
/// can't. (Single-threaded demo: here `WouldBlock` can only mean "my caller".)
#[derive(Debug, Default)]
pub struct NaiveCart {
    items: Mutex<BTreeMap<String, u32>>,
}

impl NaiveCart {
    pub fn add(&self, name: &str, quantity: u32) -> Result<(), WouldDeadlock> {
        // The real port says `self.items.lock().unwrap()` and hangs when
        // called from add_all; try_lock lets the demo report it instead.
        let mut items = self.items.try_lock().map_err(|_| WouldDeadlock)?;
        *items.entry(name.to_owned()).or_default() += quantity;
        Ok(())
    }

    pub fn add_all(&self, order: &[(&str, u32)]) -> Result<(), WouldDeadlock> {
        let _held = self.items.lock().unwrap(); // keep the whole order atomic...
        for &(name, quantity) in order {
            self.add(name, quantity)?; // ...then lock again inside add
        }
        Ok(())
    }
}
// ANCHOR_END: naive_port

// ANCHOR: cart
/// The fix: public methods lock once; the work lives in a helper that takes
/// the data itself, `&mut BTreeMap`, which only a lock holder can pass.
#[derive(Debug, Default)]
pub struct Cart {
    items: Mutex<BTreeMap<String, u32>>,
}

impl Cart {
    pub fn add(&self, name: &str, quantity: u32) {
        let mut items = self.items.lock().unwrap();
        add_locked(&mut items, name, quantity);
    }

    /// Adds a whole order atomically: nobody sees half of it.
    pub fn add_all(&self, order: &[(&str, u32)]) {
        let mut items = self.items.lock().unwrap();
        for &(name, quantity) in order {
            add_locked(&mut items, name, quantity); // no second lock
        }
    }

    /// Units in the cart, over all items.
    pub fn units(&self) -> u32 {
        self.items.lock().unwrap().values().sum()
    }

    /// Different items in the cart.
    pub fn lines(&self) -> usize {
        self.items.lock().unwrap().len()
    }
}

/// The shared step. It cannot lock (it has no mutex), so it cannot re-lock.
fn add_locked(items: &mut BTreeMap<String, u32>, name: &str, quantity: u32) {
    *items.entry(name.to_owned()).or_default() += quantity;
}
// ANCHOR_END: cart

//! Handing one value to another thread through two atomics: the value, then
//! a `ready` flag. The reader looks at the flag, and if it is up, reads the
//! value. This is correct only if the flag is stored with `Release` and
//! loaded with `Acquire`: those two make everything the writer did before
//! raising the flag visible to a reader that saw it raised.
//!
//! [`RelaxedHandoffWrong`] uses `Relaxed` for the flag: wrong on purpose. A
//! stress test on x86 cannot catch it (x86 keeps a core's stores in order and
//! its loads in order, so the reader never sees the flag before the value);
//! an ARM core may reorder them, and the compiler is allowed to. The loom
//! model checker explores what the memory model allows, not what this CPU
//! does, and finds the reader that sees the flag up and the value not yet
//! written (`tests/model.rs`, and `cargo run -p lesson-03-sync --features
//! model -- handoff --model`).

use crate::sync::atomic::{AtomicBool, AtomicU64, Ordering::*};

/// A one-shot slot: one thread `put`s a value, another `take`s it.
pub trait OneShot: Default + Sync {
    /// Stores `value`, then raises the flag.
    fn put(&self, value: u64);
    /// The value if the flag is up, else `None`.
    fn take(&self) -> Option<u64>;
}

// ANCHOR: wrong
/// WRONG, on purpose: the flag is stored and loaded with `Relaxed`.
#[derive(Debug, Default)]
pub struct RelaxedHandoffWrong {
    value: AtomicU64,
    ready: AtomicBool,
}

impl OneShot for RelaxedHandoffWrong {
    fn put(&self, value: u64) {
        self.value.store(value, Relaxed);
        self.ready.store(true, Relaxed); // WRONG: may be seen before the value
    }

    fn take(&self) -> Option<u64> {
        if self.ready.load(Relaxed) {
            Some(self.value.load(Relaxed)) // may still read the old value
        } else {
            None
        }
    }
}
// ANCHOR_END: wrong

// ANCHOR: right
/// The fix: a `Release` store of the flag, an `Acquire` load of it.
#[derive(Debug, Default)]
pub struct Handoff {
    value: AtomicU64,
    ready: AtomicBool,
}

impl OneShot for Handoff {
    fn put(&self, value: u64) {
        self.value.store(value, Relaxed);
        // Release: every write above is visible to whoever Acquires `true`.
        self.ready.store(true, Release);
    }

    fn take(&self) -> Option<u64> {
        if self.ready.load(Acquire) {
            Some(self.value.load(Relaxed)) // ordered after the Acquire: the value put
        } else {
            None
        }
    }
}
// ANCHOR_END: right

/// What a stress run saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StressRun {
    pub rounds: u64,
    /// Rounds where the reader saw the flag up but not the value put.
    pub stale: u64,
    /// Rounds where the reader got to the slot before the writer and found
    /// the flag down at first: the two threads really ran side by side.
    pub caught_up: u64,
}

// ANCHOR: stress
/// `rounds` hand-offs between two threads, as fast as they go: the writer
/// fills slot after slot, the reader follows right behind it, spinning on
/// each slot's flag and checking the value it then reads.
#[cfg(not(feature = "model"))]
pub fn stress<S: OneShot>(rounds: u64) -> StressRun {
    let slots: Vec<S> = (0..rounds).map(|_| S::default()).collect();
    // A start gate, so that neither thread is done before the other starts.
    let arrived = std::sync::atomic::AtomicUsize::new(0);
    let start = || {
        arrived.fetch_add(1, SeqCst);
        while arrived.load(SeqCst) < 2 {
            std::hint::spin_loop();
        }
    };
    let (stale, caught_up) = std::thread::scope(|s| {
        s.spawn(|| {
            start();
            for (i, slot) in slots.iter().enumerate() {
                slot.put(i as u64 + 1); // never 0, the value before any put
            }
        });
        let reader = s.spawn(|| {
            start();
            let (mut stale, mut caught_up) = (0, 0);
            for (i, slot) in slots.iter().enumerate() {
                let mut first = true;
                let value = loop {
                    match slot.take() {
                        Some(value) => break value,
                        None => std::hint::spin_loop(),
                    }
                    caught_up += u64::from(first);
                    first = false;
                };
                stale += u64::from(value != i as u64 + 1);
            }
            (stale, caught_up)
        });
        reader.join().unwrap()
    });
    StressRun {
        rounds,
        stale,
        caught_up,
    }
}
// ANCHOR_END: stress

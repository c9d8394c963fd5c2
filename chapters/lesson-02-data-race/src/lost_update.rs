//! The lost update, without undefined behaviour.
//!
//! A real data race (two threads writing a plain `u64` at once) is undefined
//! behaviour in Rust, and safe Rust will not compile one. What Python's
//! `counter += 1` suffers from is a *race condition* one level up: a read,
//! then a write based on what was read, with other writes landing in between.
//! We reproduce exactly that with an atomic `load` followed by an atomic
//! `store`: each step is well defined, the pair is not one step, and updates
//! get lost.

use crate::sync::atomic::{AtomicU64, Ordering::Relaxed};
use crate::sync::thread;

use crate::together;

/// One run of the racy counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trial {
    /// Increments the threads performed: threads x increments.
    pub expected: u64,
    /// What the counter read at the end.
    pub counted: u64,
}

impl Trial {
    /// Increments that were overwritten by another thread's stale write.
    pub fn lost(&self) -> u64 {
        self.expected - self.counted
    }

    /// [`Trial::lost`] as a percentage of the increments performed.
    pub fn lost_percent(&self) -> f64 {
        if self.expected == 0 {
            return 0.0;
        }
        100.0 * self.lost() as f64 / self.expected as f64
    }
}

// ANCHOR: racy
/// `threads` threads each add 1 to one shared counter `increments` times, the
/// way CPython runs `counter += 1`: read, add, write back, as separate steps.
///
/// With `widen`, every thread yields the CPU between its read and its write,
/// like the interpreter switching threads in the middle of the `+=`: that
/// makes lost updates frequent even on a machine with few cores.
pub fn racy_count(threads: usize, increments: u64, widen: bool) -> Trial {
    let counter = AtomicU64::new(0);
    together(threads, |_| {
        for _ in 0..increments {
            let seen = counter.load(Relaxed); // read (LOAD_GLOBAL)
            if widen {
                thread::yield_now(); // another thread may run, and add, here
            }
            counter.store(seen + 1, Relaxed); // write: erases any adds since the read
        }
    });
    Trial {
        expected: threads as u64 * increments,
        counted: counter.into_inner(),
    }
}
// ANCHOR_END: racy

/// [`racy_count`] repeated `trials` times.
pub fn trials(threads: usize, increments: u64, widen: bool, trials: usize) -> Vec<Trial> {
    (0..trials)
        .map(|_| racy_count(threads, increments, widen))
        .collect()
}

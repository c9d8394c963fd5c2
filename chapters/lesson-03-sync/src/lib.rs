//! Lesson 03: Python's synchronisation primitives and their Rust counterparts.
//!
//! One module per primitive, each with a runnable demo in `main.rs`:
//!
//! - [`lock`]: `threading.Lock` is `Mutex<T>`; guard scope; poisoning and recovery.
//! - [`reentrant`]: `RLock`, and why std's `Mutex` is not re-entrant.
//! - [`semaphore`]: a counting semaphore from `Mutex<usize>` + `Condvar`.
//! - [`condition`]: `Condition` is `Condvar`: wait in a loop, notify one or all.
//! - [`event`]: `Event` from a flag, a `Mutex` and a `Condvar`.
//! - [`handoff`]: a value handed over with a flag; the `Relaxed` bug a stress
//!   test misses and the model checker finds.
//! - [`barrier`]: `Barrier`, phase by phase, with a leader.
//! - [`bounded`]: a bounded buffer by hand vs crossbeam channels; backpressure.
//! - [`deadlock`]: deadlock by lock order, detected with deadlines, then fixed.
//! - [`scoped`] and [`channels`]: the modern tools: scoped threads, `select!`.
//! - [`python_map`]: the Python-to-Rust map.

pub mod barrier;
pub mod bounded;
pub mod channels;
pub mod condition;
pub mod deadlock;
pub mod event;
pub mod handoff;
pub mod lock;
pub mod python_map;
pub mod reentrant;
pub mod scoped;
pub mod semaphore;
pub mod sync;

/// `1 + 2 + ... + n`: what the consumers must add up to when nothing was
/// lost or taken twice.
pub fn triangle(n: u64) -> u64 {
    n * (n + 1) / 2
}

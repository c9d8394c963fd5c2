//! The `Mutex`, `Condvar` and atomics this lesson's primitives are built on:
//! std's, or with the `model` feature the loom model checker's, so that
//! `tests/model.rs` can run the very same code under every interleaving.

#[cfg(feature = "model")]
pub use model_sync::sync::{Condvar, Mutex, MutexGuard, atomic};
#[cfg(not(feature = "model"))]
pub use std::sync::{Condvar, Mutex, MutexGuard, atomic};

#[cfg(not(feature = "model"))]
pub use crate::lock::lock_ignoring_poison;

/// [`crate::lock::lock_ignoring_poison`] for the model checker's `Mutex`.
#[cfg(feature = "model")]
pub fn lock_ignoring_poison<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

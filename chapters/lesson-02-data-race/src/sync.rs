//! The `Mutex`, atomics and threads the counters are built on: std's, or
//! with the `model` feature the loom model checker's, so that
//! `tests/model.rs` can run the very same counters under every interleaving.

#[cfg(feature = "model")]
pub use model_sync::{sync::Mutex, sync::atomic, thread};
#[cfg(not(feature = "model"))]
pub use std::{sync::Mutex, sync::atomic, thread};

//! Lesson 01: what Python's GIL does to threads, measured with a simulated
//! interpreter lock, and why Rust threads need none.
//!
//! - [`interpreter_lock`]: a fair lock with a switch interval, and release around I/O;
//! - [`workload`]: CPU-bound and I/O-bound tasks run sequentially, as threads
//!   under the lock, and as free threads;
//! - [`timeline`]: who ran when, recorded and drawn as text;
//!
//! (Those three live in the `gil-sim` crate, which the lab shares, and are
//! re-exported here.)
//! - [`convoy`]: how a CPU-bound thread delays an I/O-bound one;
//! - [`pillars`]: threads vs processes vs async;
//! - [`no_gil`]: Send and Sync, and threads that share data without a lock;
//! - [`ways`]: the four ways CPython runs code at once, and share-nothing workers.

pub mod convoy;
pub mod no_gil;
pub mod pillars;
pub mod ways;

pub use gil_sim::{interpreter_lock, timeline, workload};

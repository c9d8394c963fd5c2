//! A simulated Python interpreter lock, shared by lesson 01 (which teaches
//! it) and the lab (which measures with it), so that neither depends on the
//! other.
//!
//! - [`interpreter_lock`]: a fair lock with a switch interval, and release around I/O;
//! - [`workload`]: CPU-bound and I/O-bound tasks run sequentially, as threads
//!   under the lock, and as free threads;
//! - [`timeline`]: who ran when, recorded and drawn as text.

pub mod interpreter_lock;
pub mod timeline;
pub mod workload;

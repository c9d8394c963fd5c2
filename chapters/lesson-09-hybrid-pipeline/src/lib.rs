//! Lesson 09: the hybrid pattern. An async I/O stage feeds a parallel CPU
//! stage through a bounded channel, and an aggregate stage folds the results:
//! Python's asyncio (or a thread pool) feeding a `ProcessPoolExecutor`, in Rust.
//!
//! - [`work`]: the CPU-bound transform of one body, calibrated in milliseconds;
//! - [`fetch`]: one GET, and which errors are fatal to the whole job;
//! - [`bridge`]: the async-to-blocking channel, bounded or not, with a depth gauge;
//! - [`stats`]: per-stage counters, utilisation, and each stage's limit;
//! - [`aggregate`]: the order-independent result;
//! - [`stop`]: the stop signal that Ctrl-C, tests and fatal errors share;
//! - [`pipeline`]: the stages wired together, run, joined, reported;
//! - [`variants`]: sequential, I/O-concurrent only, CPU-parallel only, and
//!   the pipeline, with the limit that the slowest stage predicts for each;
//! - [`scenario`]: the embedded server (lesson 08's) and its URLs;
//! - [`memory`]: peak resident memory.

pub mod aggregate;
pub mod bridge;
pub mod fetch;
pub mod memory;
pub mod pipeline;
pub mod scenario;
pub mod stats;
pub mod stop;
pub mod variants;
pub mod work;

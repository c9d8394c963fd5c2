//! Lesson 08: asyncio and aiohttp, in Rust: tokio and reqwest.
//!
//! Every demo fetches from an HTTP server embedded in this crate
//! ([`server`]), started on 127.0.0.1 with the latency and faults it needs,
//! or from a URL you give (`--url`).
//!
//! - [`server`]: the embedded server: latency, body size, failing and
//!   stalling paths, transient failures, and a count of requests in flight.
//! - [`fetch`]: one GET with reqwest, and its errors as data.
//! - [`gather`]: `asyncio.gather`: `join_all` and `JoinSet`.
//! - [`bounded`]: at most `n` at once: `Semaphore` and `buffer_unordered`.
//! - [`timeouts`]: a limit on each request, the cure for stalls.
//! - [`retry`]: exponential backoff with jitter.
//! - [`report`]: errors collected and counted by kind.
//! - [`robust`]: all of it together.
//! - [`blocking`]: blocking the event loop, measured, and `spawn_blocking`.
//! - [`scale`]: threads vs async tasks at 10 to 10,000 requests in flight.
//! - [`mod@bench`]: the benchmark, and the same in Python with aiohttp.
//! - [`system`]: open-file limits and peak memory.
//! - [`target`]: the embedded server or the user's URL.

pub mod bench;
pub mod blocking;
pub mod bounded;
pub mod fetch;
pub mod gather;
pub mod report;
pub mod retry;
pub mod robust;
pub mod scale;
pub mod target;
pub mod timeouts;

/// The embedded server, shared with lesson 09 and the exercises.
pub use loopback_http::server;

/// Open-file limits and memory readings, shared with other lessons.
pub use course_support::system;

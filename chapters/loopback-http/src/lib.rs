//! The loopback HTTP server every async demo, test and exercise fetches from,
//! and the client side that goes with it: shared by lessons 08 and 09 and
//! their exercises, so that none of them depends on another lesson.
//!
//! - [`server`]: the embedded server: latency, body size, failing and
//!   stalling paths, transient failures, and a count of requests in flight.
//! - [`client`]: a reqwest client for it, and a GET's errors as data.

pub mod client;
pub mod server;

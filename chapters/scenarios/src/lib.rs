//! Three systems, three ways: the seed's model-selection guide run and
//! measured. Each scenario's servers run as child processes (Rust's and
//! Python's alike) in process groups of their own, so their memory can be
//! read and nothing outlives a run.
//!
//! - [`web`]: a thread per connection, async, and pre-forked processes;
//! - [`collect`]: async sensor collection, and a CSV parsed by threads and processes;
//! - [`realtime`]: a WebSocket broadcast, and a frame loop's missed deadlines;
//! - [`load`]: the load generator and percentiles they share;
//! - [`procs`]: server processes, their memory, and clean-up on every exit;
//! - [`python_side`]: Python's counterparts.

pub mod collect;
pub mod load;
pub mod procs;
pub mod python_side;
pub mod realtime;
pub mod web;

//! The wire protocol between the pool and its worker processes: one JSON
//! object per line, requests on the worker's stdin, messages on its stdout.
//! Both the worker's loop (`worker.rs`) and a task's `print` (`remote.rs`)
//! speak it, so it lives here, below both: neither imports the other.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A chunk of work, as the parent writes it (borrowing the items).
#[derive(Debug, Serialize)]
pub(crate) struct RequestRef<'a, T> {
    pub chunk: usize,
    pub func: &'a str,
    pub items: &'a [T],
}

/// A chunk of work, as the worker reads it.
#[derive(Debug, Deserialize)]
pub(crate) struct Request {
    pub chunk: usize,
    pub func: String,
    pub items: Vec<Value>,
}

// ANCHOR: messages
/// Everything a worker says to the parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// Started and waiting for work.
    Ready { pid: u32 },
    /// A task printed a line.
    Print { pid: u32, line: String },
    /// The results of one chunk, in the chunk's order.
    Done {
        chunk: usize,
        pid: u32,
        results: Vec<Value>,
    },
}
// ANCHOR_END: messages

/// Writes one message as one line and flushes it.
pub(crate) fn send(out: &mut dyn Write, msg: &FromWorker) -> io::Result<()> {
    serde_json::to_writer(&mut *out, msg)?;
    out.write_all(b"\n")?;
    out.flush()
}

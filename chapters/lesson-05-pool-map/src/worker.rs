//! The worker process: what `lesson-05-pool-map child worker` runs.
//!
//! The protocol is one JSON object per line. The parent writes requests to
//! the worker's stdin; the worker writes messages to its stdout:
//!
//! ```text
//! parent -> worker   {"chunk":3,"func":"count_primes","items":[[0,10000],[10000,20000]]}
//! worker -> parent   {"Ready":{"pid":4242}}                      once, at start
//!                    {"Print":{"pid":4242,"line":"7"}}           from Ctx::print
//!                    {"Done":{"chunk":3,"pid":4242,"results":[1229,1033]}}
//! ```
//!
//! The worker exits by itself when its stdin closes: when the parent closes
//! the pool, and also when the parent dies, so a worker can never be
//! orphaned for long. A panic in a task ends the worker (exit code 101)
//! after printing one line on stderr, which the parent reports.

use std::io::{self, BufRead, Write};

use anyhow::{Context, Result, anyhow};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::remote::{Ctx, lookup};

/// A chunk of work, as the parent writes it (borrowing the items).
#[derive(Debug, Serialize)]
pub(crate) struct RequestRef<'a, T> {
    pub chunk: usize,
    pub func: &'a str,
    pub items: &'a [T],
}

/// A chunk of work, as the worker reads it.
#[derive(Debug, Deserialize)]
struct Request {
    chunk: usize,
    func: String,
    items: Vec<Value>,
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

// ANCHOR: worker_loop
/// Role `worker`: announce ourselves, then run chunks until stdin closes.
pub fn worker_role() -> Result<()> {
    let pid = std::process::id();
    std::panic::set_hook(Box::new(move |info| {
        let what = info.payload_as_str().unwrap_or("a panic without a message");
        let place = info
            .location()
            .map(|l| format!(" at {l}"))
            .unwrap_or_default();
        eprintln!("worker pid {pid} panicked{place}: {what}");
    }));
    let mut out = io::stdout().lock();
    send(&mut out, &FromWorker::Ready { pid })?;
    for line in io::stdin().lock().lines() {
        let line = line.context("reading a request")?;
        let req: Request = serde_json::from_str(&line).context("a malformed request")?;
        let f = lookup(&req.func).ok_or_else(|| anyhow!("no function named {:?}", req.func))?;
        let results = f(req.items, &mut Ctx { out: &mut out, pid }).map_err(|e| anyhow!(e))?;
        let done = FromWorker::Done {
            chunk: req.chunk,
            pid,
            results,
        };
        send(&mut out, &done).context("sending results: is the parent gone?")?;
    }
    Ok(()) // stdin closed: the pool is closing, or the parent is gone
}
// ANCHOR_END: worker_loop

//! The worker process: what `lesson-05-pool-map child worker` runs.
//!
//! The protocol ([`crate::protocol`]) is one JSON object per line. The parent writes requests to
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

use std::io::{self, BufRead};

use anyhow::{Context, Result, anyhow};

use crate::protocol::{FromWorker, Request, send};
use crate::remote::{Ctx, lookup};

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

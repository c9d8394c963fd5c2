//! The worker process: what `lesson-07-executors child worker` runs, and the
//! one-line-per-message protocol it speaks on its stdin and stdout.
//!
//! ```text
//! parent -> worker   {"id":3,"task":"count_primes","args":[0,100000]}
//! worker -> parent   {"id":3,"reply":{"Ok":9592}}
//! ```
//!
//! A worker runs one task at a time and catches panics, so only a real
//! crash (abort, exit, a signal) ends it early. It exits when its stdin
//! closes, which is how the pool tells it to stop, and soon after its
//! parent dies, so no path leaves it running.

use std::io::{self, BufRead, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::future::panic_message;
use crate::remote::{Reply, lookup};

/// The role name: `lesson-07-executors child worker`.
pub const ROLE: &str = "worker";

// ANCHOR: wire
/// One task, as the parent writes it on the worker's stdin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    pub task: String,
    pub args: Value,
}

/// The answer, as the worker writes it on its stdout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub id: u64,
    pub reply: Reply,
}
// ANCHOR_END: wire

/// Set while a task runs: its panics are caught and sent back, so the
/// default hook's message on stderr would only repeat them.
static IN_TASK: AtomicBool = AtomicBool::new(false);

// ANCHOR: worker_loop
/// Role `worker`: run requests from stdin until it closes.
pub fn worker_role() -> Result<()> {
    course_support::child::exit_when_orphaned();
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !IN_TASK.load(Ordering::Relaxed) {
            default_hook(info);
        }
    }));
    let mut out = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        let line = line.context("reading a request")?;
        let request: Request = serde_json::from_str(&line).context("a malformed request")?;
        let reply = run(&request.task, request.args);
        let response = Response {
            id: request.id,
            reply,
        };
        serde_json::to_writer(&mut out, &response)?;
        out.write_all(b"\n")?;
        out.flush()
            .context("sending a reply: is the parent gone?")?;
    }
    Ok(()) // stdin closed: the pool is shutting down
}

/// Looks the task up and runs it, catching a panic.
pub(crate) fn run(task: &str, args: Value) -> Reply {
    let Some(f) = lookup(task) else {
        return Reply::Refused(format!("no task named {task:?} in this worker"));
    };
    IN_TASK.store(true, Ordering::Relaxed);
    let reply = catch_unwind(AssertUnwindSafe(|| f(args)))
        .unwrap_or_else(|payload| Reply::Panicked(panic_message(&*payload)));
    IN_TASK.store(false, Ordering::Relaxed);
    reply
}
// ANCHOR_END: worker_loop

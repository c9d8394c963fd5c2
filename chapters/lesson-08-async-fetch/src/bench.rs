//! The benchmark: 10,000 requests, at most 1,000 at a time, against the
//! embedded server answering after 50 ms. With `c` requests always in
//! flight and each taking `L`, the best any client can do is `c / L`
//! requests per second (1,000 / 0.05 s = 20,000/s): the course's target is
//! 80% of that. The same run in Python with aiohttp, when it is installed,
//! against the same server.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result};
use course_support::interpreter::{self, Interpreter};
use course_support::python::{Program, Python};

use crate::scale::ClientRun;

/// The best requests per second that `concurrency` requests in flight, each
/// taking `latency`, can give: Little's law.
pub fn ideal_per_second(concurrency: usize, latency: Duration) -> f64 {
    if latency.is_zero() {
        return f64::INFINITY;
    }
    concurrency as f64 / latency.as_secs_f64()
}

/// The Python side (`python/aiohttp_client.py`): aiohttp with an
/// `asyncio.Semaphore`, in one process or several, printing one JSON line per
/// round shaped like [`ClientRun`].
pub const AIOHTTP_CLIENT: Program<'static> = Program {
    name: "aiohttp_client",
    main: include_str!("../python/aiohttp_client.py"),
    modules: &[],
};

/// How the Python client runs: what most code does, or the fastest
/// reasonable way on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PythonClient {
    /// Processes, each with its share of the requests and the concurrency.
    pub processes: usize,
    /// The event loop: uvloop where it is installed and asked for.
    pub uvloop: bool,
}

impl PythonClient {
    /// One process on asyncio's own loop: what the seeds and most code do.
    pub const IDIOMATIC: PythonClient = PythonClient {
        processes: 1,
        uvloop: false,
    };

    /// The row's label.
    pub fn label(self, version: &str) -> String {
        let lp = if self.uvloop { "uvloop" } else { "asyncio" };
        if self == Self::IDIOMATIC {
            format!("Python {version}: asyncio + aiohttp (idiomatic)")
        } else {
            format!(
                "Python {version}: aiohttp, {} processes, {lp} (like-for-like)",
                self.processes
            )
        }
    }
}

/// The interpreter to run the Python side with, if it has aiohttp; `Err`
/// is the one line to print instead. It prints the interpreter's line.
pub fn python_with_aiohttp(flag: Option<&Path>) -> Result<Interpreter, String> {
    let interp = interpreter::find(flag).map_err(|e| format!("{e} (and `pip install aiohttp`)"))?;
    println!("{}", interp.describe());
    if !has_module(&interp.python, "aiohttp") {
        return Err(format!(
            "Python {} has no aiohttp: `{} -m pip install aiohttp` to compare",
            interp.facts.version,
            interp.python.program().display()
        ));
    }
    Ok(interp)
}

/// What a client is asked to do: `rounds` rounds of `requests` requests,
/// at most `concurrency` at once, each given up after `timeout`; the whole
/// run is killed after `patience`.
#[derive(Debug, Clone, Copy)]
pub struct Batch {
    pub requests: usize,
    pub concurrency: usize,
    pub rounds: usize,
    pub timeout: Duration,
    pub patience: Duration,
}

/// Does `python` have the module `name`?
pub fn has_module(python: &Python, name: &str) -> bool {
    Command::new(python.program())
        .args(["-c", &format!("import {name}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs [`AIOHTTP_CLIENT`] the `client` way against `base_url` (killed,
/// with every process it started, after `patience`).
pub fn run_python(
    python: &Python,
    client: PythonClient,
    base_url: &str,
    batch: &Batch,
) -> Result<Vec<ClientRun>> {
    let args = [
        base_url.to_owned(),
        batch.requests.to_string(),
        batch.concurrency.to_string(),
        batch.rounds.to_string(),
        batch.timeout.as_secs_f64().to_string(),
        client.processes.to_string(),
        if client.uvloop { "uvloop" } else { "asyncio" }.to_owned(),
    ];
    let text = python.run_program(&AIOHTTP_CLIENT, args, batch.patience)?;
    crate::scale::parse_runs(&text).context("reading python's results")
}

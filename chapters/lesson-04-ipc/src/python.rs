//! The same measurements in Python, when `python3` is installed: a producer
//! process putting `(0, seq)` tuples on a `multiprocessing.Queue` (and
//! sending them through a `Pipe`), timed from the first message the parent
//! gets to the last, and the cost of starting a `Process` (or a `Thread`).
//! Beside those idiomatic ways, the like-for-like Python of the Rust rows:
//! `Pipe` with lists, and a byte pipe behind a `BufferedWriter`.
//! Like the Rust rows, each number is the fastest of 3 runs.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use course_support::interpreter::Interpreter;
use course_support::python::Program;

/// `python/ipc.py`, run as `python3 ipc.py MESSAGES STARTS BATCH`.
pub const PROGRAM: Program<'static> = Program {
    name: "ipc",
    main: include_str!("../python/ipc.py"),
    modules: &[],
};

/// What the Python run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct PythonRun {
    pub version: String,
    pub start_method: String,
    /// `Queue` messages per second.
    pub queue: f64,
    /// `Pipe` messages per second.
    pub pipe: f64,
    /// `Pipe` items per second when each `send` carries a list of `batch`.
    pub pipe_batched: f64,
    /// Frames per second through a byte pipe behind a `BufferedWriter`.
    pub byte_pipe: f64,
    /// `Queue` items per second when each `put` carries a list of `batch`.
    pub queue_batched: f64,
    /// Microseconds to start and join: `"thread"`, `"fork"`, `"spawn"`, ...
    pub start_us: BTreeMap<String, f64>,
    /// How many of each were started.
    pub starts: usize,
}

/// Runs [`PROGRAM`] with `messages` messages, `starts` process starts and
/// batches of `batch` items.
pub fn run(python: &Interpreter, messages: u64, starts: usize, batch: usize) -> Result<PythonRun> {
    let args = [messages.max(2), starts.max(1) as u64, batch.max(1) as u64];
    let out = python
        .python
        .run_program(&PROGRAM, args.map(|n| n.to_string()), HANG_LIMIT)?;
    let mut run = parse(&out)?;
    run.starts = starts.max(1);
    Ok(run)
}

/// Far longer than the script needs; only a hang gets there.
const HANG_LIMIT: Duration = Duration::from_secs(300);

fn parse(text: &str) -> Result<PythonRun> {
    let mut run = PythonRun {
        version: String::new(),
        start_method: String::new(),
        queue: 0.0,
        pipe: 0.0,
        queue_batched: 0.0,
        pipe_batched: 0.0,
        byte_pipe: 0.0,
        start_us: BTreeMap::new(),
        starts: 0,
    };
    for line in text.lines() {
        let Some((key, value)) = line.split_once(' ') else {
            continue;
        };
        let number = || value.trim().parse::<f64>().context("a number");
        match key {
            "version" => run.version = value.to_owned(),
            "start_method" => run.start_method = value.to_owned(),
            "queue" => run.queue = number()?,
            "pipe" => run.pipe = number()?,
            "queue_batched" => run.queue_batched = number()?,
            "pipe_batched" => run.pipe_batched = number()?,
            "byte_pipe" => run.byte_pipe = number()?,
            k => {
                if let Some(what) = k.strip_prefix("start_") {
                    run.start_us.insert(what.to_owned(), number()?);
                }
            }
        }
    }
    if run.queue <= 0.0 {
        bail!("the Python script printed no Queue rate:\n{text}");
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_script_output() {
        let run = parse(
            "version 3.12.1\nstart_method fork\nqueue 90000.5\npipe 200000\nqueue_batched 1e6\n\
             pipe_batched 2e6\nbyte_pipe 7e6\n\
             start_thread 50\nstart_fork 900\nstart_spawn 30000\n",
        )
        .unwrap();
        assert_eq!(run.version, "3.12.1");
        assert_eq!(run.start_method, "fork");
        assert_eq!(run.queue, 90000.5);
        assert_eq!(run.queue_batched, 1e6);
        assert_eq!((run.pipe_batched, run.byte_pipe), (2e6, 7e6));
        assert_eq!(run.start_us["spawn"], 30000.0);
        assert_eq!(run.start_us.len(), 3);
    }

    #[test]
    fn a_missing_rate_is_an_error() {
        assert!(parse("version 3.12.1\n").is_err());
    }
}

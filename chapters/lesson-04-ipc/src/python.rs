//! The same measurements in Python, when `python3` is installed: a producer
//! process putting `(0, seq)` tuples on a `multiprocessing.Queue` (and
//! sending them through a `Pipe`), timed from the first message the parent
//! gets to the last, and the cost of starting a `Process` (or a `Thread`).
//! Like the Rust rows, each number is the fastest of 3 runs.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use course_support::python::Python;

// ANCHOR: script
/// The Python side, written to a temporary file and run as
/// `python3 FILE MESSAGES STARTS BATCH` (a file, because the `spawn` start method
/// re-imports the main module in each child).
pub const SCRIPT: &str = r#"
import multiprocessing as mp, sys, threading, time

def put_all(q, n):
    for seq in range(n):
        q.put((0, seq))

def put_batches(q, n, b):
    for start in range(0, n, b):
        q.put([(0, seq) for seq in range(start, min(n, start + b))])

def send_all(conn, n):
    for seq in range(n):
        conn.send((0, seq))
    conn.close()

def nothing():
    pass

def rate(get, n):
    first = None
    for _ in range(n):
        get()
        if first is None:
            first = time.perf_counter()
    return (n - 1) / (time.perf_counter() - first)

def best_of(rounds, measure):
    return max(measure() for _ in range(rounds))

def queue_rate(n):
    q = mp.Queue()
    p = mp.Process(target=put_all, args=(q, n))
    p.start()
    r = rate(q.get, n)
    p.join()
    return r

def queue_batched_rate(n, batch):
    q = mp.Queue()
    p = mp.Process(target=put_batches, args=(q, n, batch))
    p.start()
    r = rate(q.get, (n + batch - 1) // batch) * batch
    p.join()
    return r

def pipe_rate(n):
    receiver, sender = mp.Pipe(duplex=False)
    p = mp.Process(target=send_all, args=(sender, n))
    p.start()
    sender.close()
    r = rate(receiver.recv, n)
    p.join()
    return r

def us_each(start, count, rounds=3):
    best = None
    for _ in range(rounds):
        t = time.perf_counter()
        for _ in range(count):
            unit = start()
            unit.start()
            unit.join()
        took = time.perf_counter() - t
        best = took if best is None else min(best, took)
    return best / count * 1e6

if __name__ == "__main__":
    n, starts, batch = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    print("version", sys.version.split()[0])
    print("start_method", mp.get_start_method())
    print("queue", best_of(3, lambda: queue_rate(n)))
    print("queue_batched", best_of(3, lambda: queue_batched_rate(n, batch)))
    print("pipe", best_of(3, lambda: pipe_rate(n)))
    print("start_thread", us_each(lambda: threading.Thread(target=nothing), starts))
    for method in mp.get_all_start_methods():
        ctx = mp.get_context(method)
        print("start_" + method, us_each(lambda: ctx.Process(target=nothing), starts))
"#;
// ANCHOR_END: script

/// What the Python run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct PythonRun {
    pub version: String,
    pub start_method: String,
    /// `Queue` messages per second.
    pub queue: f64,
    /// `Pipe` messages per second.
    pub pipe: f64,
    /// `Queue` items per second when each `put` carries a list of `batch`.
    pub queue_batched: f64,
    /// Microseconds to start and join: `"thread"`, `"fork"`, `"spawn"`, ...
    pub start_us: BTreeMap<String, f64>,
    /// How many of each were started.
    pub starts: usize,
}

/// `python3 --version`, or `None` if it can't be run.
pub fn python3_version() -> Option<String> {
    Python::python3().version()
}

/// Runs [`SCRIPT`] with `messages` messages, `starts` process starts and
/// batches of `batch` items.
pub fn run(messages: u64, starts: usize, batch: usize) -> Result<PythonRun> {
    let args = [messages.max(2), starts.max(1) as u64, batch.max(1) as u64];
    let out = Python::python3().run_script(
        "lesson-04-ipc",
        SCRIPT,
        args.map(|n| n.to_string()),
        HANG_LIMIT,
    )?;
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
             start_thread 50\nstart_fork 900\nstart_spawn 30000\n",
        )
        .unwrap();
        assert_eq!(run.version, "3.12.1");
        assert_eq!(run.start_method, "fork");
        assert_eq!(run.queue, 90000.5);
        assert_eq!(run.queue_batched, 1e6);
        assert_eq!(run.start_us["spawn"], 30000.0);
        assert_eq!(run.start_us.len(), 3);
    }

    #[test]
    fn a_missing_rate_is_an_error() {
        assert!(parse("version 3.12.1\n").is_err());
    }
}

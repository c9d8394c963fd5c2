//! The same prime count in Python, when `python3` is installed: one
//! process, a `ThreadPool` (threads under the GIL) and a
//! `multiprocessing.Pool`, over the same blocks in the same chunks.

use std::time::Duration;

use anyhow::{Context, Result};
use course_support::python::Python;

// ANCHOR: script
/// The Python side, written to a temporary file and run as
/// `python3 FILE LIMIT BLOCKS CHUNK WORKERS` (a file, because the `spawn`
/// start method imports the main module again in every worker).
pub const SCRIPT: &str = r#"
import sys, time
from multiprocessing import Pool
from multiprocessing.pool import ThreadPool

def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True

def count_primes(block):
    start, end = block
    return sum(1 for n in range(start, end) if is_prime(n))

def timed(label, run):
    t = time.perf_counter()
    total = run()
    print(label, (time.perf_counter() - t) * 1e3, total, flush=True)

if __name__ == "__main__":
    limit, count, chunk, workers = (int(a) for a in sys.argv[1:5])
    blocks = [(limit * i // count, limit * (i + 1) // count) for i in range(count)]
    print("version", sys.version.split()[0])
    def with_pool(make):
        with make(workers) as pool:
            return sum(pool.map(count_primes, blocks, chunk))
    timed("processes", lambda: with_pool(Pool))
    timed("threads", lambda: with_pool(ThreadPool))
    timed("sequential", lambda: sum(map(count_primes, blocks)))
"#;
// ANCHOR_END: script

/// One row of the Python run.
#[derive(Debug, Clone, PartialEq)]
pub struct PythonRow {
    pub ms: f64,
    pub primes: u64,
}

/// What the Python run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct PythonRun {
    pub version: String,
    pub sequential: PythonRow,
    pub threads: PythonRow,
    pub processes: PythonRow,
}

/// `python3 --version`, or `None` if it can't be run.
pub fn python3_version() -> Option<String> {
    Python::python3().version()
}

/// Runs [`SCRIPT`]: the primes below `limit` in `blocks` blocks, `chunk`
/// blocks per task, `workers` threads or processes.
pub fn run(limit: u64, blocks: usize, chunk: usize, workers: usize) -> Result<PythonRun> {
    let args = [limit, blocks as u64, chunk as u64, workers as u64];
    let out = Python::python3().run_script(
        "lesson-05-pool-map",
        SCRIPT,
        args.map(|n| n.to_string()),
        HANG_LIMIT,
    )?;
    parse(&out)
}

/// Far longer than the script needs; only a hang gets there.
const HANG_LIMIT: Duration = Duration::from_secs(600);

fn parse(text: &str) -> Result<PythonRun> {
    let mut version = String::new();
    let mut rows = std::collections::HashMap::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["version", v] => version = (*v).to_owned(),
            [label, ms, primes] => {
                let row = PythonRow {
                    ms: ms
                        .parse()
                        .with_context(|| format!("milliseconds in {line:?}"))?,
                    primes: primes
                        .parse()
                        .with_context(|| format!("a count in {line:?}"))?,
                };
                rows.insert((*label).to_owned(), row);
            }
            _ => {}
        }
    }
    let mut take = |label: &str| {
        rows.remove(label)
            .with_context(|| format!("the Python script printed no {label} row:\n{text}"))
    };
    Ok(PythonRun {
        sequential: take("sequential")?,
        threads: take("threads")?,
        processes: take("processes")?,
        version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_script_output() {
        let run = parse(
            "version 3.11.7\nprocesses 2500.5 148933\nthreads 5100 148933\nsequential 5000.25 148933\n",
        )
        .unwrap();
        assert_eq!(run.version, "3.11.7");
        assert_eq!(run.sequential.ms, 5000.25);
        assert_eq!(run.processes.primes, 148_933);
    }

    #[test]
    fn a_missing_row_is_an_error() {
        assert!(parse("version 3.11.7\nsequential 1 2\n").is_err());
    }
}

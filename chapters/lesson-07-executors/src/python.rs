//! The same measurements with Python's own executors, when `python3` is
//! installed: microseconds per do-nothing task on `ThreadPoolExecutor` and
//! `ProcessPoolExecutor`, and the prime-count batch on both.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result};
use course_support::python::Python;

// ANCHOR: script
/// Run as `python3 FILE WORKERS TASKS PROCESS_TASKS LIMIT BLOCKS` (a file,
/// because the `spawn` and `forkserver` start methods re-import the main
/// module in every worker).
pub const SCRIPT: &str = r#"
import sys, time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

def echo(x):
    return x

def count_primes(block):
    start, end = block
    count = 0
    for n in range(max(start, 2), end):
        if n % 2 == 0:
            count += n == 2
            continue
        d = 3
        while d * d <= n:
            if n % d == 0:
                break
            d += 2
        else:
            count += 1
    return count

def us_per_task(executor, n):
    t = time.perf_counter()
    futures = [executor.submit(echo, i) for i in range(n)]
    assert sum(f.result() for f in futures) == n * (n - 1) // 2
    return (time.perf_counter() - t) / n * 1e6

def seconds(run):
    t = time.perf_counter()
    total = run()
    return total, time.perf_counter() - t

if __name__ == "__main__":
    workers, tasks, ptasks, limit, nblocks = map(int, sys.argv[1:6])
    print("version", sys.version.split()[0])
    with ThreadPoolExecutor(workers) as ex:
        us_per_task(ex, 100)
        print("threads_us", us_per_task(ex, tasks))
    with ProcessPoolExecutor(workers) as ex:
        us_per_task(ex, workers * 4)
        print("processes_us", us_per_task(ex, ptasks))
    blocks = [(limit * i // nblocks, limit * (i + 1) // nblocks) for i in range(nblocks)]
    primes, s = seconds(lambda: sum(map(count_primes, blocks)))
    print("cpu_sequential_s", s)
    with ThreadPoolExecutor(workers) as ex:
        p, s = seconds(lambda: sum(ex.map(count_primes, blocks)))
        assert p == primes
        print("cpu_threads_s", s)
    with ProcessPoolExecutor(workers) as ex:
        list(ex.map(echo, range(workers * 4)))
        p, s = seconds(lambda: sum(ex.map(count_primes, blocks)))
        assert p == primes
        print("cpu_processes_s", s)
"#;
// ANCHOR_END: script

/// What the Python run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct PythonRun {
    pub version: String,
    pub threads_us: f64,
    pub processes_us: f64,
    pub cpu_sequential_s: f64,
    pub cpu_threads_s: f64,
    pub cpu_processes_s: f64,
}

/// `python3 --version`, or `None` when there is no python3.
pub fn version() -> Option<String> {
    Python::python3().version()
}

/// Runs [`SCRIPT`] (killing it after `limit_time`).
pub fn run(
    workers: usize,
    tasks: usize,
    process_tasks: usize,
    limit: u64,
    blocks: usize,
    limit_time: Duration,
) -> Result<PythonRun> {
    let args = [
        workers as u64,
        tasks as u64,
        process_tasks as u64,
        limit,
        blocks as u64,
    ];
    let out = Python::python3().run_script(
        "lesson-07-executors",
        SCRIPT,
        args.map(|n| n.to_string()),
        limit_time,
    )?;
    parse(&out)
}

fn parse(out: &str) -> Result<PythonRun> {
    let fields: BTreeMap<&str, &str> = out.lines().filter_map(|l| l.split_once(' ')).collect();
    let text = |k: &str| {
        fields
            .get(k)
            .copied()
            .with_context(|| format!("python printed no {k}"))
    };
    let num = |k: &str| -> Result<f64> { Ok(text(k)?.trim().parse()?) };
    Ok(PythonRun {
        version: text("version")?.to_owned(),
        threads_us: num("threads_us")?,
        processes_us: num("processes_us")?,
        cpu_sequential_s: num("cpu_sequential_s")?,
        cpu_threads_s: num("cpu_threads_s")?,
        cpu_processes_s: num("cpu_processes_s")?,
    })
}

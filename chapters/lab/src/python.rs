//! The same workload in Python, side by side: a `for` loop, a
//! `ThreadPoolExecutor` (the real GIL), a `ProcessPoolExecutor` and asyncio,
//! each task defined exactly as in [`crate::task`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use course_support::python::Python;

use crate::modes::Mode;
use crate::task::TaskSpec;

/// The Python side, run as
/// `python3 FILE TASKS WORKERS IN_FLIGHT NUMBERS IO_US REPEAT MODES`; each
/// mode runs REPEAT times and prints its median.
/// A file rather than `-c`, because `spawn` children re-import the main module.
/// (The `# ANCHOR` comments let the book include the Python alone.)
pub const SCRIPT: &str = r#"
# ANCHOR: py_script
import asyncio, sys, time
from concurrent.futures import ThreadPoolExecutor, ProcessPoolExecutor

NUMBERS, IO = 0, 0.0

def setup(numbers, io):
    global NUMBERS, IO
    NUMBERS, IO = numbers, io

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

def compute(i):
    start = 1_000_000 + (i * 7_919) % 1_000_000
    return sum(1 for n in range(start, start + NUMBERS) if is_prime(n))

def task(i):
    if IO:
        time.sleep(IO)          # releases the GIL while it waits
    return compute(i)           # holds the GIL while it computes

async def run_async(tasks, in_flight):
    gate = asyncio.Semaphore(in_flight)
    async def one(i):
        async with gate:
            if IO:
                await asyncio.sleep(IO)
            return compute(i)   # blocks the event loop, like any CPU work
    return sum(await asyncio.gather(*(one(i) for i in range(tasks))))

def median_ms(f, repeat):
    times, primes = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        primes = f()
        times.append((time.perf_counter() - t) * 1e3)
    return sorted(times)[len(times) // 2], primes

if __name__ == "__main__":
    tasks, workers, in_flight, numbers, io_us, repeat = map(int, sys.argv[1:7])
    setup(numbers, io_us / 1e6)
    print("version", sys.version.split()[0])

    def threads():
        with ThreadPoolExecutor(workers) as pool:
            return sum(pool.map(task, range(tasks)))

    def processes():
        chunk = max(1, min(1024, tasks // (8 * workers)))   # as the lab's pool
        with ProcessPoolExecutor(workers, initializer=setup, initargs=(numbers, io_us / 1e6)) as pool:
            return sum(pool.map(task, range(tasks), chunksize=chunk))

    runs = {
        "sequential": lambda: sum(map(task, range(tasks))),
        "gil-threads": threads,
        "processes": processes,
        "async": lambda: asyncio.run(run_async(tasks, in_flight)),
    }
    for mode in sys.argv[7].split(","):
        ms, primes = median_ms(runs[mode], repeat)
        print(mode, ms, primes, flush=True)
# ANCHOR_END: py_script
"#;

/// The line printed when there is no Python to compare with.
pub use course_support::python::MISSING;

/// Which Python to run: `--python-bin`, else `LAB_PYTHON`, else `python3`.
pub fn interpreter(flag: Option<&Path>) -> PathBuf {
    flag.map(Path::to_path_buf)
        .or_else(|| std::env::var_os("LAB_PYTHON").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("python3"))
}

/// `python --version`, or `None` if it can't be run.
pub fn version(python: &Path) -> Option<String> {
    Python::at(python).version()
}

/// One mode's Python result.
#[derive(Debug, Clone, PartialEq)]
pub struct PyRun {
    pub mode: Mode,
    pub ms: f64,
    pub primes: u64,
}

/// What the Python side measured.
#[derive(Debug, Clone, PartialEq)]
pub struct PyBench {
    pub version: String,
    pub tasks: u64,
    pub runs: Vec<PyRun>,
}

/// Runs [`SCRIPT`] on `tasks` tasks of `spec` in each of `modes` that
/// Python has (sequential, gil-threads, processes, async).
pub fn run(
    python: &Path,
    spec: &TaskSpec,
    tasks: u64,
    workers: usize,
    in_flight: usize,
    repeat: usize,
    modes: &[Mode],
) -> Result<PyBench> {
    let keys: Vec<&str> = modes
        .iter()
        .filter(|m| {
            matches!(
                m,
                Mode::Sequential | Mode::GilThreads | Mode::Processes | Mode::Async
            )
        })
        .map(|m| m.key())
        .collect();
    let args = [
        tasks.to_string(),
        workers.to_string(),
        in_flight.to_string(),
        spec.numbers.to_string(),
        spec.io.as_micros().to_string(),
        repeat.max(1).to_string(),
        keys.join(","),
    ];
    let out = Python::at(python).run_script("lab-bench", SCRIPT, args, HANG_LIMIT)?;
    parse(&out, tasks)
}

/// Far longer than any sensible run; only a hang gets there.
const HANG_LIMIT: Duration = Duration::from_secs(1800);

fn parse(text: &str, tasks: u64) -> Result<PyBench> {
    let mut bench = PyBench {
        version: String::new(),
        tasks,
        runs: Vec::new(),
    };
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["version", v] => bench.version = (*v).to_owned(),
            [key, ms, primes] => {
                let mode =
                    Mode::from_key(key).with_context(|| format!("unknown mode in {line:?}"))?;
                bench.runs.push(PyRun {
                    mode,
                    ms: ms.parse().with_context(|| format!("ms in {line:?}"))?,
                    primes: primes
                        .parse()
                        .with_context(|| format!("primes in {line:?}"))?,
                });
            }
            _ => {}
        }
    }
    if bench.runs.is_empty() {
        bail!("the Python script printed no results:\n{text}");
    }
    Ok(bench)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_script_output() {
        let b = parse(
            "version 3.12.1\nsequential 100.5 42\ngil-threads 101 42\n",
            10,
        )
        .unwrap();
        assert_eq!(b.version, "3.12.1");
        assert_eq!(b.runs.len(), 2);
        assert_eq!(b.runs[1].mode, Mode::GilThreads);
        assert_eq!(b.runs[1].primes, 42);
        assert!(parse("version 3\n", 10).is_err());
    }
}

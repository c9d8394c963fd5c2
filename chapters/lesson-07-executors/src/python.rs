//! The same measurements with Python's own executors, when `python3` is
//! installed: microseconds per do-nothing task on `ThreadPoolExecutor` and
//! `ProcessPoolExecutor`, and the prime-count batch on both.

use std::collections::BTreeMap;
use std::io::Read;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use course_support::child::{ChildGuard, describe};

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
    let out = Command::new("python3").arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
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
    let dir = std::env::temp_dir().join(format!("lesson-07-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("executors.py");
    std::fs::write(&file, SCRIPT)?;
    let result = run_file(
        &file,
        workers,
        tasks,
        process_tasks,
        limit,
        blocks,
        limit_time,
    );
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run_file(
    file: &std::path::Path,
    workers: usize,
    tasks: usize,
    process_tasks: usize,
    limit: u64,
    blocks: usize,
    limit_time: Duration,
) -> Result<PythonRun> {
    let mut cmd = Command::new("python3");
    cmd.arg(file)
        .args([workers, tasks, process_tasks].map(|n| n.to_string()))
        .arg(limit.to_string())
        .arg(blocks.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = ChildGuard::spawn(&mut cmd).context("starting python3")?;
    let mut stdout = child.child_mut().stdout.take().context("no stdout")?;
    let mut stderr = child.child_mut().stderr.take().context("no stderr")?;
    let out = thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err = thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let Some(status) = child.wait_timeout(limit_time)? else {
        child.kill()?; // the guard would too; this unblocks the readers first
        bail!("python3 took longer than {limit_time:?}; killed it");
    };
    let (out, err) = (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    );
    if !status.success() {
        bail!("python3 failed ({}): {}", describe(status), err.trim());
    }
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

//! The benchmark: 10,000 requests, at most 1,000 at a time, against the
//! embedded server answering after 50 ms. With `c` requests always in
//! flight and each taking `L`, the best any client can do is `c / L`
//! requests per second (1,000 / 0.05 s = 20,000/s): the course's target is
//! 80% of that. The same run in Python with aiohttp, when it is installed,
//! against the same server.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use course_support::interpreter::{self, Interpreter};
use course_support::python::Python;

use crate::scale::ClientRun;

/// The best requests per second that `concurrency` requests in flight, each
/// taking `latency`, can give: Little's law.
pub fn ideal_per_second(concurrency: usize, latency: Duration) -> f64 {
    if latency.is_zero() {
        return f64::INFINITY;
    }
    concurrency as f64 / latency.as_secs_f64()
}

// ANCHOR: python
/// The Python side: aiohttp with an `asyncio.Semaphore`, printing one JSON
/// line shaped like [`ClientRun`].
pub const AIOHTTP_CLIENT: &str = r#"
import asyncio, json, resource, sys, time

import aiohttp


def kib(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def batch(session, base, requests, concurrency):
    rss_before = kib("VmRSS")
    cpu_before = cpu()
    limit = asyncio.Semaphore(concurrency)
    ok = failed = 0
    first_error = None

    async def fetch(i):
        nonlocal ok, failed, first_error
        async with limit:
            try:
                async with session.get(f"{base}/item/{i}") as resp:
                    await resp.read()
                    if resp.status == 200:
                        ok += 1
                        return
                    error = f"HTTP status {resp.status}"
            except Exception as e:
                error = repr(e)
            failed += 1
            first_error = first_error or error

    start = time.perf_counter()
    await asyncio.gather(*(fetch(i) for i in range(requests)))
    elapsed = time.perf_counter() - start
    return {
        "mode": "python-aiohttp", "requests": requests, "ok": ok, "failed": failed,
        "first_error": first_error, "started": requests, "spawn_error": None,
        "elapsed_s": elapsed, "rss_before_kib": rss_before,
        "peak_rss_kib": kib("VmHWM"), "threads_in_flight": kib("Threads"),
        "cpu_s": cpu() - cpu_before,
    }


async def main(base, requests, concurrency, rounds, timeout_s):
    connector = aiohttp.TCPConnector(limit=concurrency)   # aiohttp's default is 100
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    # One session for all rounds: the first opens the connections, later ones reuse them.
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        for _ in range(rounds):
            print(json.dumps(await batch(session, base, requests, concurrency)), flush=True)


asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])))
"#;
// ANCHOR_END: python

/// The interpreter to run the Python side with, if it has aiohttp; `Err`
/// is the one line to print instead. It prints the interpreter's line.
pub fn python_with_aiohttp(flag: Option<&Path>) -> Result<Interpreter, String> {
    let interp = interpreter::find(flag).map_err(|e| format!("{e} (and `pip install aiohttp`)"))?;
    println!("{}", interp.describe());
    let has_aiohttp = Command::new(interp.python.program())
        .args(["-c", "import aiohttp"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_aiohttp {
        return Err(format!(
            "Python {} has no aiohttp: `{} -m pip install aiohttp` to compare",
            interp.facts.version,
            interp.python.program().display()
        ));
    }
    Ok(interp)
}

/// Runs [`AIOHTTP_CLIENT`] against `base_url` (killed after `patience`).
pub fn run_python(
    python: &Python,
    base_url: &str,
    requests: usize,
    concurrency: usize,
    rounds: usize,
    timeout: Duration,
    patience: Duration,
) -> Result<Vec<ClientRun>> {
    let mut cmd = Command::new(python.program());
    cmd.args(["-", base_url])
        .arg(requests.to_string())
        .arg(concurrency.to_string())
        .arg(rounds.to_string())
        .arg(timeout.as_secs_f64().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child =
        course_support::child::ChildGuard::spawn(&mut cmd).context("starting Python")?;
    {
        let mut stdin = child.child_mut().stdin.take().context("python's stdin")?;
        stdin.write_all(AIOHTTP_CLIENT.as_bytes())?;
    } // closing stdin lets python run the script
    let mut stdout = child.child_mut().stdout.take().context("python's stdout")?;
    let reader = thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let Some(status) = child.wait_timeout(patience)? else {
        child.kill()?;
        bail!(
            "the Python client took longer than {} s and was killed",
            patience.as_secs()
        );
    };
    let text = reader
        .join()
        .map_err(|_| anyhow::anyhow!("reader panicked"))??;
    if !status.success() {
        bail!(
            "the Python client failed ({})",
            course_support::child::describe(status)
        );
    }
    crate::scale::parse_runs(&text).context("reading python's results")
}

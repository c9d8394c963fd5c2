//! Threads vs async at 10, 100, 1,000 and 10,000 requests in flight.
//!
//! The same HTTP/1.1 GET, written by hand, done three ways:
//!
//! - **threads**: one OS thread per request, each blocking in
//!   `std::net::TcpStream` (Python: a `threading.Thread` per URL with
//!   `requests.get`);
//! - **tasks**: one tokio task per request on a runtime with a thread per
//!   core, each awaiting `tokio::net::TcpStream` (Python: a coroutine per URL);
//! - **reqwest**: one tokio task per request with reqwest, the client a real
//!   program would use (Python: aiohttp).
//!
//! Each way runs in a child process of its own (this program again, in a
//! role), so its peak memory (`VmHWM`) is its own and the server, which
//! stays in the parent, is not counted.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::bounded::{Deadline, with_buffer_unordered};
use crate::fetch::{FetchError, loopback_client};
use crate::system::{cpu_time, peak_rss_kib, rss_kib, threads_now};

/// How the requests are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Threads,
    Tasks,
    Reqwest,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Threads, Mode::Tasks, Mode::Reqwest];

    /// The name used on the command line (`--mode`).
    pub fn name(self) -> &'static str {
        match self {
            Mode::Threads => "threads",
            Mode::Tasks => "tasks",
            Mode::Reqwest => "reqwest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Mode::Threads => "OS thread per request (std TcpStream)",
            Mode::Tasks => "tokio task per request (tokio TcpStream)",
            Mode::Reqwest => "tokio task per request (reqwest)",
        }
    }

    pub fn from_name(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == name)
    }
}

// ANCHOR: raw_request
/// The whole request: a GET that asks the server to close the connection
/// after answering, so "read until end of stream" reads exactly one answer.
pub fn request_text(addr: SocketAddr, path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
}

/// Status code and body length of a raw HTTP/1.1 answer.
pub fn parse_response(raw: &[u8]) -> Result<(u16, usize), FetchError> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| FetchError::Body(format!("no end of headers in {} bytes", raw.len())))?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| FetchError::Body(format!("no status line: {:?}", head.lines().next())))?;
    Ok((status, raw.len() - end - 4))
}
// ANCHOR_END: raw_request

fn checked((status, bytes): (u16, usize)) -> Result<usize, FetchError> {
    if (200..300).contains(&status) {
        Ok(bytes)
    } else {
        Err(FetchError::Status(status))
    }
}

fn io_error(e: io::Error, limit: Duration) -> FetchError {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => FetchError::Timeout(limit),
        io::ErrorKind::ConnectionRefused
        | io::ErrorKind::AddrNotAvailable
        | io::ErrorKind::HostUnreachable
        | io::ErrorKind::NetworkUnreachable => FetchError::Connect(e.to_string()),
        _ => FetchError::Body(e.to_string()),
    }
}

// ANCHOR: get_blocking
/// GET `path` from `addr` on this thread, blocking; the body's length.
/// Every step is limited by `limit`, so a dead server cannot hang it.
pub fn get_blocking(addr: SocketAddr, path: &str, limit: Duration) -> Result<usize, FetchError> {
    let err = |e| io_error(e, limit);
    let mut stream = TcpStream::connect_timeout(&addr, limit).map_err(err)?;
    stream.set_read_timeout(Some(limit)).map_err(err)?;
    stream.set_write_timeout(Some(limit)).map_err(err)?;
    stream
        .write_all(request_text(addr, path).as_bytes())
        .map_err(err)?;
    let mut raw = Vec::with_capacity(512);
    stream.read_to_end(&mut raw).map_err(err)?; // the thread sleeps here
    checked(parse_response(&raw)?)
}
// ANCHOR_END: get_blocking

// ANCHOR: get_async
/// The same GET as a future: identical steps, each one an `.await` where
/// the task gives its thread back instead of sleeping on it.
pub async fn get_async(addr: SocketAddr, path: &str, limit: Duration) -> Result<usize, FetchError> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream
            .write_all(request_text(addr, path).as_bytes())
            .await?;
        let mut raw = Vec::with_capacity(512);
        stream.read_to_end(&mut raw).await?; // the task waits here, the thread does not
        Ok::<_, io::Error>(raw)
    };
    match tokio::time::timeout(limit, exchange).await {
        Ok(Ok(raw)) => checked(parse_response(&raw)?),
        Ok(Err(e)) => Err(io_error(e, limit)),
        Err(_) => Err(FetchError::Timeout(limit)),
    }
}
// ANCHOR_END: get_async

/// What one client run did: printed by a child as one JSON line.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientRun {
    pub mode: String,
    pub requests: usize,
    pub ok: usize,
    pub failed: usize,
    pub first_error: Option<String>,
    /// Threads or tasks actually started (fewer than `requests` if
    /// spawning failed).
    pub started: usize,
    /// Why spawning stopped early, if it did.
    pub spawn_error: Option<String>,
    pub elapsed_s: f64,
    /// Resident memory before the requests started, KiB.
    pub rss_before_kib: Option<u64>,
    /// Peak resident memory of the process, KiB.
    pub peak_rss_kib: Option<u64>,
    /// OS threads in the process while the requests were in flight.
    pub threads_in_flight: Option<u64>,
    /// CPU time the process used during the run (user + system), seconds.
    #[serde(default)]
    pub cpu_s: Option<f64>,
}

impl ClientRun {
    fn new(mode: &str, requests: usize) -> Self {
        ClientRun {
            mode: mode.to_owned(),
            requests,
            rss_before_kib: rss_kib(),
            // The CPU time so far; `finish` turns it into the run's own.
            cpu_s: cpu_time().map(|t| t.as_secs_f64()),
            ..ClientRun::default()
        }
    }

    fn count(&mut self, result: Result<usize, FetchError>) {
        match result {
            Ok(_) => self.ok += 1,
            Err(e) => {
                self.failed += 1;
                self.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }

    fn finish(mut self, start: Instant) -> Self {
        self.elapsed_s = start.elapsed().as_secs_f64();
        self.peak_rss_kib = peak_rss_kib();
        self.cpu_s = match (self.cpu_s, cpu_time()) {
            (Some(before), Some(now)) => Some(now.as_secs_f64() - before),
            _ => None,
        };
        self
    }

    /// CPU time per request, microseconds.
    pub fn cpu_us_per_request(&self) -> Option<f64> {
        let cpu = self.cpu_s?;
        (self.requests > 0).then(|| cpu * 1e6 / self.requests as f64)
    }

    /// Requests that succeeded, per second.
    pub fn per_second(&self) -> f64 {
        if self.elapsed_s > 0.0 {
            self.ok as f64 / self.elapsed_s
        } else {
            0.0
        }
    }

    /// Memory added per request in flight, KiB: (peak - before) / started.
    pub fn kib_per_request(&self) -> Option<f64> {
        let (before, peak) = (self.rss_before_kib?, self.peak_rss_kib?);
        (self.started > 0).then(|| peak.saturating_sub(before) as f64 / self.started as f64)
    }
}

/// The path of request `i`.
fn path(i: usize) -> String {
    format!("/item/{i}")
}

// ANCHOR: threads
/// `requests` OS threads, each doing one blocking GET, all in flight at
/// once. A thread that cannot be spawned (limits) stops the spawning; the
/// run reports it instead of failing.
pub fn run_threads(addr: SocketAddr, requests: usize, limit: Duration) -> ClientRun {
    let mut run = ClientRun::new(Mode::Threads.name(), requests);
    let start = Instant::now();
    let mut handles = Vec::with_capacity(requests);
    for i in 0..requests {
        let spawned = thread::Builder::new().spawn(move || get_blocking(addr, &path(i), limit));
        match spawned {
            Ok(handle) => handles.push(handle),
            Err(e) => {
                run.spawn_error = Some(format!(
                    "thread {} of {requests} could not start: {e}",
                    i + 1
                ));
                break;
            }
        }
    }
    run.started = handles.len();
    run.threads_in_flight = threads_now();
    for handle in handles {
        run.count(handle.join().expect("a request thread does not panic"));
    }
    run.finish(start)
}
// ANCHOR_END: threads

// ANCHOR: tasks
/// `requests` tokio tasks on a runtime with `workers` threads, each doing one
/// GET by hand, all in flight at once.
pub fn run_tasks(addr: SocketAddr, requests: usize, limit: Duration, workers: usize) -> ClientRun {
    let runtime = runtime_with(workers);
    let mut run = ClientRun::new(Mode::Tasks.name(), requests);
    let start = Instant::now();
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..requests {
            tasks.spawn(async move { get_async(addr, &path(i), limit).await });
        }
        run.started = tasks.len();
        run.threads_in_flight = threads_now();
        while let Some(joined) = tasks.join_next().await {
            run.count(joined.expect("a request task does not panic"));
        }
    });
    run.finish(start)
}
// ANCHOR_END: tasks

// ANCHOR: reqwest_rounds
/// `rounds` batches of `requests` reqwest GETs, at most `concurrency` at a
/// time. One client per shard for all rounds: the first round opens the
/// connections (cold), later ones reuse them from the client's pool (warm).
///
/// `shards` is how many threads share the work, each running its own
/// `current_thread` runtime with its own client, a share of the URLs and of
/// the concurrency ("thread per core"): no task, connection or lock is ever
/// shared between threads, so no thread ever waits for another.
pub fn run_reqwest(
    base_url: &str,
    requests: usize,
    concurrency: usize,
    limit: Duration,
    shards: usize,
    rounds: usize,
) -> Vec<ClientRun> {
    let shards = shards.clamp(1, concurrency.max(1));
    let rounds = rounds.max(1);
    let urls: Vec<String> = (0..requests)
        .map(|i| format!("{base_url}{}", path(i)))
        .collect();
    let start_line = std::sync::Barrier::new(shards);
    // Per shard, per round: (results, when it started, when it ended).
    let per_shard: Vec<Vec<Batch>> = thread::scope(|s| {
        let handles: Vec<_> = (0..shards)
            .map(|k| {
                // Shard k takes URLs k, k + shards, ... and its share of the limit.
                let mine: Vec<String> = urls.iter().skip(k).step_by(shards).cloned().collect();
                let share = concurrency / shards + usize::from(k < concurrency % shards);
                let start_line = &start_line;
                s.spawn(move || shard(&mine, share, limit, rounds, start_line))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a client shard does not panic"))
            .collect()
    });
    (0..rounds)
        .map(|r| {
            let mut run = ClientRun::new(Mode::Reqwest.name(), requests);
            run.started = requests;
            let batches = per_shard.iter().map(|b| &b[r]);
            let first = batches
                .clone()
                .map(|b| b.start)
                .min()
                .expect("one shard at least");
            let last = batches
                .clone()
                .map(|b| b.end)
                .max()
                .expect("one shard at least");
            for batch in batches {
                run.threads_in_flight = run.threads_in_flight.max(batch.threads);
                for result in &batch.results {
                    run.count(result.clone());
                }
            }
            run.elapsed_s = (last - first).as_secs_f64();
            // The process's CPU from the first start to the last end of the round.
            let cpu_from = per_shard.iter().filter_map(|b| b[r].cpu_start).min();
            let cpu_to = per_shard.iter().filter_map(|b| b[r].cpu_end).max();
            run.cpu_s = cpu_from.zip(cpu_to).map(|(a, b)| (b - a).as_secs_f64());
            run.peak_rss_kib = per_shard.iter().filter_map(|b| b[r].peak_rss_kib).max();
            run.rss_before_kib = per_shard.iter().filter_map(|b| b[r].rss_start).min();
            run
        })
        .collect()
}
// ANCHOR_END: reqwest_rounds

/// One shard's round.
struct Batch {
    results: Vec<Result<usize, FetchError>>,
    start: Instant,
    end: Instant,
    /// The process's CPU time when this shard started and ended the round.
    cpu_start: Option<Duration>,
    cpu_end: Option<Duration>,
    /// Resident memory when the round started, KiB.
    rss_start: Option<u64>,
    threads: Option<u64>,
    peak_rss_kib: Option<u64>,
}

/// A shard: its own runtime and client, `rounds` batches over `urls`.
fn shard(
    urls: &[String],
    concurrency: usize,
    limit: Duration,
    rounds: usize,
    start_line: &std::sync::Barrier,
) -> Vec<Batch> {
    let runtime = runtime_with(1);
    let client = loopback_client(Some(limit));
    (0..rounds)
        .map(|_| {
            start_line.wait(); // every shard starts the round together
            let start = Instant::now();
            let cpu_start = cpu_time();
            let rss_start = rss_kib();
            let (results, threads) = runtime.block_on(async {
                let sampler = tokio::spawn(async {
                    // Sample the thread count once the requests are under way.
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    threads_now()
                });
                let results =
                    with_buffer_unordered(&client, urls, concurrency.max(1), Deadline::None).await;
                (results, sampler.await.ok().flatten())
            });
            let end = Instant::now();
            let cpu_end = cpu_time();
            start_line.wait(); // nobody starts the next round while another still counts this one
            Batch {
                results: results.into_iter().map(|r| r.map(|f| f.bytes)).collect(),
                start,
                end,
                cpu_start,
                cpu_end,
                rss_start,
                threads,
                peak_rss_kib: peak_rss_kib(),
            }
        })
        .collect()
}

/// A runtime with `workers` threads; 1 means a `current_thread` runtime,
/// where every task runs on the calling thread and no task ever has to be
/// handed to another thread.
pub fn runtime_with(workers: usize) -> tokio::runtime::Runtime {
    let mut builder = if workers <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(workers);
        b
    };
    builder
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

/// Runs `mode` in this process: what a child role calls.
pub fn run_mode(
    mode: Mode,
    addr: SocketAddr,
    requests: usize,
    limit: Duration,
    workers: usize,
) -> ClientRun {
    match mode {
        Mode::Threads => run_threads(addr, requests, limit),
        Mode::Tasks => run_tasks(addr, requests, limit, workers),
        Mode::Reqwest => {
            let base = format!("http://{addr}");
            let mut runs = run_reqwest(&base, requests, requests, limit, workers, 1);
            runs.remove(0)
        }
    }
}

// ANCHOR: in_child
/// Runs `role args...` of `program` as a child process and reads the JSON
/// lines it prints, one per run. The child is killed if it takes longer than
/// `patience`, and reaped on every path.
pub fn client_in_child(
    spawner: &course_support::child::Spawner,
    role: &str,
    args: &[String],
    patience: Duration,
) -> anyhow::Result<Vec<ClientRun>> {
    use anyhow::Context;
    let mut cmd = spawner.command(role, args);
    cmd.stdout(Stdio::piped());
    let mut child = course_support::child::ChildGuard::spawn(&mut cmd)
        .context("starting the client process")?;
    let mut stdout = child
        .child_mut()
        .stdout
        .take()
        .context("the child's stdout")?;
    // Read on a thread, so a child that never ends cannot block us here.
    let reader = thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let status = child.wait_timeout(patience)?;
    let Some(status) = status else {
        child.kill()?;
        anyhow::bail!(
            "the {role} client took longer than {} s and was killed",
            patience.as_secs()
        );
    };
    let text = reader
        .join()
        .map_err(|_| anyhow::anyhow!("reader panicked"))??;
    if !status.success() {
        anyhow::bail!(
            "the {role} client failed ({})",
            course_support::child::describe(status)
        );
    }
    parse_runs(&text).with_context(|| format!("reading the {role} client's results"))
}
// ANCHOR_END: in_child

/// The [`ClientRun`]s in a child's output: one JSON object per line.
pub fn parse_runs(text: &str) -> anyhow::Result<Vec<ClientRun>> {
    let runs = text
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(serde_json::from_str)
        .collect::<Result<Vec<ClientRun>, _>>()?;
    anyhow::ensure!(!runs.is_empty(), "no result line in {text:?}");
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_and_body_length() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello";
        assert_eq!(parse_response(raw).unwrap(), (200, 5));
        let raw = b"HTTP/1.1 503 Service Unavailable\r\n\r\n";
        assert_eq!(parse_response(raw).unwrap(), (503, 0));
        assert!(parse_response(b"garbage").is_err());
    }

    #[test]
    fn modes_round_trip_by_name() {
        for m in Mode::ALL {
            assert_eq!(Mode::from_name(m.name()), Some(m));
        }
        assert_eq!(Mode::from_name("fibers"), None);
    }
}

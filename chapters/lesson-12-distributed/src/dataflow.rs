//! The two jobs as timely dataflows: what ONE process of a timely cluster
//! runs. The same code runs with one worker thread, several threads in a
//! process, or several processes (on one machine or many) that talk over
//! TCP; only the communication configuration changes.
//!
//! Bytes on the wire are counted by timely itself: its communication layer
//! logs every message its send threads write to another process, and the
//! logger installed here adds their sizes up.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use course_support::count_primes;
use serde::{Deserialize, Serialize};
use timely::communication::Hooks;
use timely::communication::logging::{CommunicationEvent, CommunicationEventBuilder};
use timely::dataflow::operators::vec::{Map, ToStream};
use timely::dataflow::operators::{Exchange, Inspect};
use timely::logging_core::Logger;
use timely::synchronization::Barrier;
use timely::worker::Worker;
use timely::{CommunicationConfig, WorkerConfig};

use crate::jobs::{WordSummary, count_file, owner};

/// Which job, with its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// The primes in each `(id, lo, hi)` task, summed.
    Primes(Vec<(u64, u64, u64)>),
    /// The words in these files, counted.
    Words(Vec<PathBuf>),
}

/// Where this process sits in its cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// Worker threads in each process.
    pub threads: usize,
    /// This process's index in `addresses`.
    pub process: usize,
    /// One `host:port` per process (one entry: a single process, no network).
    pub addresses: Vec<String>,
}

impl Place {
    /// One process, `threads` workers, no network.
    pub fn alone(threads: usize) -> Self {
        Self {
            threads,
            process: 0,
            addresses: vec![],
        }
    }
}

/// What one process reports back: its share of the answer and what it cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessReport {
    pub process: usize,
    pub pid: u32,
    /// From this process's workers starting the dataflow to the last of them
    /// seeing it complete (connecting to the other processes came before).
    pub job_ms: f64,
    /// When its workers started the job (all of the cluster's workers start
    /// together, after a barrier) and when the last of them finished, in ms
    /// since the Unix epoch (the cluster's job time is last end - first start).
    pub started_unix_ms: f64,
    pub ended_unix_ms: f64,
    /// The primes this process's workers reduced (only worker 0 gets any).
    pub primes: u64,
    /// The words this process's workers own, counted.
    pub words: WordSummary,
    /// Tasks (prime ranges, or files) each of its workers mapped.
    pub tasks_per_worker: Vec<u64>,
    /// Bytes and messages its send threads wrote to other processes.
    pub bytes_sent: u64,
    pub messages_sent: u64,
}

/// What one worker thread returns.
struct WorkerResult {
    primes: u64,
    tasks: u64,
    words: HashMap<String, u64>,
    elapsed: Duration,
    started_unix_ms: f64,
}

// ANCHOR: config
/// timely's communication for `place`: threads that share memory for one
/// process, TCP between processes for more. `bytes`/`messages` count what
/// the send threads write.
fn communication(
    place: &Place,
    bytes: &Arc<AtomicU64>,
    messages: &Arc<AtomicU64>,
) -> Result<(
    Vec<timely::communication::AllocatorBuilder>,
    Box<dyn std::any::Any + Send>,
)> {
    let config = if place.addresses.len() <= 1 {
        CommunicationConfig::Process(place.threads)
    } else {
        CommunicationConfig::Cluster {
            threads: place.threads,
            process: place.process,
            addresses: place.addresses.clone(),
            report: false,
            zerocopy: false,
        }
    };
    let (bytes, messages) = (bytes.clone(), messages.clone());
    let hooks = Hooks {
        log_fn: Arc::new(move |setup| {
            // Only the send threads: each message is counted once, by its sender.
            setup
                .sender
                .then(|| counting_logger(bytes.clone(), messages.clone()))
        }),
        ..Hooks::default()
    };
    config
        .try_build_with(hooks)
        .map_err(|e| anyhow!("timely: {e}"))
}
// ANCHOR_END: config

fn counting_logger(
    bytes: Arc<AtomicU64>,
    messages: Arc<AtomicU64>,
) -> Logger<CommunicationEventBuilder> {
    Logger::new(
        Instant::now(),
        Duration::ZERO,
        move |_, events: &mut Option<Vec<(Duration, CommunicationEvent)>>| {
            for (_, event) in events.iter().flatten() {
                if let CommunicationEvent::Message(m) = event
                    && m.is_send
                {
                    bytes.fetch_add(m.header.required_bytes() as u64, Relaxed);
                    messages.fetch_add(1, Relaxed);
                }
            }
        },
    )
}

/// Runs `job` as the process at `place`; `ready` is called once the
/// network is up, before the first worker starts (the kill demo waits for it).
pub fn run(place: &Place, job: Job, ready: impl FnOnce()) -> Result<ProcessReport> {
    let bytes = Arc::new(AtomicU64::new(0));
    let messages = Arc::new(AtomicU64::new(0));
    let (builders, others) = communication(place, &bytes, &messages)?;
    ready();
    let job = Arc::new(job);
    let guards =
        timely::execute::execute_from(builders, others, WorkerConfig::default(), move |worker| {
            worker_main(worker, &job)
        })
        .map_err(|e| anyhow!("timely: {e}"))?;
    // join() also waits for the send and receive threads, so the counters are final.
    let mut results = Vec::new();
    for (i, r) in guards.join().into_iter().enumerate() {
        results.push(r.map_err(|e| anyhow!("worker {i} of process {}: {e}", place.process))?);
    }
    let ended_unix_ms = unix_ms();
    let mut words = HashMap::new();
    for r in &mut results {
        words.extend(r.words.drain()); // workers own disjoint words
    }
    Ok(ProcessReport {
        process: place.process,
        pid: std::process::id(),
        job_ms: results
            .iter()
            .map(|r| r.elapsed.as_secs_f64() * 1e3)
            .fold(0.0, f64::max),
        started_unix_ms: results
            .iter()
            .map(|r| r.started_unix_ms)
            .fold(f64::INFINITY, f64::min),
        ended_unix_ms,
        primes: results.iter().map(|r| r.primes).sum(),
        words: WordSummary::of(&words),
        tasks_per_worker: results.iter().map(|r| r.tasks).collect(),
        bytes_sent: bytes.load(Relaxed),
        messages_sent: messages.load(Relaxed),
    })
}

fn unix_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

fn worker_main(worker: &mut Worker, job: &Job) -> WorkerResult {
    // Processes connect one after the other (timely polls for connections
    // once a second): wait until every worker of every process is here, so
    // that the job's time is not the time spent waiting for the last one.
    let mut barrier = Barrier::new(worker);
    barrier.wait();
    drop(barrier); // closes its input: its dataflow completes
    let started_unix_ms = unix_ms();
    let start = Instant::now();
    let (index, peers) = (worker.index(), worker.peers());
    let primes = Rc::new(Cell::new(0));
    let tasks = Rc::new(Cell::new(0));
    let words = Rc::new(RefCell::new(HashMap::new()));
    match job {
        Job::Primes(all) => {
            // ANCHOR: primes
            // Worker 0 holds every task, like the client that submits them.
            let mine = if index == 0 { all.clone() } else { Vec::new() };
            let (sum, done) = (primes.clone(), tasks.clone());
            worker.dataflow::<u64, _, _>(|scope| {
                mine.to_stream(scope)
                    .exchange(|&(id, _, _)| id) // task i goes to worker i % peers
                    .map(move |(_, lo, hi)| {
                        done.set(done.get() + 1);
                        count_primes(lo..hi)
                    })
                    .exchange(|_| 0) // every count to worker 0 ...
                    .inspect(move |&n| sum.set(sum.get() + n)); // ... which adds them up
            });
            // ANCHOR_END: primes
        }
        Job::Words(files) => {
            // ANCHOR: words
            // Each worker reads its share of the files (on a cluster, the
            // files on its own disk), counts their words, and sends each
            // (word, count) to the worker that owns the word.
            let mine: Vec<PathBuf> = files.iter().skip(index).step_by(peers).cloned().collect();
            let (counts, done) = (words.clone(), tasks.clone());
            worker.dataflow::<u64, _, _>(|scope| {
                mine.to_stream(scope)
                    .flat_map(move |path| {
                        done.set(done.get() + 1);
                        count_file(&path)
                            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
                    })
                    .exchange(|(word, _)| owner(word))
                    .inspect(move |(word, n)| {
                        *counts.borrow_mut().entry(word.clone()).or_insert(0) += n;
                    });
            });
            // ANCHOR_END: words
        }
    }
    while worker.has_dataflows() {
        worker.step_or_park(None);
    }
    WorkerResult {
        primes: primes.get(),
        tasks: tasks.get(),
        words: words.take(),
        elapsed: start.elapsed(),
        started_unix_ms,
    }
}

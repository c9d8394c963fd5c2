//! The seven ways the laboratory runs the same tasks.
//!
//! | mode | Python equivalent | what runs |
//! |---|---|---|
//! | sequential | a `for` loop | one thread, one task after another |
//! | gil-threads | `ThreadPoolExecutor` | OS threads under lesson 01's simulated interpreter lock |
//! | threads | free-threaded Python; Rust threads | OS threads, no shared lock |
//! | processes | `ProcessPoolExecutor` | worker processes fed through pipes |
//! | async | `asyncio.gather` with a semaphore | one thread, tokio, `in_flight` tasks at once |
//! | hybrid | asyncio + `run_in_executor(ProcessPoolExecutor)` | async waits feed a process pool |
//! | isolated | `InterpreterPoolExecutor` (3.14) | threads that share nothing, fed copies over channels ([`crate::isolated`]) |

use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use course_support::child::Spawner;
use futures::StreamExt;
use gil_sim::interpreter_lock::InterpreterLock;
use gil_sim::workload::{count_primes_holding, free_workers, locked_workers};

use crate::pool::{self, Event, Feed};
use crate::task::{Outcome, TaskSpec, read_input};

/// How tasks are run.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Sequential,
    GilThreads,
    Threads,
    Processes,
    Async,
    Hybrid,
    /// Share-nothing workers in one process: Python's subinterpreters.
    Isolated,
}

impl Mode {
    pub const ALL: [Mode; 7] = [
        Mode::Sequential,
        Mode::GilThreads,
        Mode::Threads,
        Mode::Processes,
        Mode::Async,
        Mode::Hybrid,
        Mode::Isolated,
    ];

    /// The short name used in history files, charts and `--modes`.
    pub fn key(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::GilThreads => "gil-threads",
            Mode::Threads => "threads",
            Mode::Processes => "processes",
            Mode::Async => "async",
            Mode::Hybrid => "hybrid",
            Mode::Isolated => "isolated",
        }
    }

    /// A longer name for tables.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::GilThreads => "threads + simulated GIL",
            Mode::Threads => "free threads (Rust)",
            Mode::Processes => "processes",
            Mode::Async => "async (tokio, 1 thread)",
            Mode::Hybrid => "hybrid: async waits + processes",
            Mode::Isolated => "isolated workers (share nothing)",
        }
    }

    pub fn from_key(key: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.key() == key)
    }
}

/// Everything a run needs besides the mode.
#[derive(Debug, Clone)]
pub struct Plan {
    pub spec: TaskSpec,
    pub tasks: u64,
    /// Threads or processes.
    pub workers: usize,
    /// Tasks in progress at once in the async and hybrid modes.
    pub in_flight: usize,
    /// The simulated interpreter lock's switch interval.
    pub switch_interval: Duration,
}

/// One mode's run: how long it took and what it computed.
#[derive(Debug, Clone)]
pub struct Run {
    pub mode: Mode,
    /// Threads, processes, or tasks in flight (async): what efficiency divides by.
    pub workers: usize,
    pub elapsed: Duration,
    pub outcome: Outcome,
    /// Worker process ids (processes and hybrid modes).
    pub pids: Vec<u32>,
    /// Times the simulated GIL changed hands because a switch interval ran out.
    pub handoffs: u64,
    /// The isolated mode's copies: what crossed and what it cost.
    pub isolated: Option<crate::isolated::IsolatedRun>,
}

impl Run {
    pub fn ms(&self) -> f64 {
        self.elapsed.as_secs_f64() * 1e3
    }
}

/// Runs `plan` in `mode`. `tick(n)` is called as tasks finish (progress
/// bars); `spawner` starts worker processes.
pub fn run(mode: Mode, plan: &Plan, spawner: &Spawner, tick: &(dyn Fn(u64) + Sync)) -> Result<Run> {
    let input = crate::task::input(plan.spec.data_bytes);
    let workers = plan.workers.max(1);
    let in_flight = plan.in_flight.max(1);
    let started = Instant::now();
    let mut run = Run {
        mode,
        workers: match mode {
            Mode::Sequential => 1,
            Mode::Async => in_flight,
            _ => workers,
        },
        elapsed: Duration::ZERO,
        outcome: Outcome::default(),
        pids: Vec::new(),
        handoffs: 0,
        isolated: None,
    };
    match mode {
        Mode::Sequential => run.outcome = sequential(plan, &input, tick),
        Mode::GilThreads => {
            let (outcome, handoffs) = gil_threads(plan, workers, &input, tick);
            run.outcome = outcome;
            run.handoffs = handoffs;
        }
        Mode::Threads => run.outcome = threads(plan, workers, &input, tick),
        Mode::Async => run.outcome = async_tasks(plan, in_flight, &input, tick)?,
        Mode::Isolated => {
            let i = crate::isolated::run(workers, plan.tasks, &plan.spec, &input, tick)?;
            run.outcome = i.outcome;
            run.isolated = Some(i);
        }
        Mode::Processes | Mode::Hybrid => {
            let feed = if mode == Mode::Hybrid {
                Feed::Events(async_waits(plan.tasks, plan.spec.io, in_flight))
            } else {
                Feed::All
            };
            let p = pool::run(spawner, workers, plan.tasks, &plan.spec, &input, feed, tick)?;
            run.outcome = p.outcome;
            run.pids = p.pids;
        }
    }
    run.elapsed = started.elapsed();
    Ok(run)
}

// ANCHOR: sequential
fn sequential(plan: &Plan, input: &[u8], tick: &(dyn Fn(u64) + Sync)) -> Outcome {
    (0..plan.tasks)
        .map(|i| {
            let outcome = plan.spec.run_blocking(i, input);
            tick(1);
            outcome
        })
        .sum()
}
// ANCHOR_END: sequential

// ANCHOR: gil_threads
/// Python threads: lesson 01's pool of OS threads that run only while they
/// hold the one interpreter lock, and let go of it while they wait.
fn gil_threads(
    plan: &Plan,
    workers: usize,
    input: &[u8],
    tick: &(dyn Fn(u64) + Sync),
) -> (Outcome, u64) {
    let lock = InterpreterLock::new(plan.switch_interval);
    let bytes = AtomicU64::new(0);
    let spec = &plan.spec;
    let primes = locked_workers(&lock, workers, plan.tasks as usize, |held, i| {
        if !spec.io.is_zero() {
            held.allow_threads(|| thread::sleep(spec.io)); // the wait releases the lock
        }
        bytes.fetch_add(read_input(input), Ordering::Relaxed); // Python code: holds it
        let primes = count_primes_holding(held, spec.range(i as u64));
        tick(1);
        primes
    });
    let outcome = Outcome {
        primes,
        bytes: bytes.into_inner(),
    };
    (outcome, lock.handoffs())
}
// ANCHOR_END: gil_threads

// ANCHOR: threads
/// The same pool with no lock: every thread computes on its own core.
fn threads(plan: &Plan, workers: usize, input: &[u8], tick: &(dyn Fn(u64) + Sync)) -> Outcome {
    let bytes = AtomicU64::new(0);
    let primes = free_workers(workers, plan.tasks as usize, |_, i| {
        let outcome = plan.spec.run_blocking(i as u64, input);
        bytes.fetch_add(outcome.bytes, Ordering::Relaxed);
        tick(1);
        outcome.primes
    });
    Outcome {
        primes,
        bytes: bytes.into_inner(),
    }
}
// ANCHOR_END: threads

/// A single-threaded tokio runtime: asyncio's event loop.
fn event_loop() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .enable_io() // the async mode's waits are timer file descriptors
        .build()
        .context("starting the tokio runtime")
}

// ANCHOR: async_tasks
/// asyncio: one thread, `in_flight` tasks in progress at once. Waits overlap;
/// the compute part runs on the loop's only thread, one task at a time.
fn async_tasks(
    plan: &Plan,
    in_flight: usize,
    input: &[u8],
    tick: &(dyn Fn(u64) + Sync),
) -> Result<Outcome> {
    let spec = &plan.spec;
    let outcome = event_loop()?.block_on(
        futures::stream::iter(0..plan.tasks)
            .map(|i| async move {
                if !spec.io.is_zero() {
                    response_after(spec.io).await; // not tokio::time::sleep: see below
                }
                let outcome = Outcome {
                    primes: spec.compute(i), // blocks the loop, like CPU work in asyncio
                    bytes: read_input(input),
                };
                tick(1);
                outcome
            })
            .buffer_unordered(in_flight)
            .fold(Outcome::default(), |mut total, o| async move {
                total += o;
                total
            }),
    );
    Ok(outcome)
}
// ANCHOR_END: async_tasks

// ANCHOR: response_after
/// The simulated response of an io task, `wait` after the request.
///
/// `tokio::time::sleep` would be wrong here: tokio's timer counts whole
/// milliseconds, rounds each deadline up to the next one and parks the loop
/// for whole ticks, so a 1 ms sleep lasts about 2 ms (lesson 10 measures it).
/// A real response is a socket becoming readable, which no timer wheel
/// rounds; a Linux timer file descriptor is such an event source (the kernel
/// makes it readable at the time asked, to the microsecond) and the loop
/// waits for it in the same `epoll_wait` as for sockets.
async fn response_after(wait: Duration) {
    course_support::precise_sleep::precise_sleep(wait).await
}
// ANCHOR_END: response_after

// ANCHOR: async_waits
/// The hybrid's first stage: an event loop on its own thread waits for every
/// task (`in_flight` at once) and hands each one to the process pool as soon
/// as its wait is over.
fn async_waits(tasks: u64, io: Duration, in_flight: usize) -> pool::Feeder {
    Box::new(move |tx| {
        thread::spawn(move || {
            let Ok(rt) = event_loop() else { return };
            rt.block_on(async {
                let mut waits = futures::stream::iter(0..tasks)
                    .map(|i| async move {
                        if !io.is_zero() {
                            response_after(io).await;
                        }
                        i
                    })
                    .buffer_unordered(in_flight);
                while let Some(i) = waits.next().await {
                    if tx.send(Event::Ready(i)).is_err() {
                        break; // the pool gave up: stop waiting
                    }
                }
            });
        })
    })
}
// ANCHOR_END: async_waits

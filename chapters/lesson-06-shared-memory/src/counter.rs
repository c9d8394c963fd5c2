//! `multiprocessing.Value`: one number that several processes update.
//!
//! Two `u64` counters live in a small shared segment, each on its own cache
//! line. K worker processes add 1 to one of them N times each:
//!
//! - with `fetch_add`, the processor's indivisible read-add-write, the total
//!   is exactly K x N. An `AtomicU64` works across processes because it is
//!   lock-free here: it is one machine word plus instructions, with no
//!   pointer or lock that would only mean something in one address space;
//! - with an atomic `load` and then a `store` (lesson 02's lost update, done
//!   without undefined behaviour), increments from different processes
//!   overwrite each other and the total comes up short. Python's
//!   `v.value += 1` on a `Value('i')` is that: the value's lock is taken for
//!   the read and again for the write, not around both.
//!
//! The workers start together: each maps the segment and says `ready`, and
//! only when all have done so does the parent send `go` to each (a start
//! gate made of pipes, no spinning). They answer `done` when finished.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use anyhow::{Result, ensure};
use clap::ValueEnum;
use course_support::child::{Spawner, exit_when_orphaned};

use crate::segment::Segment;
use crate::workers::Workers;

#[cfg(not(target_has_atomic = "64"))]
compile_error!("this lesson needs 64-bit atomics, which work across processes");

/// A counter on a cache line of its own.
#[derive(Debug)]
#[repr(C, align(64))]
pub struct Padded(pub AtomicU64);

// ANCHOR: counters
/// The segment's layout: Python's `Value('Q', 0)`, twice.
#[derive(Debug)]
#[repr(C)]
pub struct Counters {
    /// Incremented with `fetch_add`.
    pub exact: Padded,
    /// Incremented with `load` then `store`.
    pub racy: Padded,
}
// ANCHOR_END: counters

/// How a worker adds 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Increment {
    /// `fetch_add(1)`: one indivisible step.
    FetchAdd,
    /// `store(load() + 1)`: two steps, updates get lost.
    LoadStore,
    /// `load`, yield the CPU, `store`: the window made wide.
    LoadYieldStore,
}

impl Increment {
    pub fn label(self) -> &'static str {
        match self {
            Increment::FetchAdd => "fetch_add(1)",
            Increment::LoadStore => "store(load() + 1)",
            Increment::LoadYieldStore => "load, yield, store",
        }
    }

    fn arg(self) -> &'static str {
        match self {
            Increment::FetchAdd => "fetch-add",
            Increment::LoadStore => "load-store",
            Increment::LoadYieldStore => "load-yield-store",
        }
    }
}

/// The counters in a shared segment.
#[derive(Debug)]
pub struct SharedCounters {
    segment: Segment,
}

impl SharedCounters {
    /// Creates both counters, at 0.
    pub fn create() -> Result<Self> {
        Ok(SharedCounters {
            segment: Segment::create(size_of::<Counters>())?,
        })
    }

    /// Maps the counters another process created.
    pub fn open(name: &str) -> Result<Self> {
        let segment = Segment::open(name)?;
        ensure!(
            segment.len() >= size_of::<Counters>(),
            "{name} is too small"
        );
        Ok(SharedCounters { segment })
    }

    pub fn name(&self) -> &str {
        self.segment.name()
    }

    // ANCHOR: view
    /// The counters. Atomics only, so a shared reference is sound while
    /// other processes update them.
    pub fn counters(&self) -> &Counters {
        // SAFETY: the mapping is page-aligned and at least this big; zero
        // bytes (a fresh segment) are two valid AtomicU64s; every process
        // only ever touches them through atomic operations.
        unsafe { &*self.segment.as_ptr().cast::<Counters>() }
    }
    // ANCHOR_END: view
}

// ANCHOR: increment
/// Adds 1 to `counter`, `n` times, the way `how` says.
pub fn increment(counter: &AtomicU64, n: u64, how: Increment) {
    for _ in 0..n {
        match how {
            Increment::FetchAdd => {
                counter.fetch_add(1, Relaxed);
            }
            Increment::LoadStore => {
                let seen = counter.load(Relaxed);
                counter.store(seen + 1, Relaxed); // erases adds since the load
            }
            Increment::LoadYieldStore => {
                let seen = counter.load(Relaxed);
                std::thread::yield_now(); // another process may add here
                counter.store(seen + 1, Relaxed);
            }
        }
    }
}
// ANCHOR_END: increment

/// One run: `processes` workers, `increments` each.
#[derive(Debug, Clone)]
pub struct CounterRun {
    pub how: Increment,
    pub processes: usize,
    pub increments: u64,
    /// `processes x increments`.
    pub expected: u64,
    /// What the shared counter held at the end.
    pub counted: u64,
    pub pids: Vec<u32>,
    /// From `go` to the last `done`.
    pub elapsed: Duration,
    /// The segment's name; gone by the time this is returned.
    pub segment: String,
}

impl CounterRun {
    pub fn lost(&self) -> u64 {
        self.expected.saturating_sub(self.counted)
    }
}

// ANCHOR: run
/// Starts `processes` workers on one shared counter, releases them together,
/// waits for all of them, and reads the counter.
pub fn run(
    spawner: &Spawner,
    processes: usize,
    increments: u64,
    how: Increment,
) -> Result<CounterRun> {
    ensure!(processes >= 1, "at least one process");
    let shared = SharedCounters::create()?;
    let args = (0..processes)
        .map(|_| {
            [
                "--segment",
                shared.name(),
                "--increments",
                &increments.to_string(),
                "--how",
                how.arg(),
            ]
            .map(str::to_owned)
            .to_vec()
        })
        .collect();
    let mut workers = Workers::start(spawner, "counter", args, Duration::from_secs(60))?;
    let pids = workers.pids();
    let started = std::time::Instant::now();
    workers.send_all("go")?; // everybody has mapped the segment: start together
    workers.expect_all("done")?;
    let elapsed = started.elapsed();
    let statuses = workers.close()?;
    ensure!(
        statuses.iter().all(|s| s.success()),
        "a counter process failed: {statuses:?}"
    );
    let c = shared.counters();
    let counted = match how {
        Increment::FetchAdd => c.exact.0.load(Relaxed),
        _ => c.racy.0.load(Relaxed),
    };
    Ok(CounterRun {
        how,
        processes,
        increments,
        expected: processes as u64 * increments,
        counted,
        pids,
        elapsed,
        segment: shared.name().to_owned(),
    })
}
// ANCHOR_END: run

// ANCHOR: counter_role
/// Role `counter`: map the counters, say `ready`, wait for `go`, increment,
/// say `done`.
pub fn counter_role(segment: &str, increments: u64, how: Increment) -> Result<()> {
    use std::io::{BufRead, Write};
    exit_when_orphaned();
    let shared = SharedCounters::open(segment)?;
    let counter = match how {
        Increment::FetchAdd => &shared.counters().exact.0,
        _ => &shared.counters().racy.0,
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    ensure!(line.trim() == "go", "expected go, got {line:?}");
    increment(counter, increments, how);
    writeln!(out, "done")?;
    out.flush()?;
    Ok(())
}
// ANCHOR_END: counter_role

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_sit_on_separate_lines() {
        assert_eq!(size_of::<Counters>(), 128);
        assert_eq!(std::mem::offset_of!(Counters, racy), 64);
    }

    #[test]
    fn one_thread_loses_nothing() {
        for how in [
            Increment::FetchAdd,
            Increment::LoadStore,
            Increment::LoadYieldStore,
        ] {
            let c = AtomicU64::new(0);
            increment(&c, 1_000, how);
            assert_eq!(c.into_inner(), 1_000, "{how:?}");
        }
    }
}

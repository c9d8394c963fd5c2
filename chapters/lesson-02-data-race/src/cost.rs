//! What an increment costs with each way of counting, measured in one run.
//!
//! Every variant performs the same total number of increments, so the wall
//! time divided by that total compares them directly with the plain loop.

use std::time::Duration;

use course_support::time;

use crate::{fixes, lost_update};

/// A way of counting, and how many threads it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// [`fixes::plain_loop`]: one thread, nothing shared.
    PlainLoop,
    /// [`lost_update::racy_count`] without widening: fast and wrong.
    RacyLoadStore,
    /// [`fixes::mutex_count`].
    Mutex,
    /// [`fixes::atomic_count`].
    FetchAdd,
    /// [`fixes::neighbour_counters`]: false sharing.
    NeighbourAtomics,
    /// [`fixes::padded_counters`]: the same, one cache line each.
    PaddedAtomics,
    /// [`fixes::local_sums_count`].
    LocalSums,
}

impl Method {
    /// How the method is called in the table.
    pub fn label(self) -> &'static str {
        match self {
            Method::PlainLoop => "plain loop (baseline)",
            Method::RacyLoadStore => "racy load + store",
            Method::Mutex => "Mutex<u64>",
            Method::FetchAdd => "AtomicU64::fetch_add",
            Method::NeighbourAtomics => "own atomic, one shared cache line",
            Method::PaddedAtomics => "own atomic, own cache line",
            Method::LocalSums => "local sums, added at join",
        }
    }

    /// Counts `threads * increments` increments this way; returns the count.
    pub fn run(self, threads: usize, increments: u64) -> u64 {
        match self {
            Method::PlainLoop => fixes::plain_loop(threads as u64 * increments),
            Method::RacyLoadStore => lost_update::racy_count(threads, increments, false).counted,
            Method::Mutex => fixes::mutex_count(threads, increments),
            Method::FetchAdd => fixes::atomic_count(threads, increments),
            Method::NeighbourAtomics => fixes::neighbour_counters(threads, increments),
            Method::PaddedAtomics => fixes::padded_counters(threads, increments),
            Method::LocalSums => fixes::local_sums_count(threads, increments),
        }
    }
}

/// One measured row.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    pub method: Method,
    pub threads: usize,
    /// Increments performed (the same for every row of one run).
    pub increments: u64,
    /// What the counter read at the end, in the worst of the runs.
    pub counted: u64,
    /// Wall time of the fastest run.
    pub elapsed: Duration,
    /// Times a thread of this process went to sleep in the kernel (for
    /// example waiting for a contended lock) during the run, if the OS says.
    pub sleeps: Option<u64>,
}

impl Cost {
    pub fn exact(&self) -> bool {
        self.counted == self.increments
    }

    pub fn ns_per_increment(&self) -> f64 {
        self.elapsed.as_secs_f64() * 1e9 / self.increments.max(1) as f64
    }
}

/// Which rows a run measures: each fix alone (1 thread) and contended.
pub fn plan(threads: usize) -> Vec<(Method, usize)> {
    vec![
        (Method::PlainLoop, 1),
        (Method::RacyLoadStore, threads),
        (Method::Mutex, 1),
        (Method::Mutex, threads),
        (Method::FetchAdd, 1),
        (Method::FetchAdd, threads),
        (Method::NeighbourAtomics, threads),
        (Method::PaddedAtomics, threads),
        (Method::LocalSums, threads),
    ]
}

/// Each row runs this many times. The fastest time is reported, since the
/// slower runs also measure other programs competing for the cores.
pub const REPEATS: usize = 3;

/// Measures every row of [`plan`], each doing `threads * increments` increments.
pub fn measure(threads: usize, increments: u64) -> Vec<Cost> {
    let total = threads as u64 * increments;
    plan(threads)
        .into_iter()
        .map(|(method, n)| {
            let runs: Vec<Cost> = (0..REPEATS)
                .map(|_| {
                    let before = voluntary_sleeps();
                    let run = time(|| method.run(n, total / n as u64));
                    let after = voluntary_sleeps();
                    Cost {
                        method,
                        threads: n,
                        increments: total,
                        counted: run.value,
                        elapsed: run.elapsed,
                        sleeps: after.zip(before).map(|(a, b)| a.saturating_sub(b)),
                    }
                })
                .collect();
            // Time: the fastest run. Correctness: the worst run, because the
            // fastest racy run is often the one in which the threads never met.
            let worst = runs.iter().map(|r| r.counted).min();
            let fastest = runs.into_iter().min_by_key(|r| r.elapsed);
            let mut row = fastest.expect("REPEATS > 0");
            row.counted = worst.expect("REPEATS > 0");
            row
        })
        .collect()
}

/// Voluntary context switches of the whole process so far: each is a thread
/// that blocked in the kernel (a contended lock's futex wait, a barrier, a join).
#[cfg(unix)]
pub fn voluntary_sleeps() -> Option<u64> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct we point to and touches nothing else.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: zero-initialised, then filled in by a successful getrusage.
    let usage = unsafe { usage.assume_init() };
    u64::try_from(usage.ru_nvcsw).ok()
}

/// Not available on this platform.
#[cfg(not(unix))]
pub fn voluntary_sleeps() -> Option<u64> {
    None
}

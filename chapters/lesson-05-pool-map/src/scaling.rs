//! The CPU-bound prime count run four ways, with 1, 2, ... workers:
//! sequential, scoped threads, rayon, and a pool of worker processes.
//!
//! The program has three timed phases, so Amdahl's law has something to
//! work with: setup (cut `0..limit` into blocks: serial), map (count the
//! primes of every block: parallel), merge (add the counts up: serial).

use std::time::{Duration, Instant};

use anyhow::Result;
use course_support::child::Spawner;

use crate::chunks::{blocks, count_block};
use crate::process_pool::ProcessPool;
use crate::remote::CountPrimes;
use crate::{threads, with_rayon};

/// How the map phase runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// One thread, a plain `iter().map()`: the baseline.
    Sequential,
    /// `std::thread::scope` threads taking chunks from a shared counter.
    Threads,
    /// A rayon pool of exactly `workers` threads.
    Rayon,
    /// A pool of worker processes (started and closed inside the timing).
    Processes,
}

impl Mode {
    /// The parallel modes, in table order.
    pub const PARALLEL: [Mode; 3] = [Mode::Threads, Mode::Rayon, Mode::Processes];

    pub fn label(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::Threads => "threads (thread::scope)",
            Mode::Rayon => "rayon",
            Mode::Processes => "processes (worker pool)",
        }
    }
}

/// The work: count the primes below `limit`, cut into `blocks` blocks,
/// sent to workers `chunk` blocks at a time; a worker process may hold
/// `prefetch` chunks at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    pub limit: u64,
    pub blocks: usize,
    pub chunk: usize,
    pub prefetch: usize,
}

/// One timed run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Run {
    pub mode: Mode,
    pub workers: usize,
    pub primes: u64,
    /// Setup + merge: the serial phases.
    pub serial: Duration,
    /// The map phase (for processes, starting and closing the pool too).
    pub parallel: Duration,
    /// Processes only: how long starting the pool took (part of `parallel`).
    pub startup: Duration,
}

impl Run {
    pub fn total(&self) -> Duration {
        self.serial + self.parallel
    }

    pub fn ms(&self) -> f64 {
        self.total().as_secs_f64() * 1e3
    }
}

// ANCHOR: run
/// Runs `job` once in `mode` with `workers` workers.
pub fn run(spawner: &Spawner, job: &Job, mode: Mode, workers: usize) -> Result<Run> {
    let t = Instant::now();
    let blocks = blocks(0..job.limit, job.blocks); // setup: serial
    let setup = t.elapsed();

    let t = Instant::now();
    let mut startup = Duration::ZERO;
    let counts: Vec<u64> = match mode {
        Mode::Sequential => blocks.iter().map(count_block).collect(),
        Mode::Threads => threads::par_map(&blocks, workers, job.chunk, count_block),
        Mode::Rayon => {
            let pool = with_rayon::pool(workers)?;
            with_rayon::map_ordered(&pool, &blocks, job.chunk, count_block)
        }
        Mode::Processes => {
            let mut pool = ProcessPool::start(spawner, workers)?.with_prefetch(job.prefetch);
            startup = t.elapsed();
            let counts = pool.map::<CountPrimes>(&blocks, job.chunk)?;
            pool.close()?;
            counts
        }
    };
    let parallel = t.elapsed();

    let t = Instant::now();
    let primes = counts.iter().sum(); // merge: serial
    let serial = setup + t.elapsed();
    Ok(Run {
        mode,
        workers,
        primes,
        serial,
        parallel,
        startup,
    })
}
// ANCHOR_END: run

/// Runs every `(mode, workers)` row of `rows` once per round, for `repeat`
/// rounds (at least one), and keeps each row's fastest run. Rounds, rather
/// than `repeat` runs of one row and then the next, so that a burst of load
/// from another program spoils one sample of many rows instead of every
/// sample of one.
pub fn measure(
    spawner: &Spawner,
    job: &Job,
    rows: &[(Mode, usize)],
    repeat: usize,
) -> Result<Vec<Run>> {
    let mut best: Vec<Option<Run>> = vec![None; rows.len()];
    for _ in 0..repeat.max(1) {
        for (slot, &(mode, workers)) in best.iter_mut().zip(rows) {
            let r = run(spawner, job, mode, workers)?;
            if slot.is_none_or(|b| r.total() < b.total()) {
                *slot = Some(r);
            }
        }
    }
    Ok(best.into_iter().flatten().collect())
}

/// Worker counts for a scaling table: every count up to the number of
/// cores (powers of two past 8), then one more than the cores and twice
/// the cores, where the speed-up must level off.
pub fn worker_counts(cores: usize) -> Vec<usize> {
    let cores = cores.max(1);
    let mut counts: Vec<usize> = if cores <= 8 {
        (1..=cores).collect()
    } else {
        let mut v: Vec<usize> = (0..).map(|k| 1 << k).take_while(|&n| n < cores).collect();
        v.push(cores);
        v
    };
    counts.extend([cores + 1, 2 * cores]);
    counts.dedup();
    counts
}

/// Speed-up over the baseline: `baseline / run`.
pub fn speedup(baseline: Duration, run: Duration) -> f64 {
    baseline.as_secs_f64() / run.as_secs_f64().max(1e-9)
}

/// Parallel efficiency: the speed-up per worker, `speedup / workers`.
pub fn efficiency(speedup: f64, workers: usize) -> f64 {
    speedup / workers.max(1) as f64
}

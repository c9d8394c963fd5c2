//! The chunk-size sweep: the same map with chunks of 1, 2, 5, ... items.
//!
//! Every chunk costs a round trip (the parent writes it, the worker reads,
//! works, writes back, the parent reads), so tiny chunks pay that cost per
//! item. Huge chunks leave workers idle: with fewer chunks than workers
//! some get nothing, and a big last chunk keeps one worker busy while the
//! others wait. The best size lies between; Python's default aims at about
//! four chunks per worker.

use std::time::{Duration, Instant};

use anyhow::Result;
use course_support::child::Spawner;

use crate::chunks::{chunk_ranges, count_block, python_chunksize};
use crate::process_pool::ProcessPool;
use crate::remote::CountPrimes;
use crate::threads;

/// One chunk size, measured on the process pool and on threads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub chunk: usize,
    pub chunks: usize,
    /// Processes, one chunk at a time per worker.
    pub processes: Duration,
    /// Processes, two chunks in flight per worker.
    pub prefetched: Duration,
    pub threads: Duration,
    /// The sum of the counts (the same for every chunk size).
    pub primes: u64,
}

/// The sizes to try for `len` items: 1, 2, 5, 10, 20, 50, ... up to `len`,
/// plus `len` itself and Python's default for `workers`.
pub fn default_sizes(len: usize, workers: usize) -> Vec<usize> {
    let mut sizes: Vec<usize> = [1, 2, 5]
        .iter()
        .flat_map(|&m| (0..9).map(move |e| m * 10usize.pow(e)))
        .filter(|&s| s <= len)
        .collect();
    sizes.push(len.max(1));
    sizes.push(python_chunksize(len, workers).max(1));
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

// ANCHOR: sweep
/// Maps [`count_block`] over `items` with each chunk size: on a pool of
/// `workers` processes holding one chunk at a time, on another whose
/// workers hold two (both started once, outside the timing), and on
/// `workers` scoped threads. In `repeat` rounds; each keeps its fastest run.
pub fn sweep(
    spawner: &Spawner,
    items: &[(u64, u64)],
    workers: usize,
    sizes: &[usize],
    repeat: usize,
) -> Result<Vec<Point>> {
    let mut one_each = ProcessPool::start(spawner, workers)?;
    let mut two_each = ProcessPool::start(spawner, workers)?.with_prefetch(2);
    let mut points: Vec<Point> = sizes
        .iter()
        .map(|&chunk| Point {
            chunk,
            chunks: chunk_ranges(items.len(), chunk).len(),
            processes: Duration::MAX,
            prefetched: Duration::MAX,
            threads: Duration::MAX,
            primes: 0,
        })
        .collect();
    let expected: Vec<u64> = items.iter().map(count_block).collect();
    for _ in 0..repeat.max(1) {
        for point in &mut points {
            let (chunk, t) = (point.chunk, Instant::now());
            let a = one_each.map::<CountPrimes>(items, chunk)?;
            point.processes = point.processes.min(t.elapsed());
            let t = Instant::now();
            let b = two_each.map::<CountPrimes>(items, chunk)?;
            point.prefetched = point.prefetched.min(t.elapsed());
            let t = Instant::now();
            let c = threads::par_map(items, workers, chunk, count_block);
            point.threads = point.threads.min(t.elapsed());
            anyhow::ensure!(
                a == expected && b == expected && c == expected,
                "chunk size {chunk}: results differ"
            );
            point.primes = c.iter().sum();
        }
    }
    one_each.close()?;
    two_each.close()?;
    Ok(points)
}
// ANCHOR_END: sweep

//! The seed articles' two `Pool` examples, in Rust.
//!
//! 1. `Pool(4).map(process_data, [[1, 2, 3]] * 10)`, where `process_data`
//!    sums the squares of a list: ten results of 14, 140 in total.
//! 2. `Pool(8).map(test, range(100))`, where `test` prints its argument:
//!    the prints come out in runs of one chunk, interleaved between the
//!    workers, while the list `map` returns is in order.

use anyhow::Result;
use course_support::child::Spawner;
use rayon::prelude::*;

use crate::chunks::python_chunksize;
use crate::process_pool::{MapReport, ProcessPool};
use crate::remote::{PrintItem, SumOfSquares};
use crate::threads;

// ANCHOR: process_data
/// The seed's `process_data`: `sum(i * i for i in data)`.
pub fn process_data(data: &[i64]) -> i64 {
    data.iter().map(|i| i * i).sum()
}

/// The seed's input, `[[1, 2, 3]] * 10`.
pub fn seed_input() -> Vec<Vec<i64>> {
    vec![vec![1, 2, 3]; 10]
}
// ANCHOR_END: process_data

/// The seed's first example three ways.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumOfSquaresRuns {
    pub rayon: Vec<i64>,
    pub threads: Vec<i64>,
    pub processes: Vec<i64>,
}

// ANCHOR: sum_of_squares
/// `with Pool(workers) as p: results = p.map(process_data, [[1,2,3]]*10)`.
pub fn sum_of_squares(spawner: &Spawner, workers: usize) -> Result<SumOfSquaresRuns> {
    let data = seed_input();
    // rayon: the global pool, one thread per core.
    let rayon: Vec<i64> = data.par_iter().map(|d| process_data(d)).collect();
    // Scoped threads, `workers` of them, Python's default chunk size.
    let chunk = python_chunksize(data.len(), workers).max(1);
    let threads = threads::par_map(&data, workers, chunk, |d| process_data(d));
    // Worker processes: `process_data` runs in `workers` other processes.
    let mut pool = ProcessPool::start(spawner, workers)?;
    let processes = pool.map::<SumOfSquares>(&data, chunk)?;
    pool.close()?;
    Ok(SumOfSquaresRuns {
        rayon,
        threads,
        processes,
    })
}
// ANCHOR_END: sum_of_squares

// ANCHOR: printing
/// `pool = Pool(workers); pool.map(test, range(n))`, with Python's default
/// chunk size: what each worker printed, in the order the lines arrived.
pub fn printing(spawner: &Spawner, workers: usize, n: u64) -> Result<(usize, MapReport<u64>)> {
    let items: Vec<u64> = (0..n).collect();
    let chunk = python_chunksize(items.len(), workers).max(1);
    let mut pool = ProcessPool::start(spawner, workers)?;
    let report = pool.map_report::<PrintItem>(&items, chunk)?;
    pool.close()?;
    Ok((chunk, report))
}
// ANCHOR_END: printing

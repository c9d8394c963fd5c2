//! Run tasks at the same time.
//!
//! Python threads take turns under the GIL; Rust threads run truly at once.
//! Here you write the small tools that make that happen: run `n` tasks on `n`
//! threads at the same time, split a range of numbers into fair parts, and sum
//! a function over those parts in parallel (a tiny `Pool.map` plus `sum`).

use std::ops::Range;
use std::thread;

/// Runs `task(0)`, `task(1)`, ..., `task(n - 1)`, each on its own thread, all
/// at the same time, and returns their results in index order.
///
/// All `n` tasks must be running together: a task may wait for the others
/// (the tests make every task wait at a barrier until all `n` have arrived),
/// so starting one thread only after the previous one finished never ends.
/// Returns only once every task has finished. `n == 0` returns an empty `Vec`.
///
/// ```
/// let squares = run_together::run_in_parallel(4, |i| i * i);
/// assert_eq!(squares, [0, 1, 4, 9]);
/// ```
pub fn run_in_parallel<T, F>(n: usize, task: F) -> Vec<T>
where
    F: Fn(usize) -> T + Sync,
    T: Send,
{
    let task = &task;
    thread::scope(|s| {
        // Start every thread before joining any, or they would run one by one.
        let handles: Vec<_> = (0..n).map(|i| s.spawn(move || task(i))).collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a task panicked"))
            .collect()
    })
}

/// Splits `range` into exactly `parts` contiguous ranges, in order, whose
/// lengths differ by at most one (the longer ones first). When the range has
/// fewer numbers than `parts`, some parts are empty. `parts` must be at least 1.
///
/// ```
/// let parts = run_together::split_range(0..10, 3);
/// assert_eq!(parts, [0..4, 4..7, 7..10]);
/// ```
pub fn split_range(range: Range<u64>, parts: usize) -> Vec<Range<u64>> {
    let len = range.end.saturating_sub(range.start);
    let parts_u64 = parts as u64;
    let (base, extra) = (len / parts_u64, len % parts_u64);
    let mut start = range.start;
    (0..parts_u64)
        .map(|p| {
            let size = base + u64::from(p < extra);
            let part = start..start + size;
            start += size;
            part
        })
        .collect()
}

/// Calls `f` on each of the `workers` parts of `range` given by
/// [`split_range`], every part on its own thread and all at the same time, and
/// returns the sum of the results. `workers` must be at least 1.
///
/// ```
/// let n = run_together::sum_in_parallel(0..100, 4, |r| r.end - r.start);
/// assert_eq!(n, 100);
/// ```
pub fn sum_in_parallel<F>(range: Range<u64>, workers: usize, f: F) -> u64
where
    F: Fn(Range<u64>) -> u64 + Sync,
{
    let parts = split_range(range, workers);
    run_in_parallel(parts.len(), |i| f(parts[i].clone()))
        .into_iter()
        .sum()
}

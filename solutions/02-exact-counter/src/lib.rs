//! # Exercise: count exactly, from many threads (reference solution)
//!
//! Python's `counter += 1` from several threads can lose updates. Here you
//! count, from several threads, how many items of a slice match a predicate,
//! three ways, each of them exact:
//!
//! 1. [`count_with_mutex`]: one shared `Mutex<u64>` that every thread adds to;
//! 2. [`count_with_fetch_add`]: one shared `AtomicU64`, added to with `fetch_add`;
//! 3. [`count_with_local_sums`]: nothing shared; each thread counts its own part
//!    in a local variable, and you add up what the threads return.
//!
//! In all three, split `items` into (at most) `threads` parts and give each part
//! to its own thread, so that the predicate really runs on several threads at
//! the same time. `std::thread::scope` lets the threads borrow `items` and
//! `pred` without `Arc` or `'static`.
//!
//! Rules the tests check, for each function:
//! - the count is exact, even with many threads and a big slice;
//! - `pred` is called once per item, from `threads` threads running at once
//!   (so don't hold a lock while calling `pred`);
//! - `threads = 1` works, and so do more threads than items and an empty slice;
//! - `threads` is at least 1 (you may panic on 0).
//!
//! Run the tests with `cargo xtask check exercises exact-counter`, ask for a
//! hint with `cargo xtask hint exact-counter`.

// The grader also runs the tests in tests/model.rs under a model checker
// (loom), which tries every interleaving of your threads: with the `model`
// feature on, these names switch to its types. Your code reads as plain std.
#[cfg(not(feature = "model"))]
use std::{
    sync::Mutex,
    sync::atomic::{AtomicU64, Ordering::Relaxed},
    thread,
};
#[cfg(feature = "model")]
use model_sync::{
    sync::Mutex,
    sync::atomic::{AtomicU64, Ordering::Relaxed},
    thread,
};

/// At most `threads` contiguous parts of `items`, none of them empty.
fn parts(items: &[u64], threads: usize) -> std::slice::Chunks<'_, u64> {
    assert!(threads > 0, "threads must be at least 1");
    // Round up so that there are never more than `threads` parts.
    let size = items.len().div_ceil(threads).max(1);
    items.chunks(size)
}

/// How many of `items` satisfy `pred`, counted by `threads` threads that all
/// add 1 to one shared `std::sync::Mutex<u64>` for each match.
///
/// ```no_run
/// let evens = exact_counter::count_with_mutex(&[1, 2, 3, 4], 2, |x| x % 2 == 0);
/// assert_eq!(evens, 2);
/// ```
pub fn count_with_mutex(items: &[u64], threads: usize, pred: impl Fn(u64) -> bool + Sync) -> u64 {
    let count = Mutex::new(0u64);
    thread::scope(|s| {
        for part in parts(items, threads) {
            let (count, pred) = (&count, &pred);
            s.spawn(move || {
                for &item in part {
                    // Call pred first: the lock is held only for the addition.
                    if pred(item) {
                        *count.lock().unwrap() += 1;
                    }
                }
            });
        }
    });
    count.into_inner().unwrap()
}

/// How many of `items` satisfy `pred`, counted by `threads` threads that all
/// add 1 to one shared `std::sync::atomic::AtomicU64` with `fetch_add`.
pub fn count_with_fetch_add(
    items: &[u64],
    threads: usize,
    pred: impl Fn(u64) -> bool + Sync,
) -> u64 {
    let count = AtomicU64::new(0);
    thread::scope(|s| {
        for part in parts(items, threads) {
            let (count, pred) = (&count, &pred);
            s.spawn(move || {
                for &item in part {
                    if pred(item) {
                        // Read, add and write in one indivisible step.
                        count.fetch_add(1, Relaxed);
                    }
                }
            });
        }
    });
    // The scope joined every thread, so all the adds are visible here.
    count.into_inner()
}

/// How many of `items` satisfy `pred`, counted by `threads` threads that share
/// no counter: each counts its own part locally and returns its count; the
/// result is the sum of what the threads return when joined.
pub fn count_with_local_sums(
    items: &[u64],
    threads: usize,
    pred: impl Fn(u64) -> bool + Sync,
) -> u64 {
    let pred = &pred;
    thread::scope(|s| {
        let handles: Vec<_> = parts(items, threads)
            .map(|part| s.spawn(move || part.iter().filter(|&&item| pred(item)).count() as u64))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

//! # Exercise: count exactly, from many threads
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
#[cfg(feature = "model")]
#[allow(unused_imports)]
use model_sync::{
    sync::Mutex,
    sync::atomic::{AtomicU64, Ordering},
    thread,
};
#[cfg(not(feature = "model"))]
#[allow(unused_imports)] // the bodies are todo!(): your code will use these
use std::{
    sync::Mutex,
    sync::atomic::{AtomicU64, Ordering},
    thread,
};

/// How many of `items` satisfy `pred`, counted by `threads` threads that all
/// add 1 to one shared `std::sync::Mutex<u64>` for each match.
///
/// ```no_run
/// let evens = exact_counter::count_with_mutex(&[1, 2, 3, 4], 2, |x| x % 2 == 0);
/// assert_eq!(evens, 2);
/// ```
pub fn count_with_mutex(items: &[u64], threads: usize, pred: impl Fn(u64) -> bool + Sync) -> u64 {
    todo!("spawn threads in a scope; each locks the shared Mutex<u64> to add 1 per match")
}

/// How many of `items` satisfy `pred`, counted by `threads` threads that all
/// add 1 to one shared `std::sync::atomic::AtomicU64` with `fetch_add`.
pub fn count_with_fetch_add(
    items: &[u64],
    threads: usize,
    pred: impl Fn(u64) -> bool + Sync,
) -> u64 {
    todo!("spawn threads in a scope; each calls fetch_add(1, ...) on a shared AtomicU64 per match")
}

/// How many of `items` satisfy `pred`, counted by `threads` threads that share
/// no counter: each counts its own part locally and returns its count; the
/// result is the sum of what the threads return when joined.
pub fn count_with_local_sums(
    items: &[u64],
    threads: usize,
    pred: impl Fn(u64) -> bool + Sync,
) -> u64 {
    todo!("spawn threads in a scope; each returns its own count; add up the join results")
}

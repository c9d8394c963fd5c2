//! `Pool.map` and `imap_unordered` with rayon.
//!
//! rayon keeps a pool of threads, one per core by default, and splits
//! parallel iterators among them by work stealing: an idle thread steals
//! half of a busy thread's remaining range. So the "chunks" are chosen for
//! you, and `with_min_len(n)` plays the part of `chunksize`: rayon never
//! splits a piece smaller than `n` items.

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;

use anyhow::{Context, Result};
use rayon::ThreadPool;
use rayon::prelude::*;

use crate::chunks::count_block;
use crate::threads::{Outcome, TaskPanicked, panic_message};

/// A rayon pool with exactly `threads` threads (the global pool has one per
/// core; a pool of its own lets us measure 1, 2, 3, ... threads).
pub fn pool(threads: usize) -> Result<ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("rayon-{i}"))
        .build()
        .context("building a rayon thread pool")
}

// ANCHOR: map_ordered
/// `Pool.map`: `par_iter().map(f).collect()` keeps input order, whatever
/// order the threads finish in: each piece writes its results into its own
/// place of the output `Vec`.
pub fn map_ordered<T, R, F>(pool: &ThreadPool, items: &[T], min_len: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    pool.install(|| items.par_iter().with_min_len(min_len).map(f).collect())
}
// ANCHOR_END: map_ordered

// ANCHOR: imap_unordered
/// `imap_unordered`: `par_bridge()` hands items of an ordinary iterator to
/// the pool's threads as they become free (lazily, like Python's `imap`
/// reads its iterable), and each result goes into a channel the moment it
/// is ready. The receiver sees completion order. A panicking item is sent
/// as an `Err` and the rest still run.
pub fn imap_unordered<I, R, F>(pool: &ThreadPool, items: I, f: F) -> mpsc::IntoIter<Outcome<R>>
where
    I: IntoIterator + Send + 'static,
    I::IntoIter: Send,
    I::Item: Send,
    R: Send + 'static,
    F: Fn(I::Item) -> R + Send + Sync + 'static,
{
    let (tx, rx) = mpsc::channel();
    pool.spawn(move || {
        items
            .into_iter()
            .enumerate()
            .par_bridge()
            .for_each_with(tx, |tx, (index, item)| {
                let outcome = panic::catch_unwind(AssertUnwindSafe(|| f(item)))
                    .map(|value| (index, value))
                    .map_err(|p| TaskPanicked {
                        index,
                        message: panic_message(&*p),
                    });
                let _ = tx.send(outcome); // the receiver may be gone: fine
            });
        // Every clone of `tx` is dropped here: the receiver's loop ends.
    });
    rx.into_iter()
}
// ANCHOR_END: imap_unordered

// ANCHOR: count_rayon
/// The prime count of every block on `pool`, summed.
pub fn count_primes(pool: &ThreadPool, blocks: &[(u64, u64)], min_len: usize) -> u64 {
    pool.install(|| {
        blocks
            .par_iter()
            .with_min_len(min_len)
            .map(count_block)
            .sum()
    })
}
// ANCHOR_END: count_rayon

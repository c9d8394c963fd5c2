//! Three exact ways to count from many threads, and the single-thread baseline
//! they are measured against.
//!
//! Every function here spawns `threads` threads that each add 1 `increments`
//! times, and returns the final count: always `threads * increments`.

use crate::sync::Mutex;
use crate::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::hint::black_box;

use crate::together;

// ANCHOR: baseline
/// One thread, one plain `u64`: what an increment costs when nothing is shared.
pub fn plain_loop(increments: u64) -> u64 {
    let mut counter = 0u64;
    for _ in 0..increments {
        // black_box: without it the optimiser replaces the loop by
        // `counter = increments`, and we would time nothing.
        counter = black_box(counter + 1);
    }
    counter
}
// ANCHOR_END: baseline

// ANCHOR: mutex
/// Fix 1: a `Mutex` makes read-add-write one step as far as others can see.
pub fn mutex_count(threads: usize, increments: u64) -> u64 {
    let counter = Mutex::new(0u64);
    together(threads, |_| {
        for _ in 0..increments {
            // The guard lives to the end of this statement: lock, add, unlock.
            *counter.lock().unwrap() += 1;
        }
    });
    counter.into_inner().unwrap()
}
// ANCHOR_END: mutex

// ANCHOR: fetch_add
/// Fix 2: one atomic instruction reads, adds and writes, with no gap between.
pub fn atomic_count(threads: usize, increments: u64) -> u64 {
    let counter = AtomicU64::new(0);
    together(threads, |_| {
        for _ in 0..increments {
            // Relaxed is enough: we need each add to be indivisible, not any
            // ordering with other memory. Joining the threads publishes the total.
            counter.fetch_add(1, Relaxed);
        }
    });
    counter.into_inner()
}
// ANCHOR_END: fetch_add

// ANCHOR: local_sums
/// Fix 3: share nothing. Each thread counts in its own local variable and
/// returns it; the totals are added up after the threads are joined.
pub fn local_sums_count(threads: usize, increments: u64) -> u64 {
    let per_thread = together(threads, |_| {
        let mut mine = 0u64;
        for _ in 0..increments {
            mine = black_box(mine + 1); // black_box: same loop as the baseline
        }
        mine
    });
    per_thread.iter().sum()
}
// ANCHOR_END: local_sums

// ANCHOR: neighbours
/// Eight `AtomicU64`s filling one 64-byte cache line, aligned to start one.
#[repr(align(64))]
struct CacheLine([AtomicU64; 8]);

/// Not a fix but a control: each thread has its own atomic counter, so no
/// value is shared, yet up to eight counters sit side by side in one line.
pub fn neighbour_counters(threads: usize, increments: u64) -> u64 {
    let lines: Vec<CacheLine> = (0..threads.div_ceil(8))
        .map(|_| CacheLine(Default::default()))
        .collect();
    together(threads, |i| {
        let mine = &lines[i / 8].0[i % 8]; // 8 bytes from the next thread's
        for _ in 0..increments {
            mine.fetch_add(1, Relaxed);
        }
    });
    lines
        .iter()
        .flat_map(|l| &l.0)
        .map(|c| c.load(Relaxed))
        .sum()
}
// ANCHOR_END: neighbours

// ANCHOR: padded
/// One `AtomicU64` alone in 128 bytes: its own 64-byte cache line, and the
/// neighbouring line that x86 prefetchers like to fetch along with it.
#[repr(align(128))]
#[derive(Default)]
struct Alone(AtomicU64);

/// The same work as [`neighbour_counters`], with every counter on its own line.
pub fn padded_counters(threads: usize, increments: u64) -> u64 {
    let counters: Vec<Alone> = (0..threads).map(|_| Alone::default()).collect();
    together(threads, |i| {
        let mine = &counters[i].0;
        for _ in 0..increments {
            mine.fetch_add(1, Relaxed);
        }
    });
    counters.iter().map(|c| c.0.load(Relaxed)).sum()
}
// ANCHOR_END: padded

//! Lesson 02: `counter += 1` from many threads.
//!
//! Python's seed example adds 1 to a global counter from 10 threads, 1,000
//! times each, and may print less than 10,000. This lesson shows why (the add
//! is a read, an add and a write, and a thread switch can fall between them),
//! why the same program does not compile in Rust (see `tests/ui/`), how to make
//! the lost update visible without undefined behaviour, three exact fixes and
//! what each one costs, and the seed's lock-protected download total.
//!
//! - [`lost_update`]: the race, done safely with an atomic load then store.
//! - [`fixes`]: `Mutex`, `fetch_add`, and per-thread sums.
//! - [`cost`]: nanoseconds per increment of every variant, in one run.
//! - [`downloads`]: the download total under a lock, and without shared state.
//! - [`sync`]: std's types, or the model checker's (`tests/model.rs`).

use crate::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::sync::thread;

pub mod cost;
pub mod downloads;
pub mod fixes;
pub mod lost_update;
pub mod sync;

// ANCHOR: together
/// Runs `work(i)` on `threads` scoped threads (`i` is `0..threads`) that all
/// start at the same moment, and returns what each returned, in order.
pub fn together<T: Send>(threads: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    // A start gate: nobody starts until every thread exists, so the threads
    // really overlap instead of the first finishing before the last is spawned.
    // Early threads wait awake (yielding, so late ones get a core) rather than
    // asleep in a `Barrier`: waking a sleeping thread can take longer than the
    // whole run we want to overlap.
    let arrived = AtomicUsize::new(0);
    thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                let (arrived, work) = (&arrived, &work);
                s.spawn(move || {
                    arrived.fetch_add(1, SeqCst);
                    while arrived.load(SeqCst) < threads {
                        thread::yield_now();
                    }
                    work(i)
                })
            })
            .collect();
        // A panicking worker is a bug in the demo: pass it on, don't hide it.
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}
// ANCHOR_END: together

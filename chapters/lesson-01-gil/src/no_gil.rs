//! Why Rust needs no interpreter lock.
//!
//! CPython's lock protects the interpreter's own data (reference counts,
//! dictionaries, lists) from threads that touch it at the same time. Rust
//! moves that check to compile time: a value may go to another thread only if
//! its type is `Send`, and be shared between threads only if it is `Sync`. Code
//! that could race on plain data does not compile, so there is nothing left
//! for a global lock to protect, and threads run on every core.
//!
//! Two programs the compiler rejects (both are doc tests that must fail to compile):
//!
//! ```compile_fail,E0499
#![doc = include_str!("../snippets/racy_counter.rs")]
//! ```
//!
//! ```compile_fail,E0277
#![doc = include_str!("../snippets/rc_to_thread.rs")]
//! ```

use std::thread;

use course_support::is_prime;

// ANCHOR: scoped
/// Counts the primes in `numbers` with `threads` threads that all read the same
/// slice at once: no lock, no copy, no `Arc`. `thread::scope` guarantees the
/// threads finish before `numbers` can be freed, and `&[u64]` is `Sync`
/// (shared reads are safe), so the compiler accepts it.
pub fn count_primes_shared(numbers: &[u64], threads: usize) -> u64 {
    let per_thread = numbers.len().div_ceil(threads.max(1)).max(1);
    thread::scope(|s| {
        let handles: Vec<_> = numbers
            .chunks(per_thread)
            .map(|part| s.spawn(move || part.iter().filter(|&&n| is_prime(n)).count() as u64))
            .collect();
        // Each thread returns its own count: nothing is shared mutably.
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}
// ANCHOR_END: scoped

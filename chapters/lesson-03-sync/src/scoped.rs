//! Scoped threads: `std::thread::scope` joins every thread it spawned before
//! it returns, so those threads may borrow the caller's local variables,
//! even mutably, with no `Arc`, no clone and no `'static`.
//!
//! `thread::spawn` can't promise that the thread ends before the data does,
//! so it demands `'static` data: the old way is `Arc` around a shared copy.

use std::sync::Arc;
use std::thread;

// ANCHOR: arc
/// The pre-scope way: `thread::spawn` needs `'static` data, so the threads
/// share the numbers through an `Arc` and each gets a clone of the pointer.
pub fn sum_with_arc(numbers: Arc<Vec<u64>>, threads: usize) -> u64 {
    let chunk = numbers.len().div_ceil(threads).max(1);
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let numbers = Arc::clone(&numbers);
            thread::spawn(move || {
                let start = (t * chunk).min(numbers.len());
                let end = ((t + 1) * chunk).min(numbers.len());
                numbers[start..end].iter().sum::<u64>()
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).sum()
}
// ANCHOR_END: arc

// ANCHOR: scoped
/// The same with scoped threads: each thread borrows its own chunk.
pub fn sum_scoped(numbers: &[u64], threads: usize) -> u64 {
    let chunk = numbers.len().div_ceil(threads).max(1);
    thread::scope(|s| {
        let handles: Vec<_> = numbers
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().sum::<u64>()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    }) // every thread has been joined here, so the borrows have ended
}

/// Multiplies every number in place: each thread gets a disjoint `&mut`
/// chunk, so there is nothing to lock.
pub fn scale_in_place(numbers: &mut [u64], threads: usize, factor: u64) -> usize {
    let chunk = numbers.len().div_ceil(threads).max(1);
    thread::scope(|s| {
        for part in numbers.chunks_mut(chunk) {
            s.spawn(move || part.iter_mut().for_each(|n| *n *= factor));
        }
    });
    numbers.len().div_ceil(chunk) // how many threads actually ran
}
// ANCHOR_END: scoped

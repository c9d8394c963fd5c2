//! An ordered parallel map with a chunk size: Python's `Pool.map`.
//!
//! `Pool(workers).map(f, items, chunksize)` cuts `items` into chunks of
//! `chunksize` consecutive items, lets `workers` workers take chunks as they
//! become free, and returns the results **in input order**, however the
//! work was spread. You build the same on OS threads: first the chunking,
//! then the map.
//!
//! Replace each `todo!()`. Check your work with
//! `cargo xtask check exercises par-map-ordered`; stuck?
//! `cargo xtask hint par-map-ordered`.

use std::ops::Range;

/// The index ranges of `len` items cut into chunks of `chunk_size`, in
/// order: every index in `0..len` is in exactly one chunk, every chunk is
/// non-empty, and only the last one may be shorter than `chunk_size`. No
/// items give no chunks; a `chunk_size` of `len` or more gives one chunk.
///
/// # Panics
///
/// If `chunk_size` is 0, with the message `"chunk_size must be at least 1"`.
///
/// ```
/// use par_map_ordered::chunks;
/// assert_eq!(chunks(7, 3), [0..3, 3..6, 6..7]);
/// assert!(chunks(0, 3).is_empty());
/// ```
pub fn chunks(len: usize, chunk_size: usize) -> Vec<Range<usize>> {
    todo!()
}

/// `Pool(workers).map(f, items, chunk_size)` on OS threads: calls `f` on
/// every item exactly once and returns the results in input order.
///
/// - Cut the items with [`chunks`]. A chunk is the unit of work: one worker
///   runs `f` on all of its items, one after another.
/// - Start `workers` threads (fewer if there are fewer chunks), all running
///   at the same time. Each takes the **next** chunk nobody has taken yet,
///   whenever it is free, so a slow chunk never holds up the chunks after
///   it: the other workers take them.
/// - Never more than `workers` calls of `f` run at once.
/// - If `f` panics, `par_map` panics too (with the same payload), after
///   every worker has stopped, as `Pool.map` re-raises a task's exception.
///
/// # Panics
///
/// If `workers` is 0 (`"workers must be at least 1"`), if `chunk_size` is
/// 0 (`"chunk_size must be at least 1"`), or if `f` panics.
///
/// ```
/// let squares = par_map_ordered::par_map(&[1, 2, 3, 4, 5], 2, 2, |x| x * x);
/// assert_eq!(squares, [1, 4, 9, 16, 25]);
/// ```
pub fn par_map<T, R, F>(items: &[T], workers: usize, chunk_size: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    todo!()
}

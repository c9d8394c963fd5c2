//! Cutting work into pieces: the items of a map into chunks, and a range of
//! numbers into blocks.
//!
//! `Pool.map(f, items, chunksize)` does not send items to workers one by
//! one: it cuts the list into chunks of `chunksize` consecutive items and
//! sends each chunk as one task. Every pool in this lesson does the same,
//! with [`chunk_ranges`].

use std::ops::Range;

// ANCHOR: chunk_ranges
/// The index ranges of `len` items cut into chunks of `chunk_size`, in
/// order: every index in `0..len` is in exactly one chunk, and only the last
/// chunk may be shorter. `len == 0` gives no chunks; a chunk size larger than
/// `len` gives one chunk with everything.
///
/// # Panics
///
/// If `chunk_size` is 0 (`Pool.imap` raises `ValueError` for that).
pub fn chunk_ranges(len: usize, chunk_size: usize) -> Vec<Range<usize>> {
    assert!(chunk_size >= 1, "chunk_size must be at least 1");
    (0..len)
        .step_by(chunk_size)
        .map(|start| start..len.min(start + chunk_size))
        .collect()
}
// ANCHOR_END: chunk_ranges

// ANCHOR: python_chunksize
/// The chunk size `Pool.map` picks when you pass none: about four chunks per
/// worker, `ceil(len / (4 * workers))`, and 0 for an empty list (CPython's
/// `multiprocessing/pool.py`, `_map_async`).
pub fn python_chunksize(len: usize, workers: usize) -> usize {
    let per = 4 * workers.max(1);
    len.div_ceil(per)
}
// ANCHOR_END: python_chunksize

/// `range` cut into `count` consecutive blocks whose sizes differ by at most
/// one, as `(start, end)` pairs: block `i` is
/// `start + len * i / count .. start + len * (i + 1) / count`, the formula
/// the Python script uses too, so both count primes in the same blocks.
pub fn blocks(range: Range<u64>, count: usize) -> Vec<(u64, u64)> {
    let count = count.max(1) as u64;
    let len = range.end.saturating_sub(range.start);
    (0..count)
        .map(|i| {
            (
                range.start + len * i / count,
                range.start + len * (i + 1) / count,
            )
        })
        .collect()
}

/// The prime count of one block: the function every pool maps.
pub fn count_block(&(start, end): &(u64, u64)) -> u64 {
    course_support::count_primes(start..end)
}

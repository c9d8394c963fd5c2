//! A `rows x cols` matrix of `f64` in a shared segment: Python's
//! `np.ndarray(shape, dtype=np.float64, buffer=shm.buf)`.
//!
//! The segment starts with one page of [`Header`] (the shape, and a few
//! atomics the workers use to report), then the numbers, row after row. The
//! header lets a child that knows only the segment's *name* find the shape
//! and check that it opened the right thing.
//!
//! Who may touch which bytes when is a protocol between processes, which the
//! compiler cannot see:
//!
//! - the parent writes the data before it starts a round and reads it after
//!   every worker has reported back; during a round it holds no reference
//!   (the round borrows the matrix mutably, see [`crate::workers::ShmPool`]);
//! - during a round each worker writes its own band of rows and nothing else.
//!
//! [`SharedMatrix::open`] is `unsafe` because that is where a process
//! promises to keep to it.

use std::ops::Range;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use anyhow::{Result, bail, ensure};

use crate::segment::Segment;

/// The most workers (bands) the header has room for.
pub const MAX_BANDS: usize = 64;

/// Bytes before the first number: one page, so the data is page-aligned.
pub const DATA_OFFSET: usize = 4096;

const MAGIC: u64 = u64::from_le_bytes(*b"L06-MTX1");

// ANCHOR: header
/// The first page of the segment.
#[derive(Debug)]
#[repr(C)]
pub struct Header {
    magic: u64,
    rows: u64,
    cols: u64,
    /// Bands finished, over all rounds: each worker adds 1 (Release) after
    /// writing its band; the parent reads it (Acquire) after a round.
    pub bands_done: AtomicU64,
    /// The pid of the process that last wrote each band: proof that the
    /// numbers the parent reads were written by a child.
    pub band_writer: [AtomicU32; MAX_BANDS],
}
// ANCHOR_END: header

const _: () = assert!(size_of::<Header>() <= DATA_OFFSET);

/// A matrix in shared memory, created here (the owner) or opened by name.
#[derive(Debug)]
pub struct SharedMatrix {
    segment: Segment,
    rows: usize,
    cols: usize,
}

/// How many bytes a `rows x cols` matrix needs, header included.
pub fn segment_size(rows: usize, cols: usize) -> Result<usize> {
    rows.checked_mul(cols)
        .and_then(|n| n.checked_mul(size_of::<f64>()))
        .and_then(|n| n.checked_add(DATA_OFFSET))
        .ok_or_else(|| anyhow::anyhow!("a {rows} x {cols} matrix is too big"))
}

impl SharedMatrix {
    // ANCHOR: create
    /// Creates a zero-filled `rows x cols` matrix in a new segment.
    pub fn create(rows: usize, cols: usize) -> Result<SharedMatrix> {
        ensure!(
            rows > 0 && cols > 0,
            "a matrix needs at least one row and one column"
        );
        let segment = Segment::create(segment_size(rows, cols)?)?;
        let header = segment.as_ptr().cast::<Header>();
        // SAFETY: the segment is fresh, page-aligned, zero-filled and big
        // enough for a Header, and no other process knows its name yet. Zero
        // bytes are valid atomics; we write the three plain fields.
        unsafe {
            (&raw mut (*header).magic).write(MAGIC);
            (&raw mut (*header).rows).write(rows as u64);
            (&raw mut (*header).cols).write(cols as u64);
        }
        Ok(SharedMatrix {
            segment,
            rows,
            cols,
        })
    }
    // ANCHOR_END: create

    // ANCHOR: open
    /// Maps the matrix that another process created under `name`.
    ///
    /// # Safety
    ///
    /// While the returned handle lives, this process must only write rows
    /// that no other process reads or writes at the same time, and only read
    /// rows that nobody writes at the same time. The band protocol of
    /// [`crate::workers`] guarantees it: the parent waits while the workers
    /// write disjoint bands.
    pub unsafe fn open(name: &str) -> Result<SharedMatrix> {
        let segment = Segment::open(name)?;
        if segment.len() < DATA_OFFSET {
            bail!("{name} is too small to be a matrix");
        }
        let header = segment.as_ptr().cast::<Header>();
        // SAFETY: at least DATA_OFFSET bytes are mapped; the owner wrote
        // these fields before any child learned the name, and never again.
        let (magic, rows, cols) = unsafe {
            (
                (&raw const (*header).magic).read(),
                (&raw const (*header).rows).read() as usize,
                (&raw const (*header).cols).read() as usize,
            )
        };
        ensure!(magic == MAGIC, "{name} does not hold a lesson-06 matrix");
        ensure!(
            segment_size(rows, cols)? <= segment.len(),
            "{name} is smaller than its header says"
        );
        Ok(SharedMatrix {
            segment,
            rows,
            cols,
        })
    }
    // ANCHOR_END: open

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The segment's name, for the children's command lines.
    pub fn name(&self) -> &str {
        self.segment.name()
    }

    /// The segment itself (to unlink it early, or ask its size).
    pub fn segment(&self) -> &Segment {
        &self.segment
    }

    pub fn segment_mut(&mut self) -> &mut Segment {
        &mut self.segment
    }

    /// The header: only atomics may change after creation, so a shared
    /// reference is sound while other processes update them.
    pub fn header(&self) -> &Header {
        // SAFETY: mapped, aligned, initialised at creation; see above.
        unsafe { &*self.segment.as_ptr().cast::<Header>() }
    }

    fn data_ptr(&self) -> *mut f64 {
        // SAFETY: DATA_OFFSET is inside the mapping (checked at create/open);
        // the mapping is page-aligned, so the f64s are aligned too.
        unsafe { self.segment.as_ptr().add(DATA_OFFSET).cast::<f64>() }
    }

    /// All the numbers, row after row. In the parent: only between rounds.
    pub fn data(&self) -> &[f64] {
        // SAFETY: rows*cols f64s are mapped; any bit pattern is a valid f64;
        // no process writes them while we hold `&self` (the protocol).
        unsafe { std::slice::from_raw_parts(self.data_ptr(), self.rows * self.cols) }
    }

    /// All the numbers, to fill them. In the parent: only between rounds.
    pub fn data_mut(&mut self) -> &mut [f64] {
        // SAFETY: as for `data`, and `&mut self` excludes our own readers.
        unsafe { std::slice::from_raw_parts_mut(self.data_ptr(), self.rows * self.cols) }
    }

    /// Rows `rows` only: what a worker writes during a round.
    pub fn rows_mut(&mut self, rows: Range<usize>) -> &mut [f64] {
        assert!(rows.start <= rows.end && rows.end <= self.rows);
        let cols = self.cols;
        &mut self.data_mut()[rows.start * cols..rows.end * cols]
    }
}

// ANCHOR: bands
/// The rows of band `i` of `n`: contiguous, in order, sizes differing by at
/// most one, together covering `0..rows` exactly once.
pub fn band(rows: usize, i: usize, n: usize) -> Range<usize> {
    i * rows / n..(i + 1) * rows / n
}
// ANCHOR_END: bands

// ANCHOR: fill
/// The starting value of cell `(r, c)`. Multiples of 1/8 below 128, so the
/// numbers stay exact through scaling by 2 and through JSON text (serde_json
/// parses short decimals exactly): every way of transforming the matrix must
/// then give the same bits.
pub fn initial_value(r: usize, c: usize) -> f64 {
    ((r * 31 + c * 17) % 1024) as f64 / 8.0 - 64.0
}

/// Fills `data` (a `cols`-wide matrix) with [`initial_value`].
pub fn fill(data: &mut [f64], cols: usize) {
    for (r, row) in data.chunks_mut(cols).enumerate() {
        for (c, x) in row.iter_mut().enumerate() {
            *x = initial_value(r, c);
        }
    }
}
// ANCHOR_END: fill

// ANCHOR: scale
/// The work every mode does: `x *= factor` for each number (numpy's
/// `a[rows] *= factor`).
pub fn scale(xs: &mut [f64], factor: f64) {
    for x in xs {
        *x *= factor;
    }
}
// ANCHOR_END: scale

/// What the matrix must hold after `rounds` rounds of [`scale`] by `factor`,
/// computed in this process: the reference every other mode is checked
/// against.
pub fn reference(rows: usize, cols: usize, factor: f64, rounds: usize) -> Vec<f64> {
    let mut data = vec![0.0; rows * cols];
    fill(&mut data, cols);
    for _ in 0..rounds {
        scale(&mut data, factor);
    }
    data
}

/// Same bits, not just equal values (`-0.0 == 0.0`, `NaN != NaN`).
pub fn identical(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

/// Records that `pid` wrote band `band`, and that one more band is done.
/// Release: whoever reads `bands_done` with Acquire and sees our increment
/// also sees every number we wrote before it.
pub fn report_band_done(header: &Header, band: usize, pid: u32) {
    header.band_writer[band].store(pid, Ordering::Relaxed);
    header.bands_done.fetch_add(1, Ordering::Release);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_every_row_once() {
        for rows in [1, 7, 1000] {
            for n in 1..=8.min(rows) {
                let bands: Vec<_> = (0..n).map(|i| band(rows, i, n)).collect();
                assert_eq!(bands[0].start, 0);
                assert_eq!(bands[n - 1].end, rows);
                for w in bands.windows(2) {
                    assert_eq!(w[0].end, w[1].start);
                }
                let sizes: Vec<_> = bands.iter().map(|b| b.len()).collect();
                assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
            }
        }
    }

    #[test]
    fn values_survive_json() {
        let data = reference(20, 30, 2.0, 5);
        let text = serde_json::to_string(&data).unwrap();
        let back: Vec<f64> = serde_json::from_str(&text).unwrap();
        assert!(identical(&data, &back));
    }

    #[test]
    fn sizes_overflow_cleanly() {
        assert_eq!(segment_size(2, 3).unwrap(), DATA_OFFSET + 48);
        assert!(segment_size(usize::MAX, 2).is_err());
    }
}

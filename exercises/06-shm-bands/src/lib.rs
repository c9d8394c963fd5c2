//! # Exercise: one matrix in shared memory, one band of rows per worker
//!
//! Python's `SharedMemory` plus `np.ndarray(buffer=shm.buf)` puts an array
//! where every worker can write to it; each worker then takes a *band* of
//! rows and transforms it in place, and nobody copies the array anywhere.
//! Here you build the three pieces in Rust:
//!
//! 1. [`band`]: which rows worker `i` of `n` owns;
//! 2. [`ShmMatrix`]: a `rows x cols` matrix of `f64` in a named shared
//!    segment (the `shared_memory` crate), created, or opened by name;
//! 3. [`transform_in_bands`]: `workers` threads, each writing its own band
//!    of one shared buffer in place, all at the same time.
//!
//! Rules the tests check:
//! - the bands are contiguous, in order, cover every row exactly once, and
//!   their sizes differ by at most one;
//! - a new matrix is zero-filled, named `/shm-bands-<pid>-<n>` (unique per
//!   call), listed in `/dev/shm` while its creator holds it and unlinked
//!   when the creator drops it; an opened matrix never unlinks;
//! - every cell is written exactly once, with `f(row, col, old value)`, and
//!   the result equals doing it sequentially;
//! - all `workers` run at the same time, each on exactly one band, and each
//!   calls `on_start(i)` once before it touches its band.
//!
//! Run the tests with `cargo xtask check exercises shm-bands`, ask for a
//! hint with `cargo xtask hint shm-bands`.

use std::ops::Range;

use shared_memory::Shmem;

/// Every matrix's name starts with `/` and this.
pub const PREFIX: &str = "shm-bands-";

/// Errors: whatever went wrong, in words.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The rows of band `i` of `n` (`i < n`) for a matrix of `rows` rows.
pub fn band(rows: usize, i: usize, n: usize) -> Range<usize> {
    todo!("contiguous, in order, sizes differing by at most one")
}

/// A `rows x cols` matrix of `f64` in a named shared-memory segment, row
/// after row from the segment's first byte.
pub struct ShmMatrix {
    shmem: Shmem,
    rows: usize,
    cols: usize,
}

impl std::fmt::Debug for ShmMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShmMatrix")
            .field("name", &self.shmem.get_os_id())
            .field("rows", &self.rows)
            .field("cols", &self.cols)
            .finish()
    }
}

impl ShmMatrix {
    /// Creates a zero-filled matrix in a new segment named
    /// `/shm-bands-<our pid>-<n>` (`n` differs on every call). This handle
    /// owns it: dropping it unlinks the name. `rows` or `cols` 0 is an error.
    pub fn create(rows: usize, cols: usize) -> Result<ShmMatrix, Error> {
        todo!("ShmemConf::new().size(..).os_id(..).create()")
    }

    /// Maps the matrix someone else created under `name`, with this shape.
    /// An error if there is no such segment or it is too small for the shape.
    pub fn open(name: &str, rows: usize, cols: usize) -> Result<ShmMatrix, Error> {
        todo!("ShmemConf::new().os_id(name).open(), then check its size")
    }

    /// The name to open it by.
    pub fn name(&self) -> &str {
        todo!()
    }

    pub fn rows(&self) -> usize {
        todo!()
    }

    pub fn cols(&self) -> usize {
        todo!()
    }

    /// All `rows * cols` numbers, row after row.
    pub fn as_slice(&self) -> &[f64] {
        todo!("a slice over the mapping")
    }

    /// All the numbers, to change them in place.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        todo!("a mutable slice over the mapping")
    }
}

/// Sets every cell `(r, c)` of the `cols`-wide matrix `data` to
/// `f(r, c, old)`, with `workers` threads running at the same time: worker
/// `i` owns rows `band(rows, i, workers)`, calls `on_start(i)` once before it
/// touches them (even if its band is empty), and writes them in place.
pub fn transform_in_bands(
    data: &mut [f64],
    cols: usize,
    workers: usize,
    on_start: impl Fn(usize) + Sync,
    f: impl Fn(usize, usize, f64) -> f64 + Sync,
) {
    todo!("split data into bands with split_at_mut; one scoped thread per band")
}

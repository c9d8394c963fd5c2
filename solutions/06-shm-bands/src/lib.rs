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
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use shared_memory::{Shmem, ShmemConf};

/// Every matrix's name starts with `/` and this.
pub const PREFIX: &str = "shm-bands-";

/// Errors: whatever went wrong, in words.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The rows of band `i` of `n` (`i < n`) for a matrix of `rows` rows.
pub fn band(rows: usize, i: usize, n: usize) -> Range<usize> {
    i * rows / n..(i + 1) * rows / n
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
        if rows == 0 || cols == 0 {
            return Err("a matrix needs at least one row and one column".into());
        }
        static N: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "/{PREFIX}{}-{}",
            std::process::id(),
            N.fetch_add(1, Relaxed)
        );
        let size = rows
            .checked_mul(cols)
            .and_then(|n| n.checked_mul(size_of::<f64>()))
            .ok_or("the matrix is too big")?;
        let shmem = ShmemConf::new().size(size).os_id(&name).create()?;
        Ok(ShmMatrix { shmem, rows, cols })
    }

    /// Maps the matrix someone else created under `name`, with this shape.
    /// An error if there is no such segment or it is too small for the shape.
    pub fn open(name: &str, rows: usize, cols: usize) -> Result<ShmMatrix, Error> {
        let shmem = ShmemConf::new().os_id(name).open()?;
        let need = rows.checked_mul(cols).and_then(|n| n.checked_mul(8));
        if need.is_none_or(|need| shmem.len() < need) {
            return Err(format!("{name} is too small for a {rows} x {cols} matrix").into());
        }
        Ok(ShmMatrix { shmem, rows, cols })
    }

    /// The name to open it by.
    pub fn name(&self) -> &str {
        self.shmem.get_os_id()
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// All `rows * cols` numbers, row after row.
    pub fn as_slice(&self) -> &[f64] {
        // SAFETY: the mapping is page-aligned and holds rows*cols f64s (checked
        // at create/open); any bytes are a valid f64; in these tests only this
        // process's threads touch it, through these borrows.
        unsafe {
            std::slice::from_raw_parts(self.shmem.as_ptr().cast::<f64>(), self.rows * self.cols)
        }
    }

    /// All the numbers, to change them in place.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        // SAFETY: as above; `&mut self` excludes other borrows of this mapping.
        unsafe {
            std::slice::from_raw_parts_mut(self.shmem.as_ptr().cast::<f64>(), self.rows * self.cols)
        }
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
    assert!(cols > 0 && workers > 0 && data.len().is_multiple_of(cols));
    let rows = data.len() / cols;
    let (f, on_start) = (&f, &on_start);
    std::thread::scope(|s| {
        let mut rest = data;
        for i in 0..workers {
            let rows_i = band(rows, i, workers);
            let (mine, tail) = rest.split_at_mut(rows_i.len() * cols);
            rest = tail;
            s.spawn(move || {
                on_start(i);
                for (k, x) in mine.iter_mut().enumerate() {
                    *x = f(rows_i.start + k / cols, k % cols, *x);
                }
            });
        }
    });
}

//! The flags several demos share: the matrix's shape, the timed rounds, and the
//! `Setup` built from them.

use anyhow::Result;
use course_support::cli::{finite, usize_in};
use course_support::cores;
use lesson_06_shared_memory::compare::Setup;
use lesson_06_shared_memory::matrix::MAX_BANDS;

/// The matrix and how many workers share it.
#[derive(Debug, Clone, Copy, clap::Args)]
pub(crate) struct Shape {
    #[arg(long, default_value_t = 1000, value_parser = usize_in(1..=5_000))]
    pub(crate) rows: usize,
    #[arg(long, default_value_t = 1000, value_parser = usize_in(1..=5_000))]
    pub(crate) cols: usize,
    /// Worker processes, one band of rows each [default: the cores, 2 to 8].
    #[arg(long, value_parser = usize_in(1..=MAX_BANDS as u64))]
    pub(crate) workers: Option<usize>,
}

impl Shape {
    pub(crate) fn workers(&self) -> usize {
        self.workers.unwrap_or_else(default_workers)
    }

    /// Refuses more workers than rows, in words.
    pub(crate) fn checked(self) -> Result<Self> {
        let w = self.workers();
        anyhow::ensure!(
            w <= self.rows,
            "--workers {w} is more than --rows {}: each worker needs at least one row",
            self.rows
        );
        Ok(self)
    }
}

#[derive(Debug, Clone, Copy, clap::Args)]
pub(crate) struct Rounds {
    /// Timed rounds after the first.
    #[arg(long, default_value_t = 10, value_parser = usize_in(1..=10_000))]
    pub(crate) rounds: usize,
    /// Timed rounds after the first, for JSON (slow).
    #[arg(long, default_value_t = 1, value_parser = usize_in(1..=1_000))]
    pub(crate) json_rounds: usize,
    #[arg(long, default_value_t = 2.0, value_parser = finite)]
    pub(crate) factor: f64,
}

pub(crate) fn default_workers() -> usize {
    cores().clamp(2, 8)
}

pub(crate) fn setup(s: Shape, rounds: usize, json_rounds: usize, factor: f64) -> Setup {
    Setup {
        rows: s.rows,
        cols: s.cols,
        workers: s.workers(),
        rounds,
        json_rounds,
        factor,
    }
}

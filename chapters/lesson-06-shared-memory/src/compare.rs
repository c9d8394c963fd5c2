//! Every way of getting a matrix transformed, timed side by side.
//!
//! Each mode starts from the same matrix and does the same rounds of
//! `x *= factor`; the worker processes of the multi-process modes are started
//! once and then serve every round, like a `Pool`. We time each round from
//! the parent: for shared memory that is "tell the workers, wait for their
//! `done`"; for the pipes it is "send each band, wait for it to come back".
//! The first round is reported on its own: it pays for page faults the first
//! time a process touches the mapping. After the last round the result must
//! be the same bits as the in-process reference, in every mode.

use std::hint::black_box;
use std::time::Duration;

use anyhow::Result;
use course_support::child::Spawner;
use course_support::time;

use crate::interrupt;
use crate::matrix::{self, SharedMatrix, band};
use crate::workers::{Mode, PipePool, ShmPool};

/// What to run.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    pub rows: usize,
    pub cols: usize,
    pub workers: usize,
    /// Timed rounds after the first, for every mode but JSON.
    pub rounds: usize,
    /// Timed rounds after the first for JSON, which is slow.
    pub json_rounds: usize,
    pub factor: f64,
}

impl Setup {
    pub fn bytes(&self) -> u64 {
        (self.rows * self.cols * size_of::<f64>()) as u64
    }
}

/// The modes, in the order of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Copy the matrix into another buffer in this process: the floor.
    Memcpy,
    /// `x *= factor` in this process, one thread.
    OneThread,
    /// The same with one scoped thread per band: memory shared for free.
    Threads,
    /// Worker processes, in place in a shared segment.
    Shm,
    /// Worker processes, raw bytes through pipes.
    PipeRaw,
    /// Worker processes, JSON text through pipes.
    PipeJson,
}

impl Kind {
    /// Every mode, in the order of the table.
    pub const ALL: [Kind; 6] = [
        Kind::Memcpy,
        Kind::OneThread,
        Kind::Threads,
        Kind::Shm,
        Kind::PipeRaw,
        Kind::PipeJson,
    ];
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Memcpy => "memcpy in one process (the floor)",
            Kind::OneThread => "in place, this process, 1 thread",
            Kind::Threads => "in place, this process, threads",
            Kind::Shm => Mode::Shm.label(),
            Kind::PipeRaw => Mode::PipeRaw.label(),
            Kind::PipeJson => Mode::PipeJson.label(),
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub kind: Kind,
    /// Worker processes (0: this process) or threads.
    pub workers: usize,
    /// Starting the worker processes until all said `ready`.
    pub startup: Option<Duration>,
    pub first: Duration,
    /// The fastest of the rounds after the first.
    pub best: Duration,
    pub median: Duration,
    pub timed_rounds: usize,
    /// Data bytes through pipes per round, both directions.
    pub pipe_bytes: u64,
    /// Same bits as the in-process reference (`None` for memcpy).
    pub identical: Option<bool>,
}

/// Times `first` and `rounds` more rounds of `round`.
fn rounds(
    n: usize,
    mut round: impl FnMut() -> Result<()>,
) -> Result<(Duration, Duration, Duration)> {
    let first = time(&mut round);
    first.value?;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = time(&mut round);
        t.value?;
        times.push(t.elapsed);
        interrupt::check()?;
    }
    times.sort();
    let best = times.first().copied().unwrap_or(first.elapsed);
    let median = times.get(times.len() / 2).copied().unwrap_or(first.elapsed);
    Ok((first.elapsed, best, median))
}

fn row(kind: Kind, workers: usize, timed: (Duration, Duration, Duration), n: usize) -> Row {
    Row {
        kind,
        workers,
        startup: None,
        first: timed.0,
        best: timed.1,
        median: timed.2,
        timed_rounds: n,
        pipe_bytes: 0,
        identical: None,
    }
}

/// Runs every mode in `kinds`, in that order.
pub fn run(spawner: &Spawner, s: Setup, kinds: &[Kind]) -> Result<Vec<Row>> {
    let (rows, cols, n) = (s.rows, s.cols, s.workers);
    let mut initial = vec![0.0; rows * cols];
    matrix::fill(&mut initial, cols);
    let check = |data: &[f64], rounds_done: usize| {
        Some(matrix::identical(
            data,
            &matrix::reference(rows, cols, s.factor, rounds_done),
        ))
    };
    let mut out = Vec::new();
    for &kind in kinds {
        interrupt::check()?;
        let r = match kind {
            // ANCHOR: memcpy
            Kind::Memcpy => {
                let src = initial.clone();
                let mut dst = initial.clone(); // touched: no page faults while timed
                let t = rounds(s.rounds, || {
                    dst.copy_from_slice(black_box(&src));
                    black_box(&mut dst);
                    Ok(())
                })?;
                row(kind, 0, t, s.rounds)
            }
            // ANCHOR_END: memcpy
            Kind::OneThread => {
                let mut data = initial.clone();
                let t = rounds(s.rounds, || {
                    matrix::scale(black_box(&mut data), s.factor);
                    Ok(())
                })?;
                Row {
                    identical: check(&data, s.rounds + 1),
                    ..row(kind, 0, t, s.rounds)
                }
            }
            Kind::Threads => {
                let mut data = initial.clone();
                let t = rounds(s.rounds, || {
                    scale_with_threads(&mut data, rows, cols, n, s.factor);
                    Ok(())
                })?;
                Row {
                    identical: check(&data, s.rounds + 1),
                    ..row(kind, n, t, s.rounds)
                }
            }
            // ANCHOR: shm_mode
            Kind::Shm => {
                let mut m = SharedMatrix::create(rows, cols)?;
                m.data_mut().copy_from_slice(&initial);
                let started = time(|| ShmPool::start(spawner, &mut m, n, None, deadline()));
                let mut pool = started.value?;
                let t = rounds(s.rounds, || pool.round(s.factor))?;
                pool.close()?;
                Row {
                    startup: Some(started.elapsed),
                    identical: check(m.data(), s.rounds + 1),
                    ..row(kind, n, t, s.rounds)
                }
            }
            // ANCHOR_END: shm_mode
            Kind::PipeRaw | Kind::PipeJson => {
                let (mode, timed) = if kind == Kind::PipeRaw {
                    (Mode::PipeRaw, s.rounds)
                } else {
                    (Mode::PipeJson, s.json_rounds)
                };
                let mut data = initial.clone();
                let started =
                    time(|| PipePool::start(spawner, mode, rows, cols, n, None, deadline()));
                let mut pool = started.value?;
                let t = rounds(timed, || pool.round(&mut data, s.factor))?;
                let bytes = pool.last_round_bytes;
                pool.close()?;
                Row {
                    startup: Some(started.elapsed),
                    pipe_bytes: bytes,
                    identical: check(&data, timed + 1),
                    ..row(kind, n, t, timed)
                }
            }
        };
        out.push(r);
    }
    Ok(out)
}

/// Every pool is killed if it is still running after this.
fn deadline() -> Duration {
    Duration::from_secs(600)
}

// ANCHOR: threads
/// The Rust answer when there is no GIL to escape: threads of one process
/// already share its memory. Each scoped thread gets its band as `&mut`.
pub fn scale_with_threads(data: &mut [f64], rows: usize, cols: usize, n: usize, factor: f64) {
    std::thread::scope(|s| {
        let mut rest = data;
        for i in 0..n {
            let (mine, tail) = rest.split_at_mut(band(rows, i, n).len() * cols);
            rest = tail;
            s.spawn(move || matrix::scale(mine, factor));
        }
    });
}
// ANCHOR_END: threads

//! The lesson's main demo: a matrix in a named segment, transformed in place
//! by worker processes, one band of rows each; and the same with a worker
//! that panics halfway through its band.

use std::ops::Range;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Result, ensure};
use course_support::child::{Spawner, describe};
use course_support::time;

use crate::matrix::{self, SharedMatrix, band, initial_value};
use crate::segment;
use crate::workers::{Mode, PanicAt, PipePool, ShmPool, WorkerFailed};

/// One band, as the parent found it afterwards.
#[derive(Debug, Clone)]
pub struct BandReport {
    pub rows: Range<usize>,
    /// The pid of the worker we started for it.
    pub worker_pid: u32,
    /// The pid written into the segment's header by whoever wrote the band.
    pub recorded_pid: u32,
    /// Every number of the band is `initial * factor`.
    pub correct: bool,
}

/// What [`in_place`] saw.
#[derive(Debug, Clone)]
pub struct Report {
    pub segment: String,
    pub rows: usize,
    pub cols: usize,
    pub bands: Vec<BandReport>,
    pub statuses: Vec<String>,
    /// The name was unlinked as soon as every worker had mapped it.
    pub unlinked_early: bool,
    /// From starting the workers to having them all reaped.
    pub elapsed: Duration,
    /// `/dev/shm/<name>` existed after the matrix was dropped.
    pub listed_after: bool,
}

impl Report {
    pub fn all_correct(&self) -> bool {
        self.bands
            .iter()
            .all(|b| b.correct && b.recorded_pid == b.worker_pid)
    }
}

// ANCHOR: in_place
/// Creates a `rows x cols` matrix in shared memory, fills it, has `workers`
/// processes multiply it by `factor` in place, and checks every band.
pub fn in_place(
    spawner: &Spawner,
    rows: usize,
    cols: usize,
    workers: usize,
    factor: f64,
    unlink_early: bool,
) -> Result<Report> {
    let mut m = SharedMatrix::create(rows, cols)?;
    matrix::fill(m.data_mut(), cols);
    let name = m.name().to_owned();

    let run = time(|| -> Result<(Vec<u32>, Vec<String>)> {
        let mut pool = ShmPool::start(spawner, &mut m, workers, None, Duration::from_secs(60))?;
        if unlink_early {
            pool.unlink_name()?; // every worker has mapped it: the name has done its job
        }
        pool.round(factor)?;
        let pids = pool.pids();
        let statuses = pool.close()?.into_iter().map(describe).collect();
        Ok((pids, statuses))
    });
    let elapsed = run.elapsed;
    let (pids, statuses) = run.value?;

    // The workers are gone; everything they wrote is in *our* mapping.
    let header = m.header();
    let bands = (0..workers)
        .map(|i| {
            let rows = band(m.rows(), i, workers);
            let correct = rows.clone().all(|r| {
                m.data()[r * cols..(r + 1) * cols]
                    .iter()
                    .enumerate()
                    .all(|(c, &x)| x.to_bits() == (initial_value(r, c) * factor).to_bits())
            });
            BandReport {
                rows,
                worker_pid: pids[i],
                recorded_pid: header.band_writer[i].load(Ordering::Relaxed),
                correct,
            }
        })
        .collect();
    drop(m);
    Ok(Report {
        listed_after: segment::exists(&name),
        segment: name,
        rows,
        cols,
        bands,
        statuses,
        unlinked_early: unlink_early,
        elapsed,
    })
}
// ANCHOR_END: in_place

/// What a crash left behind.
#[derive(Debug, Clone)]
pub struct Crash {
    pub mode: Mode,
    /// The failure the parent reported.
    pub failure: WorkerFailed,
    /// Every worker's pid (all must be gone afterwards).
    pub pids: Vec<u32>,
    /// Rows of the crashed worker's band that were transformed anyway.
    pub crashed_band_rows_changed: usize,
    pub crashed_band_rows: usize,
    /// Rows of the whole matrix that changed.
    pub rows_changed: usize,
    pub rows: usize,
    /// The segment (shared-memory mode only) and whether it was still listed
    /// in `/dev/shm` afterwards.
    pub segment: Option<(String, bool)>,
}

// ANCHOR: crash
/// Runs one round in which worker `panic.band` panics after
/// `panic.after_rows` rows, and reports what the parent saw and what the
/// matrix holds afterwards.
pub fn crash(
    spawner: &Spawner,
    mode: Mode,
    rows: usize,
    cols: usize,
    workers: usize,
    panic: PanicAt,
) -> Result<Crash> {
    ensure!(panic.band < workers, "band {} does not exist", panic.band);
    let factor = 2.0;
    let deadline = Duration::from_secs(60);
    let (outcome, pids, data, segment) = if mode == Mode::Shm {
        let mut m = SharedMatrix::create(rows, cols)?;
        matrix::fill(m.data_mut(), cols);
        let name = m.name().to_owned();
        let (outcome, pids) = {
            let mut pool = ShmPool::start(spawner, &mut m, workers, Some(panic), deadline)?;
            let pids = pool.pids();
            (pool.round(factor), pids)
            // The pool drops here: the other workers are killed and reaped.
        };
        let data = m.data().to_vec(); // what the parent's memory holds now
        drop(m); // the owner unlinks the name, crash or no crash
        (
            outcome,
            pids,
            data,
            Some((name.clone(), segment::exists(&name))),
        )
    } else {
        let mut data = vec![0.0; rows * cols];
        matrix::fill(&mut data, cols);
        let mut pool = PipePool::start(spawner, mode, rows, cols, workers, Some(panic), deadline)?;
        let pids = pool.pids();
        let outcome = pool.round(&mut data, factor);
        (outcome, pids, data, None)
    };
    let error = match outcome {
        Ok(()) => anyhow::bail!("the worker was told to panic, but the round succeeded"),
        Err(e) => e,
    };
    let failure = error
        .downcast::<WorkerFailed>()
        .map_err(|e| e.context("the round failed, but not with a WorkerFailed"))?;
    let changed = |r: usize| (0..cols).any(|c| data[r * cols + c] != initial_value(r, c));
    let crashed = band(rows, panic.band, workers);
    Ok(Crash {
        mode,
        failure,
        pids,
        crashed_band_rows_changed: crashed.clone().filter(|&r| changed(r)).count(),
        crashed_band_rows: crashed.len(),
        rows_changed: (0..rows).filter(|&r| changed(r)).count(),
        rows,
        segment,
    })
}
// ANCHOR_END: crash

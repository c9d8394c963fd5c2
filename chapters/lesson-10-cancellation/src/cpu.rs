//! CPU work in async: where to run it so the event loop keeps answering.
//!
//! The same job (count the primes in a range) runs four ways on a tokio
//! runtime with ONE worker thread, beside a heartbeat task that should tick
//! every few milliseconds. The heartbeat's worst lateness shows whether the
//! job blocked the loop. Python: computing in a coroutine blocks the loop;
//! `asyncio.to_thread` / `run_in_executor` move it off (to a thread that the
//! GIL still limits, or to a process pool).

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

/// Where the job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// In the async task itself: blocks the loop.
    Inline,
    /// `tokio::task::spawn_blocking`: tokio's pool of blocking threads.
    SpawnBlocking,
    /// rayon's pool, split into blocks run in parallel; the answer comes back
    /// through a oneshot channel.
    Rayon,
    /// `tokio::task::block_in_place`: this worker becomes a blocking thread
    /// and hands its other tasks to a new worker.
    BlockInPlace,
}

impl Placement {
    pub const ALL: [Placement; 4] = [
        Placement::Inline,
        Placement::SpawnBlocking,
        Placement::Rayon,
        Placement::BlockInPlace,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Placement::Inline => "inline in the task",
            Placement::SpawnBlocking => "spawn_blocking",
            Placement::Rayon => "rayon (parallel) + oneshot",
            Placement::BlockInPlace => "block_in_place",
        }
    }
    pub fn python(self) -> &'static str {
        match self {
            Placement::Inline => "compute in the coroutine",
            Placement::SpawnBlocking => "asyncio.to_thread(f)",
            Placement::Rayon => "run_in_executor(ProcessPoolExecutor)",
            Placement::BlockInPlace => "(no equivalent)",
        }
    }
}

/// One measured run.
#[derive(Debug, Clone)]
pub struct CpuRun {
    pub placement: Placement,
    pub primes: u64,
    pub elapsed: Duration,
    /// The heartbeat's worst delay beyond its period while the job ran.
    pub worst_late: Duration,
}

fn parallel_count(range: Range<u64>) -> u64 {
    let block = (range.end - range.start).div_ceil(64).max(1);
    (0..64u64)
        .into_par_iter()
        .map(|i| {
            let lo = (range.start + i * block).min(range.end);
            let hi = (lo + block).min(range.end);
            course_support::count_primes(lo..hi)
        })
        .sum()
}

// ANCHOR: placements
async fn run_job(placement: Placement, range: Range<u64>) -> u64 {
    use course_support::count_primes;
    match placement {
        Placement::Inline => count_primes(range), // the loop waits for this
        Placement::SpawnBlocking => tokio::task::spawn_blocking(move || count_primes(range))
            .await
            .expect("the job does not panic"),
        Placement::Rayon => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            rayon::spawn(move || {
                let _ = tx.send(parallel_count(range));
            });
            rx.await.expect("rayon sends the answer")
        }
        Placement::BlockInPlace => tokio::task::block_in_place(|| count_primes(range)),
    }
}
// ANCHOR_END: placements

/// Runs the job `placement`'s way on a fresh one-worker runtime, beside a
/// heartbeat every `beat`.
pub fn measure(placement: Placement, range: Range<u64>, beat: Duration) -> std::io::Result<CpuRun> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_time()
        .build()?;
    rt.block_on(async move {
        let done = Arc::new(AtomicBool::new(false));
        let heartbeat = tokio::spawn({
            let done = done.clone();
            async move {
                let mut worst = Duration::ZERO;
                let mut last = Instant::now();
                while !done.load(Ordering::SeqCst) {
                    tokio::time::sleep(beat).await;
                    let now = Instant::now();
                    worst = worst.max(now.duration_since(last).saturating_sub(beat));
                    last = now;
                }
                worst
            }
        });
        tokio::time::sleep(beat * 2).await; // let the heartbeat start
        let start = Instant::now();
        let primes = tokio::spawn(run_job(placement, range))
            .await
            .expect("no panic");
        let elapsed = start.elapsed();
        done.store(true, Ordering::SeqCst);
        let worst_late = heartbeat.await.expect("no panic");
        Ok(CpuRun {
            placement,
            primes,
            elapsed,
            worst_late,
        })
    })
}

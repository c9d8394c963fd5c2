//! `threading.Barrier(n)` and `std::sync::Barrier` are the same idea: `n`
//! threads call `wait()`, and none returns until all `n` have arrived. Then
//! the barrier resets itself for the next round, so one barrier separates
//! phase after phase.
//!
//! Python's `wait()` returns a different number to each thread, and one
//! `action` runs once per round. Rust's returns a `BarrierWaitResult` whose
//! `is_leader()` is true for exactly one thread per round: that thread does
//! the serial step (merge, print, swap buffers) while the rest wait again.

use std::ops::Range;
use std::sync::{Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use course_support::count_primes;

/// What happened, in the order it happened (the log proves the phases never
/// overlap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Started { phase: usize, worker: usize },
    Finished { phase: usize, worker: usize },
    Merged { phase: usize, leader: usize },
}

/// One phase, as measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub numbers: Range<u64>,
    pub primes: u64,
    /// The worker that got `is_leader()` and merged this phase.
    pub leader: usize,
    /// How long each worker computed before it reached the barrier.
    pub work: Vec<Duration>,
}

/// The result of [`phases`].
#[derive(Debug, Clone)]
pub struct PhaseRun {
    pub workers: usize,
    pub phases: Vec<Phase>,
    pub log: Vec<Step>,
}

/// Worker `w`'s part of `range`: parts grow with `w` (weights 1, 2, 3, ...),
/// so the workers finish at different times and the barrier has to wait.
pub fn part(range: &Range<u64>, workers: usize, w: usize) -> Range<u64> {
    let weights = (workers * (workers + 1) / 2) as u64;
    let len = range.end - range.start;
    let before = (w * (w + 1) / 2) as u64;
    let upto = ((w + 1) * (w + 2) / 2) as u64;
    range.start + len * before / weights..range.start + len * upto / weights
}

// ANCHOR: phases
/// `workers` threads count primes phase by phase: phase `p` covers
/// `p * numbers .. (p + 1) * numbers`. After each phase, the leader adds up
/// the workers' counts before anyone starts the next phase.
pub fn phases(workers: usize, phases: usize, numbers: u64) -> PhaseRun {
    let barrier = Barrier::new(workers);
    let partial = Mutex::new(vec![0u64; workers]);
    let merged = Mutex::new(Vec::new());
    let work = Mutex::new(vec![vec![Duration::ZERO; workers]; phases]);
    let log = Mutex::new(Vec::new());
    thread::scope(|s| {
        for w in 0..workers {
            let (barrier, partial, merged, work, log) = (&barrier, &partial, &merged, &work, &log);
            s.spawn(move || {
                for p in 0..phases {
                    let range = p as u64 * numbers..(p as u64 + 1) * numbers;
                    log.lock().unwrap().push(Step::Started {
                        phase: p,
                        worker: w,
                    });
                    let start = Instant::now();
                    let primes = count_primes(part(&range, workers, w));
                    work.lock().unwrap()[p][w] = start.elapsed();
                    partial.lock().unwrap()[w] = primes;
                    log.lock().unwrap().push(Step::Finished {
                        phase: p,
                        worker: w,
                    });

                    if barrier.wait().is_leader() {
                        // Exactly one thread per round gets here; the others
                        // are already waiting at the second barrier.
                        let primes = partial.lock().unwrap().iter().sum();
                        merged.lock().unwrap().push((range, primes, w));
                        log.lock().unwrap().push(Step::Merged {
                            phase: p,
                            leader: w,
                        });
                    }
                    barrier.wait(); // nobody starts phase p + 1 before the merge
                }
            });
        }
    });
    let work = work.into_inner().unwrap();
    let phases = merged
        .into_inner()
        .unwrap()
        .into_iter()
        .zip(work)
        .map(|((numbers, primes, leader), work)| Phase {
            numbers,
            primes,
            leader,
            work,
        })
        .collect();
    PhaseRun {
        workers,
        phases,
        log: log.into_inner().unwrap(),
    }
}
// ANCHOR_END: phases

impl PhaseRun {
    /// Every step of phase `p` (start, finish, merge) comes before every
    /// step of phase `p + 1`, and each phase was merged exactly once, after
    /// all its workers finished.
    pub fn phases_kept_apart(&self) -> bool {
        let phase_of = |step: &Step| match *step {
            Step::Started { phase, .. }
            | Step::Finished { phase, .. }
            | Step::Merged { phase, .. } => phase,
        };
        let ordered = self
            .log
            .windows(2)
            .all(|pair| phase_of(&pair[0]) <= phase_of(&pair[1]));
        let merged_last = (0..self.phases.len()).all(|p| {
            let steps: Vec<&Step> = self.log.iter().filter(|s| phase_of(s) == p).collect();
            let merges = steps
                .iter()
                .filter(|s| matches!(s, Step::Merged { .. }))
                .count();
            merges == 1
                && matches!(steps.last(), Some(Step::Merged { .. }))
                && steps.len() == 2 * self.workers + 1
        });
        ordered && merged_last
    }
}

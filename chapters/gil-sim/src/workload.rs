//! The work we measure, and the three ways of running it.
//!
//! A run is `tasks` independent tasks shared by `workers` workers (each worker
//! takes the next task until none are left, like a pool):
//!
//! - **CPU-bound** task `i` counts the primes in its own block of numbers;
//! - **I/O-bound** task `i` waits for a simulated response (a sleep), then
//!   "parses" it: counts the primes in a small block.
//!
//! Every mode computes the same total, so we can check that going faster did
//! not change the answer.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use course_support::count_primes;

use crate::interpreter_lock::{Held, InterpreterLock};
use crate::timeline::{Activity, Recorder, Slice};

/// What kind of work each task does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Workload {
    /// Count primes: all computation, no waiting.
    Cpu,
    /// Wait for a (simulated) response, then parse it briefly.
    Io,
}

/// How the workers run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One worker does every task: the baseline.
    Sequential,
    /// Simulated Python threads: OS threads that must hold one shared
    /// interpreter lock to run (lanes T1, T2, ...).
    LockedThreads,
    /// Workers with no shared lock, standing in for processes that each have
    /// their own interpreter and lock. In Rust they are plain threads (lanes P1, P2, ...).
    FreeThreads,
}

impl Mode {
    /// All modes, baseline first.
    pub const ALL: [Mode; 3] = [Mode::Sequential, Mode::LockedThreads, Mode::FreeThreads];

    /// A short name for tables.
    pub fn label(self) -> &'static str {
        match self {
            Mode::Sequential => "sequential",
            Mode::LockedThreads => "threads + interpreter lock (T)",
            Mode::FreeThreads => "free threads, no shared lock (P)",
        }
    }

    /// The timeline's lane prefix.
    pub fn lane_prefix(self) -> &'static str {
        match self {
            Mode::Sequential => "S",
            Mode::LockedThreads => "T",
            Mode::FreeThreads => "P",
        }
    }
}

/// The numbers a CPU task starts counting from: big enough that every task
/// costs about the same.
const FIRST: u64 = 1_000_000;

/// How many numbers a simulated Python thread tests between two checks of its
/// switch interval, like CPython checking between bytecodes.
pub const NUMBERS_PER_CHECK: u64 = 256;

/// A batch of identical tasks.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    pub workload: Workload,
    pub tasks: usize,
    /// Numbers per CPU-bound task.
    pub numbers: u64,
    /// The I/O wait of each I/O-bound task.
    pub io_wait: Duration,
    /// Numbers each I/O-bound task "parses" after its wait.
    pub parse_numbers: u64,
    /// The interpreter lock's switch interval (used by `LockedThreads` only).
    pub switch_interval: Duration,
}

impl Job {
    /// A job with this lesson's defaults for `workload`.
    pub fn new(workload: Workload, tasks: usize) -> Self {
        Self {
            workload,
            tasks,
            numbers: 150_000,
            io_wait: Duration::from_millis(25),
            parse_numbers: 2_000,
            switch_interval: crate::interpreter_lock::DEFAULT_SWITCH_INTERVAL,
        }
    }

    /// The numbers task `i` counts primes in.
    pub fn range(&self, i: usize) -> Range<u64> {
        let size = match self.workload {
            Workload::Cpu => self.numbers,
            Workload::Io => self.parse_numbers,
        };
        FIRST + i as u64 * size..FIRST + (i as u64 + 1) * size
    }

    /// The answer every mode must produce.
    pub fn expected(&self) -> u64 {
        count_primes(self.range(0).start..self.range(self.tasks).start)
    }

    /// Runs task `i` on a free worker, recording it on `lane`.
    fn run_free(&self, i: usize, lane: usize, rec: &Recorder) -> u64 {
        if self.workload == Workload::Io {
            let waited = Instant::now();
            thread::sleep(self.io_wait);
            rec.record(lane, waited, Instant::now(), Activity::Waiting);
        }
        let started = Instant::now();
        let primes = count_primes(self.range(i));
        rec.record(lane, started, Instant::now(), Activity::Running);
        primes
    }

    // ANCHOR: run_holding
    /// Runs task `i` as a simulated Python thread that holds the lock.
    fn run_holding(&self, i: usize, held: &mut Held<'_>) -> u64 {
        if self.workload == Workload::Io {
            // The wait needs no interpreter: let other threads run meanwhile.
            held.allow_threads(|| thread::sleep(self.io_wait));
        }
        count_primes_holding(held, self.range(i))
    }
    // ANCHOR_END: run_holding
}

// ANCHOR: count_primes_holding
/// Counts primes in small steps, checking the switch interval between steps,
/// the way CPython's evaluation loop checks between bytecodes.
pub fn count_primes_holding(held: &mut Held<'_>, range: Range<u64>) -> u64 {
    let mut total = 0;
    let mut start = range.start;
    while start < range.end {
        let end = range.end.min(start + NUMBERS_PER_CHECK);
        total += count_primes(start..end);
        held.check_interval();
        start = end;
    }
    total
}
// ANCHOR_END: count_primes_holding

/// What one run produced and how it went.
#[derive(Debug, Clone)]
pub struct Run {
    pub mode: Mode,
    pub workers: usize,
    pub primes: u64,
    pub elapsed: Duration,
    /// Times the interpreter lock changed hands because a switch interval ran out.
    pub handoffs: u64,
    /// Who ran when.
    pub slices: Vec<Slice>,
}

/// Runs `job` in `mode` with `workers` workers (`Sequential` always uses one).
pub fn run(job: &Job, mode: Mode, workers: usize) -> Run {
    let workers = if mode == Mode::Sequential {
        1
    } else {
        workers.max(1)
    };
    let started = Instant::now();
    let (primes, handoffs, slices) = match mode {
        Mode::Sequential => {
            let rec = Recorder::new();
            let primes = (0..job.tasks).map(|i| job.run_free(i, 0, &rec)).sum();
            (primes, 0, rec.slices())
        }
        Mode::LockedThreads => {
            let lock = InterpreterLock::new(job.switch_interval);
            let primes = locked_workers(&lock, workers, job.tasks, |held, i| {
                job.run_holding(i, held)
            });
            (primes, lock.handoffs(), lock.slices())
        }
        Mode::FreeThreads => {
            let rec = Recorder::new();
            let primes = free_workers(workers, job.tasks, |w, i| job.run_free(i, w, &rec));
            (primes, 0, rec.slices())
        }
    };
    Run {
        mode,
        workers,
        primes,
        elapsed: started.elapsed(),
        handoffs,
        slices,
    }
}

/// Hands out task numbers `0..tasks`, each exactly once, to whoever asks first.
fn claim(next: &AtomicUsize, tasks: usize) -> Option<usize> {
    let i = next.fetch_add(1, Ordering::Relaxed);
    (i < tasks).then_some(i)
}

// ANCHOR: locked_workers
/// Simulated Python threads: `workers` OS threads run tasks `0..tasks`, each
/// task only while its thread holds `lock`. `task(held, i)` gets the proof of
/// holding, so it can check the switch interval or release around I/O.
/// Returns the sum of the tasks' results.
pub fn locked_workers<F>(lock: &InterpreterLock, workers: usize, tasks: usize, task: F) -> u64
where
    F: Fn(&mut Held<'_>, usize) -> u64 + Sync,
{
    let next = AtomicUsize::new(0);
    thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let (next, task) = (&next, &task);
                s.spawn(move || {
                    // A Python thread needs the lock before it runs any code at all.
                    let mut held = lock.acquire(w);
                    let mut sum = 0;
                    while let Some(i) = claim(next, tasks) {
                        sum += task(&mut held, i);
                    }
                    sum
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}
// ANCHOR_END: locked_workers

// ANCHOR: free_workers
/// Free workers: the same pool with no shared lock. They stand in for
/// processes, each with its own interpreter and lock; in Rust they are plain
/// threads. `task(worker, i)` runs task `i` on worker `worker`.
pub fn free_workers<F>(workers: usize, tasks: usize, task: F) -> u64
where
    F: Fn(usize, usize) -> u64 + Sync,
{
    let next = AtomicUsize::new(0);
    thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let (next, task) = (&next, &task);
                s.spawn(move || {
                    let mut sum = 0;
                    while let Some(i) = claim(next, tasks) {
                        sum += task(w, i);
                    }
                    sum
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}
// ANCHOR_END: free_workers

/// Runs `job` sequentially, then under the lock, then free, and prints one
/// row per mode: milliseconds, speed-up over sequential, efficiency
/// (speed-up per worker).
pub fn compare(job: &Job, workers: usize) -> (Vec<Run>, course_support::Table) {
    let runs: Vec<Run> = Mode::ALL.iter().map(|&m| run(job, m, workers)).collect();
    let base = runs[0].elapsed.as_secs_f64();
    let mut table = course_support::table([
        "mode",
        "workers",
        "ms",
        "speed-up",
        "efficiency",
        "lock handoffs",
        "primes found",
    ]);
    for r in &runs {
        let secs = r.elapsed.as_secs_f64();
        let efficiency = base / secs / r.workers as f64 * 100.0;
        table.add_row([
            r.mode.label().to_owned(),
            r.workers.to_string(),
            format!("{:.1}", secs * 1e3),
            course_support::ratio(base, secs),
            format!("{efficiency:.0}%"),
            match r.mode {
                Mode::LockedThreads => r.handoffs.to_string(),
                _ => "-".to_owned(),
            },
            r.primes.to_string(),
        ]);
    }
    (runs, table)
}

//! The convoy effect: what a CPU-bound thread does to an I/O-bound one.
//!
//! Releasing the lock around I/O is only half the story: after the I/O the
//! thread must get the lock back. If a CPU-bound thread took it meanwhile, the
//! I/O thread waits until that thread's switch interval runs out, after every
//! single I/O call. Many short I/O calls each pay up to a whole interval.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use course_support::count_primes;

use crate::interpreter_lock::InterpreterLock;
use crate::timeline::Slice;
use crate::workload::{NUMBERS_PER_CHECK, count_primes_holding};

/// Lane of the I/O-bound thread in [`ConvoyRun::slices`].
pub const IO_LANE: usize = 0;
/// Lane of the CPU-bound thread in [`ConvoyRun::slices`].
pub const HOG_LANE: usize = 1;

/// How the I/O-bound thread fared.
#[derive(Debug, Clone)]
pub struct ConvoyRun {
    /// How long the I/O thread took for all its I/O calls.
    pub elapsed: Duration,
    /// Who held the lock when.
    pub slices: Vec<Slice>,
}

// ANCHOR: convoy
/// Runs one simulated Python thread that makes `calls` short blocking calls
/// of `io_wait` each, alone or next to a thread that only computes.
pub fn run(
    calls: usize,
    io_wait: Duration,
    switch_interval: Duration,
    with_hog: bool,
) -> ConvoyRun {
    let lock = InterpreterLock::new(switch_interval);
    let (hog_running, io_done) = (AtomicBool::new(false), AtomicBool::new(false));
    let elapsed = thread::scope(|s| {
        if with_hog {
            s.spawn(|| {
                let mut held = lock.acquire(HOG_LANE);
                hog_running.store(true, Ordering::Relaxed);
                let mut n = 1_000_000;
                while !io_done.load(Ordering::Relaxed) {
                    count_primes_holding(&mut held, n..n + NUMBERS_PER_CHECK);
                    n += NUMBERS_PER_CHECK;
                }
            });
        }
        let io = s.spawn(|| {
            // Start once the hog runs, so that every call meets it.
            while with_hog && !hog_running.load(Ordering::Relaxed) {
                thread::yield_now();
            }
            let mut held = lock.acquire(IO_LANE);
            let started = Instant::now();
            for call in 0..calls as u64 {
                held.allow_threads(|| thread::sleep(io_wait));
                // Handle the reply: a little work with the lock held.
                count_primes(call * 100..call * 100 + 100);
            }
            io_done.store(true, Ordering::Relaxed);
            started.elapsed()
        });
        io.join().unwrap()
    });
    ConvoyRun {
        elapsed,
        slices: lock.slices(),
    }
}
// ANCHOR_END: convoy

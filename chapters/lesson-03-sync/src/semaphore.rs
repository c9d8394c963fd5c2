//! `threading.Semaphore(n)` lets at most `n` threads past at once. The
//! standard library has no semaphore, and it takes a dozen lines to build one:
//! a `Mutex<usize>` holds the free permits and a `Condvar` puts threads to
//! sleep until one is given back.
//!
//! The permit is a value: acquiring returns a [`Permit`], dropping it gives
//! the permit back. So there is no `release()` to forget on an early return
//! or a panic, and no way to release more than was acquired (the mistake
//! Python's `BoundedSemaphore` exists to catch).

use std::thread;
use std::time::{Duration, Instant};

use course_support::InFlight;

use crate::sync::{Condvar, Mutex, lock_ignoring_poison};

// ANCHOR: semaphore
// ANCHOR: semaphore_state
/// A counting semaphore.
#[derive(Debug)]
pub struct Semaphore {
    free: Mutex<usize>,
    given_back: Condvar,
}

/// One permit; dropping it gives the permit back.
#[derive(Debug)]
#[must_use = "the permit is given back as soon as it is dropped"]
pub struct Permit<'a> {
    semaphore: &'a Semaphore,
}
// ANCHOR_END: semaphore_state

impl Semaphore {
    pub fn new(permits: usize) -> Self {
        Semaphore {
            free: Mutex::new(permits),
            given_back: Condvar::new(),
        }
    }

    /// Waits, asleep, until a permit is free, and takes it.
    pub fn acquire(&self) -> Permit<'_> {
        let free = lock_ignoring_poison(&self.free);
        // wait_while re-checks after every wake-up, spurious ones included.
        let mut free = self
            .given_back
            .wait_while(free, |free| *free == 0)
            .unwrap_or_else(|e| e.into_inner());
        *free -= 1;
        Permit { semaphore: self }
    }

    /// Takes a permit if one is free right now; never waits.
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        let mut free = lock_ignoring_poison(&self.free);
        if *free == 0 {
            return None;
        }
        *free -= 1;
        Some(Permit { semaphore: self })
    }

    /// Permits nobody holds at the moment.
    pub fn available(&self) -> usize {
        *lock_ignoring_poison(&self.free)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *lock_ignoring_poison(&self.semaphore.free) += 1;
        // One permit came back, so one waiter can use it: wake one, not all.
        self.semaphore.given_back.notify_one();
    }
}
// ANCHOR_END: semaphore

impl Semaphore {
    /// Like [`Semaphore::acquire`], giving up after `timeout`.
    pub fn acquire_timeout(&self, timeout: Duration) -> Option<Permit<'_>> {
        let free = lock_ignoring_poison(&self.free);
        let (mut free, waited) = self
            .given_back
            .wait_timeout_while(free, timeout, |free| *free == 0)
            .unwrap_or_else(|e| e.into_inner());
        if waited.timed_out() {
            return None;
        }
        *free -= 1;
        Some(Permit { semaphore: self })
    }
}

/// One batch of simulated downloads.
#[derive(Debug, Clone, Copy)]
pub struct DownloadRun {
    /// The semaphore's permits, or `None` for no limit.
    pub limit: Option<usize>,
    pub downloads: usize,
    /// The most downloads that were in flight at the same moment.
    pub max_in_flight: usize,
    pub elapsed: Duration,
}

// ANCHOR: limit_downloads
/// `downloads` threads, each "downloading" for `latency`, at most `limit` at
/// a time (`None`: no limit).
pub fn download_all(downloads: usize, limit: Option<usize>, latency: Duration) -> DownloadRun {
    let gate = Semaphore::new(limit.unwrap_or(usize::MAX));
    let gauge = InFlight::default();
    let start = Instant::now();
    thread::scope(|s| {
        for _ in 0..downloads {
            s.spawn(|| {
                let _permit = gate.acquire(); // like `with semaphore:`
                gauge.track(|| thread::sleep(latency)); // the download
            }); // _permit dropped here: the next thread may start
        }
    });
    DownloadRun {
        limit,
        downloads,
        max_in_flight: gauge.peak(),
        elapsed: start.elapsed(),
    }
}
// ANCHOR_END: limit_downloads

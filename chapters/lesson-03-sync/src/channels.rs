//! Crossbeam channels: `queue.Queue` as a pair of handles. Senders and
//! receivers can both be cloned (many producers, many consumers); the
//! channel is bounded (`bounded(n)`, backpressure) or not (`unbounded()`).
//! When the last sender is dropped, receivers drain what is left and then
//! get an error: the end of the stream, with no sentinel `None` to send.
//!
//! `select!` waits on several channels at once and takes whichever is ready
//! first; `tick` and `after` are channels that deliver the time, so a
//! progress report and a deadline are two more arms of the same `select!`.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::thread;
use std::time::{Duration, Instant};

use course_support::count_primes;
use crossbeam::channel::{self, select};

/// What the collector saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FanIn {
    pub jobs: u64,
    /// Results received before the end (all of them, unless the deadline
    /// passed first).
    pub results: u64,
    pub primes: u64,
    /// Progress ticks handled while waiting for results.
    pub ticks: u64,
    pub deadline_passed: bool,
    pub elapsed: Duration,
}

// ANCHOR: fan_in
/// `workers` threads take jobs from one channel (job `j` counts the primes
/// in `j * numbers .. (j + 1) * numbers`) and send results on another; the
/// collector `select!`s over the results, a ticker and a deadline.
pub fn fan_in(
    workers: usize,
    jobs: u64,
    numbers: u64,
    tick: Duration,
    deadline: Duration,
) -> FanIn {
    let (job_tx, job_rx) = channel::unbounded::<u64>();
    let (result_tx, result_rx) = channel::bounded::<u64>(workers);
    (0..jobs).for_each(|j| job_tx.send(j).unwrap());
    drop(job_tx); // no more jobs: workers stop when the queue is empty

    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let (ticker, timeout) = (channel::tick(tick), channel::after(deadline));
    let mut seen = FanIn {
        jobs,
        results: 0,
        primes: 0,
        ticks: 0,
        deadline_passed: false,
        elapsed: Duration::ZERO,
    };
    thread::scope(|s| {
        for _ in 0..workers {
            let (job_rx, result_tx, stop) = (job_rx.clone(), result_tx.clone(), &stop);
            s.spawn(move || {
                for j in job_rx.iter().take_while(|_| !stop.load(Relaxed)) {
                    let primes = count_primes(j * numbers..(j + 1) * numbers);
                    if result_tx.send(primes).is_err() {
                        break; // the collector has gone
                    }
                }
            });
        }
        drop(result_tx); // keep only the workers' clones alive
        loop {
            select! {
                recv(result_rx) -> result => match result {
                    Ok(primes) => { seen.results += 1; seen.primes += primes; }
                    Err(_) => break, // every worker finished and dropped its sender
                },
                recv(ticker) -> _ => seen.ticks += 1,
                recv(timeout) -> _ => {
                    seen.deadline_passed = true;
                    stop.store(true, Relaxed); // no new jobs...
                    break;
                }
            }
        }
        drop(result_rx); // ...and a worker blocked in send() gets an error
    }); // the scope joins every worker, finished or stopped
    seen.elapsed = start.elapsed();
    seen
}
// ANCHOR_END: fan_in

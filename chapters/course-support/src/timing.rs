//! Measuring wall-clock time of one run, and how many cores we have.

use std::time::{Duration, Instant};

/// A value together with how long it took to produce.
#[derive(Debug, Clone, Copy)]
pub struct Timed<T> {
    pub value: T,
    pub elapsed: Duration,
}

impl<T> Timed<T> {
    /// Elapsed time in milliseconds, as a float for tables.
    pub fn ms(&self) -> f64 {
        self.elapsed.as_secs_f64() * 1e3
    }
}

/// Runs `f` once and records how long it took.
pub fn time<T>(f: impl FnOnce() -> T) -> Timed<T> {
    let start = Instant::now();
    let value = f();
    Timed {
        value,
        elapsed: start.elapsed(),
    }
}

/// The number of cores this process may run on (1 if the OS won't say).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

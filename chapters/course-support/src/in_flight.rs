//! Counting how many calls are in progress at once, and the most there ever
//! were: the number that proves a limit (a semaphore, a pool, a bounded
//! channel) really holds, or that work really overlapped.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

/// Counts calls in progress and remembers the highest count it ever saw.
///
/// ```
/// let gauge = course_support::InFlight::default();
/// let answer = gauge.track(|| 6 * 7);
/// assert_eq!((answer, gauge.now(), gauge.peak()), (42, 0, 1));
/// ```
#[derive(Debug, Default)]
pub struct InFlight {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl InFlight {
    /// Runs `f`, counted as in flight while it runs (also if it panics).
    pub fn track<T>(&self, f: impl FnOnce() -> T) -> T {
        let _entered = self.enter();
        f()
    }

    /// Counts one call in flight until the returned guard is dropped.
    pub fn enter(&self) -> Entered<'_> {
        let now = self.now.fetch_add(1, SeqCst) + 1;
        self.peak.fetch_max(now, SeqCst);
        Entered { gauge: self }
    }

    /// How many calls are in flight right now.
    pub fn now(&self) -> usize {
        self.now.load(SeqCst)
    }

    /// The most calls that were ever in flight at the same time.
    pub fn peak(&self) -> usize {
        self.peak.load(SeqCst)
    }
}

/// One call counted by [`InFlight::enter`]; dropping it ends the call.
#[derive(Debug)]
#[must_use = "the call counts as in flight only while this guard lives"]
pub struct Entered<'a> {
    gauge: &'a InFlight,
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        self.gauge.now.fetch_sub(1, SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;
    use std::thread;

    #[test]
    fn peak_counts_overlapping_calls() {
        let gauge = InFlight::default();
        let all_inside = Barrier::new(3);
        thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| gauge.track(|| all_inside.wait()));
            }
        });
        assert_eq!(gauge.peak(), 3);
        assert_eq!(gauge.now(), 0);
    }

    #[test]
    fn sequential_calls_peak_at_one() {
        let gauge = InFlight::default();
        for _ in 0..5 {
            let _inside = gauge.enter();
            assert_eq!(gauge.now(), 1);
        }
        assert_eq!((gauge.now(), gauge.peak()), (0, 1));
    }
}

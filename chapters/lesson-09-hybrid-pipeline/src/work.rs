//! The CPU stage's work: for each fetched body, count the primes in a range
//! of numbers that the body picks.
//!
//! The body decides *where* the range starts (a hash of its bytes), the
//! [`Work`] setting decides *how long* it is, and so how many milliseconds
//! one item costs. [`Work::calibrate`] finds the length that costs a target
//! time on this machine, so that the CPU stage can be made as slow as the
//! fetch stage, or slower, or faster, on any computer.
//!
//! The result depends on the body only, never on timing or thread, so every
//! way of running the pipeline must add up to the same aggregate.

use std::ops::Range;
use std::time::{Duration, Instant};

use course_support::count_primes;

/// Ranges start at this number plus up to [`SPREAD`]: a narrow band, so
/// every item costs about the same.
pub const FIRST: u64 = 1_000_000;
/// How far a body's hash can move the start of its range.
pub const SPREAD: u64 = 100_000;

/// How much CPU work one item costs: the length of its range of numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Work {
    /// Numbers tested for primality per item.
    pub numbers: u64,
}

// ANCHOR: crunch
/// FNV-1a: a fast, stable hash of the body's bytes.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The numbers this body makes us test: where they start depends on the
/// body, how many there are on `work`.
pub fn range_for(body: &[u8], work: Work) -> Range<u64> {
    let start = FIRST + fnv1a(body) % SPREAD;
    start..start + work.numbers
}

/// The CPU-bound transform of one item: how many primes lie in its range.
pub fn crunch(body: &[u8], work: Work) -> u64 {
    count_primes(range_for(body, work))
}
// ANCHOR_END: crunch

impl Work {
    /// Finds how many numbers per item cost about `target` of CPU time on
    /// one core of this machine (in this build: debug is slower). Takes
    /// about 100 ms.
    pub fn calibrate(target: Duration) -> Work {
        let sample = b"/item/calibration\n";
        let time = |numbers| {
            let started = Instant::now();
            std::hint::black_box(crunch(sample, Work { numbers }));
            started.elapsed()
        };
        let mut numbers: u64 = 2_000;
        // Double until one run takes long enough to time well.
        while time(numbers) < Duration::from_millis(20) && numbers < 1 << 34 {
            numbers *= 2;
        }
        // The fastest of three: other programs can only make a run slower.
        let fastest = (0..3).map(|_| time(numbers)).min().unwrap_or_default();
        let per_number = fastest.as_secs_f64() / numbers as f64;
        let wanted = (target.as_secs_f64() / per_number).round() as u64;
        Work {
            numbers: wanted.max(1),
        }
    }

    /// The mean time one item takes on this thread, over these bodies.
    pub fn time_per_item(self, bodies: &[Vec<u8>]) -> Duration {
        if bodies.is_empty() {
            return Duration::ZERO;
        }
        let started = Instant::now();
        for body in bodies {
            std::hint::black_box(crunch(body, self));
        }
        started.elapsed() / bodies.len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_depends_on_the_body_and_the_work() {
        let w = Work { numbers: 50 };
        let a = range_for(b"/item/1\n", w);
        assert_eq!(a.end - a.start, 50);
        assert!(a.start >= FIRST && a.start < FIRST + SPREAD);
        assert_eq!(a, range_for(b"/item/1\n", w), "same body, same range");
        assert_ne!(a, range_for(b"/item/2\n", w), "another body, another range");
    }

    #[test]
    fn crunch_counts_primes_in_the_range() {
        let w = Work { numbers: 1_000 };
        let body = b"/item/7\n";
        assert_eq!(crunch(body, w), count_primes(range_for(body, w)));
        assert!(
            crunch(body, w) > 0,
            "1000 numbers near a million hold primes"
        );
    }

    #[test]
    fn calibration_scales_with_the_target() {
        let short = Work::calibrate(Duration::from_millis(1));
        let long = Work::calibrate(Duration::from_millis(8));
        assert!(short.numbers >= 1);
        assert!(
            long.numbers > short.numbers,
            "{long:?} vs {short:?}: more time, more numbers"
        );
    }
}

//! Amdahl's law, and a program whose serial part we can measure.
//!
//! If a fraction `p` of a program's single-worker time can be spread over
//! `n` workers and the rest, `1 - p`, cannot, the best possible speed-up is
//!
//! ```text
//! S(n) = 1 / ((1 - p) + p / n)        and never more than 1 / (1 - p)
//! ```
//!
//! We measure `p` by timing the phases of a one-worker run, predict `S(n)`,
//! and set the prediction beside the speed-up we measure. Going the other
//! way, the Karp-Flatt metric turns a measured speed-up into the serial
//! fraction it implies; when that is larger than the serial fraction we
//! timed, the difference is overhead (starting workers, waiting, imbalance).

use std::time::{Duration, Instant};

use course_support::is_prime;
use rayon::ThreadPool;
use rayon::prelude::*;

// ANCHOR: formulas
/// Amdahl's law: the speed-up on `n` workers of a program whose parallel
/// fraction is `p` (clamped to `0..=1`). `n` must be positive.
pub fn speedup(p: f64, n: f64) -> f64 {
    assert!(n > 0.0, "Amdahl's law needs at least one worker, got {n}");
    let p = p.clamp(0.0, 1.0);
    1.0 / ((1.0 - p) + p / n)
}

/// The speed-up no number of workers can beat: `1 / (1 - p)`
/// (infinite when everything is parallel).
pub fn limit(p: f64) -> f64 {
    1.0 / (1.0 - p.clamp(0.0, 1.0))
}

/// The parallel fraction `p` of a run that spent `serial` in code only one
/// worker can run and `parallel` in code that can be shared.
pub fn parallel_fraction(serial: Duration, parallel: Duration) -> f64 {
    let total = (serial + parallel).as_secs_f64();
    if total == 0.0 {
        return 1.0;
    }
    parallel.as_secs_f64() / total
}

/// Karp-Flatt: the serial fraction `e` that a measured speed-up `s` on `n`
/// workers implies, `e = (1/s - 1/n) / (1 - 1/n)`. Amdahl's law run
/// backwards: `karp_flatt(speedup(p, n), n) == 1 - p`. `None` for `n <= 1`.
pub fn karp_flatt(s: f64, n: f64) -> Option<f64> {
    (n > 1.0 && s > 0.0).then(|| (1.0 / s - 1.0 / n) / (1.0 - 1.0 / n))
}
// ANCHOR_END: formulas

/// How long each phase of one run of [`program`] took, and its answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phases {
    /// Serial: generating the input.
    pub setup: Duration,
    /// Parallel: testing every number.
    pub work: Duration,
    /// Serial: merging the partial results.
    pub merge: Duration,
    /// The answer: how many distinct primes the input holds.
    pub primes: usize,
}

impl Phases {
    pub fn total(&self) -> Duration {
        self.setup + self.work + self.merge
    }

    /// The serial phases, setup plus merge.
    pub fn serial(&self) -> Duration {
        self.setup + self.merge
    }

    /// The parallel fraction `p` of this run.
    pub fn p(&self) -> f64 {
        parallel_fraction(self.serial(), self.work)
    }
}

// ANCHOR: program
/// A program with a serial part, like most: generate `count` numbers below
/// `max` (serial: each comes from the previous one, as lines come one after
/// another from a file), test them all for primality on `pool` (parallel),
/// then merge the primes found into one sorted list without duplicates
/// (serial, as written). Returns the time of each phase.
pub fn program(pool: &ThreadPool, count: usize, max: u64, seed: u64) -> Phases {
    let t = Instant::now();
    let numbers = generate(seed, count, max.max(1));
    let setup = t.elapsed();

    let t = Instant::now();
    let found: Vec<Vec<u64>> = pool.install(|| {
        numbers
            .par_chunks(4096)
            .map(|chunk| chunk.iter().copied().filter(|&n| is_prime(n)).collect())
            .collect()
    });
    let work = t.elapsed();

    let t = Instant::now();
    let mut primes = found.concat();
    primes.sort_unstable();
    primes.dedup();
    let merge = t.elapsed();

    Phases {
        setup,
        work,
        merge,
        primes: primes.len(),
    }
}
// ANCHOR_END: program

/// `count` pseudo-random numbers below `max` (xorshift64*): a loop where
/// each step needs the one before, so it cannot be split between workers.
pub fn generate(seed: u64, count: usize, max: u64) -> Vec<u64> {
    // A different start for every seed, never 0 (xorshift would stay at 0).
    let mut state = ((seed ^ 0x9E37_79B9_7F4A_7C15).wrapping_mul(0xBF58_476D_1CE4_E5B9)).max(1);
    (0..count)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D) % max
        })
        .collect()
}

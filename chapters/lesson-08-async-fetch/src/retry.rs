//! Retries with exponential backoff and jitter: what to do about failures
//! that go away by themselves (a 503 from an overloaded server, a timeout, a
//! dropped connection).
//!
//! Wait `base` after the first failure, then twice that, four times, ... up
//! to `max_delay`; give up after `max_attempts` and return the last error.
//! *Jitter* spreads the waits of many clients so that they do not all come
//! back at the same instant and knock the server over again.
//!
//! Only transient errors are retried ([`FetchError::is_transient`]): a 404
//! will be a 404 again.

use std::time::Duration;

use crate::fetch::FetchError;

/// How long to wait between attempts, and how many to make.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The wait after the first failure.
    pub base: Duration,
    /// Each wait is this many times the one before (2.0: doubling).
    pub factor: f64,
    /// No wait is longer than this.
    pub max_delay: Duration,
    /// How much chance goes into each wait.
    pub jitter: Jitter,
}

/// How a wait is randomised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Exactly the exponential delay.
    None,
    /// Half the delay, plus a random part of the other half: waits still
    /// grow (each is at least the one before), clients still spread out.
    Equal,
    /// A random wait between zero and the delay (spreads most; waits may shrink).
    Full,
}

impl Default for Backoff {
    /// 4 attempts, waits of 100, 200, 400 ms (before jitter), capped at 5 s.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base: Duration::from_millis(100),
            factor: 2.0,
            max_delay: Duration::from_secs(5),
            jitter: Jitter::Equal,
        }
    }
}

// ANCHOR: delay
impl Backoff {
    /// The exponential delay before retry number `retry` (1 = the first
    /// retry, after the first failure), before jitter: `base * factor^(retry-1)`,
    /// at most `max_delay`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let exp = self.factor.powi(retry.saturating_sub(1).min(64) as i32);
        let secs = (self.base.as_secs_f64() * exp).min(self.max_delay.as_secs_f64());
        Duration::from_secs_f64(secs.max(0.0))
    }

    /// The wait before retry number `retry`, jitter drawn from `rng`.
    pub fn delay(&self, retry: u32, rng: &mut Rng) -> Duration {
        let ceiling = self.ceiling(retry);
        match self.jitter {
            Jitter::None => ceiling,
            Jitter::Equal => ceiling / 2 + ceiling.mul_f64(0.5 * rng.unit()),
            Jitter::Full => ceiling.mul_f64(rng.unit()),
        }
    }
}
// ANCHOR_END: delay

/// A small, seedable random number generator (SplitMix64): enough for
/// jitter, no dependency, and the same waits for the same seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Seeded from the clock: different on every run.
    pub fn from_clock() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Self(nanos)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// How a retried operation ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Retried<T> {
    /// The first success, or the last error.
    pub result: Result<T, FetchError>,
    /// Attempts made (1 if the first succeeded).
    pub attempts: u32,
    /// The waits between them, in order (`attempts - 1` of them).
    pub delays: Vec<Duration>,
}

// ANCHOR: retry
/// Calls `attempt(n)` (n = 1, 2, ...) until it succeeds, fails with an error
/// that is not transient, or `policy.max_attempts` have failed; sleeps
/// `policy.delay(..)` between attempts without blocking the runtime.
pub async fn retry<T, F, Fut>(policy: &Backoff, rng: &mut Rng, mut attempt: F) -> Retried<T>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, FetchError>>,
{
    let mut delays = Vec::new();
    let mut n = 1;
    loop {
        let result = attempt(n).await;
        let give_up = match &result {
            Ok(_) => true,
            Err(e) => !e.is_transient() || n >= policy.max_attempts.max(1),
        };
        if give_up {
            return Retried {
                result,
                attempts: n,
                delays,
            };
        }
        let wait = policy.delay(n, rng);
        delays.push(wait);
        tokio::time::sleep(wait).await;
        n += 1;
    }
}
// ANCHOR_END: retry

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn ceilings_double_up_to_the_cap() {
        let b = Backoff {
            base: ms(100),
            max_delay: ms(500),
            ..Backoff::default()
        };
        let c: Vec<u128> = (1..=5).map(|r| b.ceiling(r).as_millis()).collect();
        assert_eq!(c, [100, 200, 400, 500, 500]);
    }

    #[test]
    fn equal_jitter_stays_in_the_upper_half_and_never_shrinks() {
        let b = Backoff {
            base: ms(10),
            max_delay: ms(10_000),
            ..Backoff::default()
        };
        for seed in 0..200 {
            let mut rng = Rng::new(seed);
            let mut last = Duration::ZERO;
            for r in 1..=8 {
                let d = b.delay(r, &mut rng);
                let ceiling = b.ceiling(r);
                assert!(
                    d >= ceiling / 2 && d <= ceiling,
                    "retry {r}: {d:?} vs {ceiling:?}"
                );
                assert!(d >= last, "waits never shrink with equal jitter");
                last = d;
            }
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_waits() {
        let b = Backoff {
            jitter: Jitter::Full,
            ..Backoff::default()
        };
        let waits = |seed| {
            let mut rng = Rng::new(seed);
            (1..5).map(|r| b.delay(r, &mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(waits(7), waits(7));
        assert_ne!(waits(7), waits(8));
    }
}

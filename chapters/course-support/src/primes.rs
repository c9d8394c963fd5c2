//! The course's CPU-bound workload: counting primes by trial division.
//!
//! It is deliberately naive: it touches no memory, does no I/O and takes a
//! predictable amount of work per number, so any speed-up we measure comes from
//! running it on more cores and nothing else.

use std::ops::Range;

/// Is `n` prime? Trial division by odd numbers up to the square root.
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n.is_multiple_of(2) {
        return n == 2;
    }
    let mut d = 3;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

/// How many primes lie in `range`.
pub fn count_primes(range: Range<u64>) -> u64 {
    range.filter(|&n| is_prime(n)).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_primes() {
        let primes: Vec<u64> = (0..30).filter(|&n| is_prime(n)).collect();
        assert_eq!(primes, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
    }

    #[test]
    fn counts_match_known_values() {
        assert_eq!(count_primes(0..100), 25);
        assert_eq!(count_primes(0..10_000), 1_229);
        // Ranges split anywhere add up to the whole.
        assert_eq!(count_primes(0..5_000) + count_primes(5_000..10_000), 1_229);
    }
}

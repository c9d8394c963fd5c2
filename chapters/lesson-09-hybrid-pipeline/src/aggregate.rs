//! The last stage: fold every crunched item into one result.
//!
//! Items arrive in whatever order the fetches and the CPU threads finish, so
//! everything here is order-independent (sums, and a sorted list of which
//! items came). Two runs that processed the same items agree exactly, however
//! they were scheduled; and the sorted list shows that each item was counted
//! once, not lost and not duplicated.

/// One item after the CPU stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crunched {
    /// Its position in the list of URLs.
    pub index: usize,
    /// Primes in its range.
    pub primes: u64,
    /// Bytes its body had.
    pub bytes: usize,
}

// ANCHOR: aggregate
/// The running total of everything that reached the end of the pipeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aggregate {
    /// Items aggregated.
    pub items: usize,
    /// Their bodies' bytes, summed.
    pub bytes: u64,
    /// Their primes, summed.
    pub primes: u64,
    /// An order-independent fingerprint of (index, primes) pairs.
    pub checksum: u64,
    /// Which items were aggregated, sorted by [`Aggregate::finish`].
    pub indices: Vec<usize>,
}

impl Aggregate {
    /// Adds one item.
    pub fn add(&mut self, c: &Crunched) {
        self.items += 1;
        self.bytes += c.bytes as u64;
        self.primes += c.primes;
        self.checksum = self
            .checksum
            .wrapping_add(mix(((c.index as u64) << 32) ^ c.primes));
        self.indices.push(c.index);
    }

    /// Sorts the indices, so that two aggregates of the same items are equal.
    pub fn finish(mut self) -> Self {
        self.indices.sort_unstable();
        self
    }

    /// Did every index appear exactly once? (`indices` must be sorted.)
    pub fn each_once(&self) -> bool {
        self.indices.windows(2).all(|w| w[0] < w[1])
    }
}
// ANCHOR_END: aggregate

/// SplitMix64's finaliser: spreads the bits, so that sums of mixed values
/// tell different sets apart.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(index: usize, primes: u64) -> Crunched {
        Crunched {
            index,
            primes,
            bytes: 10,
        }
    }

    #[test]
    fn the_order_of_arrival_does_not_matter() {
        let mut a = Aggregate::default();
        let mut b = Aggregate::default();
        for i in 0..5 {
            a.add(&item(i, i as u64 * 3));
        }
        for i in (0..5).rev() {
            b.add(&item(i, i as u64 * 3));
        }
        assert_eq!(a.finish(), b.finish());
    }

    #[test]
    fn a_duplicate_or_a_swap_changes_it() {
        let mut once = Aggregate::default();
        once.add(&item(1, 10));
        once.add(&item(2, 20));
        let once = once.finish();
        assert!(once.each_once());

        let mut twice = once.clone();
        twice.add(&item(2, 20));
        let twice = twice.finish();
        assert!(!twice.each_once());

        let mut swapped = Aggregate::default();
        swapped.add(&item(1, 20));
        swapped.add(&item(2, 10));
        assert_ne!(once.checksum, swapped.finish().checksum);
    }
}

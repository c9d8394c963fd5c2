//! Helpers shared by every lesson crate, so that each lesson's code is about
//! its own idea: the CPU-bound workload, timing, and printing result tables.

pub mod primes;
pub mod report;
pub mod timing;

pub use primes::{count_primes, is_prime};
pub use report::{Table, ratio, table};
pub use timing::{Timed, cores, time};

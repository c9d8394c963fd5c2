//! Helpers shared by every lesson crate, so that each lesson's code is about
//! its own idea: the CPU-bound workload, timing, printing result tables,
//! child processes that never outlive their parent, the command line's and the
//! tour's common parts (`cli`, `tour`), and readings of what the system allows
//! and what a process used (`system`).

pub mod chart;
pub mod child;
pub mod cli;
pub mod in_flight;
pub mod interpreter;
pub mod precise_sleep;
pub mod primes;
pub mod progress;
pub mod python;
pub mod report;
pub mod system;
pub mod testing;
pub mod timing;
pub mod tour;

pub use in_flight::{Entered, InFlight};
pub use primes::{count_primes, is_prime};
pub use report::{Table, ratio, table};
pub use timing::{Timed, cores, time};

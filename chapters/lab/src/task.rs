//! What one task is. Every mode of the laboratory runs the same tasks, so a
//! faster mode can only be faster by running them differently.
//!
//! A task has up to three parts, in this order:
//!
//! 1. **wait** (`io`): a sleep standing for a network or disk wait, during
//!    which the task needs no core;
//! 2. **read its input** (`data_kb`): sum the bytes of its input, which a
//!    thread reads in place and a process must first receive through a pipe;
//! 3. **compute** (`numbers`): count the primes in a block of numbers.
//!
//! The three workloads of `lab bench` are three settings of the same spec:
//! `cpu` computes only, `io` waits (and parses a few numbers), `mixed` does both.

use std::hint::black_box;
use std::ops::Range;
use std::time::Duration;

use course_support::count_primes;

/// The workloads of `lab bench`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    /// Count primes in a block of numbers: all computation.
    Cpu,
    /// Wait (sleep) for a simulated response, then parse a few numbers.
    Io,
    /// Both: wait, then compute a full block.
    Mixed,
}

impl Workload {
    pub fn name(self) -> &'static str {
        match self {
            Workload::Cpu => "cpu",
            Workload::Io => "io",
            Workload::Mixed => "mixed",
        }
    }
}

/// Numbers a `cpu` task tests for primality by default: 0.2 to 0.3 ms in a
/// release build, so 5000 tasks take 1 to 1.5 s sequentially.
pub const DEFAULT_NUMBERS: u64 = 2_000;
/// Numbers an `io` task "parses" after its wait.
pub const PARSE_NUMBERS: u64 = 20;
/// The default wait of an `io` or `mixed` task.
pub const DEFAULT_IO: Duration = Duration::from_millis(1);

/// The first number any task tests.
const BASE: u64 = 1_000_000;
/// Task blocks start somewhere in `BASE..BASE + WINDOW`, so every block costs
/// about the same however many tasks there are.
const WINDOW: u64 = 1_000_000;
/// The step between the blocks of consecutive tasks (a prime, so the starts
/// spread over the whole window).
const STRIDE: u64 = 7_919;
/// The largest block a task may count (keeps blocks in the same magnitude).
pub const MAX_NUMBERS: u64 = 5_000_000;

// ANCHOR: spec
/// One task, described completely: every mode runs `tasks` of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TaskSpec {
    /// Numbers whose primality the task tests (its CPU part).
    pub numbers: u64,
    /// How long the task waits, as if for a response (its I/O part).
    #[serde(with = "micros")]
    pub io: Duration,
    /// Bytes of input per task (0: none). Threads read them in place;
    /// processes receive them through a pipe.
    pub data_bytes: usize,
}

impl TaskSpec {
    /// The spec of a `lab bench` workload.
    pub fn for_workload(workload: Workload, numbers: u64, io: Duration) -> Self {
        match workload {
            Workload::Cpu => Self {
                numbers,
                io: Duration::ZERO,
                data_bytes: 0,
            },
            Workload::Io => Self {
                numbers: PARSE_NUMBERS,
                io,
                data_bytes: 0,
            },
            Workload::Mixed => Self {
                numbers,
                io,
                data_bytes: 0,
            },
        }
    }

    /// The block of numbers task `i` counts primes in.
    pub fn range(&self, i: u64) -> Range<u64> {
        let start = BASE + i.wrapping_mul(STRIDE) % WINDOW;
        start..start + self.numbers
    }

    /// The CPU part of task `i`: how many primes its block holds.
    pub fn compute(&self, i: u64) -> u64 {
        count_primes(self.range(i))
    }

    /// The whole task `i` done by a blocking worker: wait, read, compute.
    pub fn run_blocking(&self, i: u64, input: &[u8]) -> Outcome {
        if !self.io.is_zero() {
            std::thread::sleep(self.io);
        }
        Outcome {
            primes: self.compute(i),
            bytes: read_input(input),
        }
    }
}
// ANCHOR_END: spec

/// "Reads" an input: sums its bytes (so the reads really happen) and returns
/// how many there were.
pub fn read_input(input: &[u8]) -> u64 {
    let sum: u64 = input.iter().map(|&b| u64::from(b)).sum();
    black_box(sum);
    input.len() as u64
}

/// The input of every task: `bytes` deterministic bytes.
pub fn input(bytes: usize) -> Vec<u8> {
    (0..bytes).map(|i| (i % 251) as u8).collect()
}

/// What tasks produced: primes found and input bytes read. Every mode must
/// produce the same outcome for the same tasks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Outcome {
    pub primes: u64,
    pub bytes: u64,
}

impl std::ops::AddAssign for Outcome {
    fn add_assign(&mut self, other: Self) {
        self.primes += other.primes;
        self.bytes += other.bytes;
    }
}

impl std::iter::Sum for Outcome {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        let mut total = Outcome::default();
        for o in iter {
            total += o;
        }
        total
    }
}

/// Serialises a `Duration` as whole microseconds.
mod micros {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_micros() as u64)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_micros)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_stay_in_one_window() {
        let spec = TaskSpec::for_workload(Workload::Cpu, 100, Duration::ZERO);
        for i in [0, 1, 125, 999_999, u64::MAX / 2] {
            let r = spec.range(i);
            assert!(r.start >= BASE && r.start < BASE + WINDOW, "{r:?}");
            assert_eq!(r.end - r.start, 100);
        }
    }

    #[test]
    fn workloads_set_the_parts() {
        let io = Duration::from_millis(1);
        let cpu = TaskSpec::for_workload(Workload::Cpu, 500, io);
        assert_eq!((cpu.numbers, cpu.io), (500, Duration::ZERO));
        let w = TaskSpec::for_workload(Workload::Io, 500, io);
        assert_eq!((w.numbers, w.io), (PARSE_NUMBERS, io));
        let m = TaskSpec::for_workload(Workload::Mixed, 500, io);
        assert_eq!((m.numbers, m.io), (500, io));
    }

    #[test]
    fn outcomes_add_up() {
        let spec = TaskSpec::for_workload(Workload::Cpu, 1_000, Duration::ZERO);
        let data = input(10);
        let total: Outcome = (0..4).map(|i| spec.run_blocking(i, &data)).sum();
        let primes: u64 = (0..4).map(|i| count_primes(spec.range(i))).sum();
        assert_eq!(total, Outcome { primes, bytes: 40 });
    }
}

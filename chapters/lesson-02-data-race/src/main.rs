//! `cargo run -p lesson-02-data-race [DEMO]`: with no demo, the guided tour.

mod cli;

use clap::{Args, Parser, Subcommand};
use course_support::cli::{quiet_broken_pipe, u64_in, usize_in};
use course_support::cores;

/// Default increments per thread of `cost`: enough that spawning the threads
/// is noise, few enough that a debug build takes about a second.
const COST_INCREMENTS: u64 = 2_500_000;

/// Default threads of `cost`: two per core, so every core stays busy even
/// while one thread is still being woken up, and the contention is real.
fn cost_threads() -> usize {
    2 * cores()
}

/// Defaults of `downloads`: the seed's five URLs.
const PAGES: usize = 5;
const LATENCY_MS: u64 = 100;

/// counter += 1 from many threads: the race Rust refuses to compile, the lost
/// update shown safely, three exact fixes, what each costs, and the download
/// total from the seed article.
#[derive(Debug, Parser)]
#[command(name = "lesson-02-data-race")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// counter += 1 without a lock, done as an atomic load then store: count the lost updates.
    LostUpdates(cli::lost_updates::Args),
    /// The three exact fixes: Mutex, fetch_add, per-thread sums.
    Fixes(cli::fixes::Args),
    /// Nanoseconds per increment of every way of counting, measured in one run.
    Cost(cli::cost::Args),
    /// The seed's download total: a shared total under a lock vs the sum of join results.
    Downloads(cli::downloads::Args),
}

/// The seed's workload: 10 threads x 1,000 increments.
#[derive(Debug, Clone, Copy, Args)]
struct Size {
    /// How many threads increment the counter.
    #[arg(long, default_value_t = 10, value_parser = usize_in(1..=1_024))]
    threads: usize,
    /// How many times each thread adds 1.
    #[arg(long, default_value_t = 1_000, value_parser = u64_in(1..=100_000_000))]
    increments: u64,
}

fn main() {
    quiet_broken_pipe();
    dispatch(Cli::parse().demo.unwrap_or(Demo::Tour));
}

fn dispatch(demo: Demo) {
    match demo {
        Demo::Tour => cli::tour::run(),
        Demo::LostUpdates(args) => cli::lost_updates::run(args),
        Demo::Fixes(args) => cli::fixes::run(args),
        Demo::Cost(args) => cli::cost::run(args),
        Demo::Downloads(args) => cli::downloads::run(args),
    }
}

//! `cargo run -p lesson-05-pool-map [DEMO]`: with no demo, the guided tour.

mod cli;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use course_support::child::{ROLE_COMMAND, Spawner};
use course_support::cli::{exit_code, finish, quiet_broken_pipe};
use lesson_05_pool_map::roles::{self, Role};

/// Pool.map three ways (rayon, scoped threads, worker processes): chunk
/// size, ordered vs unordered results, CPU-bound scaling and Amdahl's law.
#[derive(Debug, Parser)]
#[command(
    name = "lesson-05-pool-map",
    long_about = "Pool.map three ways (rayon, scoped threads, a pool of worker processes): \
                  chunk size, ordered vs unordered results, CPU-bound scaling and Amdahl's \
                  law.\n\nRun without a subcommand for the guided tour."
)]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand)
    Tour,
    /// The seed's examples: Pool(4).map(process_data, [[1,2,3]]*10) and Pool(8).map(test, range(100))
    Seed(cli::seed::Args),
    /// Ordered vs unordered results (map, imap, imap_unordered) with a slow first item
    Order(cli::order::Args),
    /// Chunk-size sweep on the process pool (and on threads): overhead vs load imbalance
    Chunks(cli::chunks::Args),
    /// The prime count with 1, 2, ... workers: threads, rayon, processes; speed-up, efficiency, Amdahl
    Scaling(cli::scaling::Args),
    /// Amdahl's law against a program with a measured serial part
    Amdahl(cli::amdahl::Args),
    /// A task that panics kills its worker process: reported as an error, no hang, no process left
    Crash(cli::crash::Args),
    /// The scaling table with larger counts, the efficiency target, and Python side by side
    /// (meant for `cargo run --release -p lesson-05-pool-map -- bench`)
    Bench(cli::bench::Args),
    /// What a worker process runs: `lesson-05-pool-map child worker` (started by the pool)
    #[command(name = ROLE_COMMAND, hide = true)]
    Child {
        #[command(subcommand)]
        role: Role,
    },
}

// ANCHOR: main
fn main() -> ExitCode {
    quiet_broken_pipe();
    let demo = Cli::parse().demo.unwrap_or(Demo::Tour);
    // A worker: play the role and exit, before anything a parent would do.
    if let Demo::Child { role } = demo {
        let code = roles::run(role);
        return exit_code(code);
    }
    finish(dispatch(demo))
}
// ANCHOR_END: main

fn dispatch(demo: Demo) -> Result<()> {
    let spawner = Spawner::current_exe()?;
    dispatch_with(&spawner, demo)
}

/// Runs `demo` with the spawner of worker processes (the tour shares one).
fn dispatch_with(spawner: &Spawner, demo: Demo) -> Result<()> {
    match demo {
        Demo::Tour => cli::tour::run(spawner),
        Demo::Seed(a) => cli::seed::run(spawner, &a),
        Demo::Order(a) => cli::order::run(spawner, &a),
        Demo::Chunks(a) => cli::chunks::run(spawner, &a),
        Demo::Scaling(a) => cli::scaling::run(spawner, &a).map(|_| ()),
        Demo::Amdahl(a) => cli::amdahl::run(&a),
        Demo::Crash(a) => cli::crash::run(spawner, &a),
        Demo::Bench(a) => cli::bench::run(spawner, &a),
        Demo::Child { .. } => unreachable!("handled in main"),
    }
}

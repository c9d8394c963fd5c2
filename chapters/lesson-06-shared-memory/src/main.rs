//! `cargo run -p lesson-06-shared-memory [DEMO]`: with no demo, the guided tour.

mod cli;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use course_support::child::{ROLE_COMMAND, Spawner};
use course_support::cli::{exit_code, finish, quiet_broken_pipe};
use lesson_06_shared_memory::interrupt;
use lesson_06_shared_memory::roles::{self, Role};
use lesson_06_shared_memory::segment;

/// A 1000 x 1000 f64 matrix in a named shared-memory segment, transformed in
/// place by child processes and measured against memcpy and pipes; Value and
/// Array analogs; no leaked segments, even when a child panics or Ctrl-C
/// arrives.
#[derive(Debug, Parser)]
#[command(name = "lesson-06-shared-memory")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// Create a named segment, have a child write into it by name, read it, unlink it.
    Segment(cli::segment::Args),
    /// Worker processes multiply a shared matrix in place, one band of rows each.
    Transform(cli::transform::Args),
    /// A worker panics halfway through its band: what the parent reports and what is left.
    Crash(cli::crash::Args),
    /// Value: K processes add 1 to one counter in shared memory, atomically and not.
    Counter(cli::counter::Args),
    /// Manager(): a server process owns a dict; proxies in other processes call it.
    Manager(cli::manager::Args),
    /// multiprocessing.Lock: a robust mutex shared by processes, and a holder killed holding it.
    Lock(cli::lock::Args),
    /// In place in shared memory vs through pipes (raw bytes, JSON) vs threads vs memcpy.
    Compare(cli::compare::Args),
    /// The targets (see the book's Targets page) as ratios measured in one run
    /// (meant for `cargo run --release -p lesson-06-shared-memory -- bench`).
    Bench(cli::bench::Args),
    /// What a child process runs: `lesson-06-shared-memory child <ROLE>` (started by this program).
    #[command(name = ROLE_COMMAND, hide = true)]
    Child {
        #[command(subcommand)]
        role: Role,
    },
}

fn main() -> ExitCode {
    quiet_broken_pipe();
    let demo = Cli::parse().demo.unwrap_or(Demo::Tour);
    if let Demo::Child { role } = demo {
        let code = roles::run(role);
        return exit_code(code);
    }
    if let Err(e) = interrupt::install() {
        eprintln!("warning: no Ctrl-C handler ({e}); Ctrl-C may leave a segment in /dev/shm");
    }
    match dispatch(demo) {
        Err(e) if interrupt::interrupted() || e.is::<interrupt::Interrupted>() => {
            // Unwinding to here dropped every guard: children reaped, segments unlinked.
            eprintln!(
                "interrupted: children reaped; segments of ours left in {}: {}",
                segment::SHM_DIR,
                segment::leftovers_of(std::process::id()).len()
            );
            ExitCode::from(interrupt::EXIT_CODE)
        }
        other => finish(other),
    }
}

fn dispatch(demo: Demo) -> Result<()> {
    let spawner = Spawner::current_exe()?;
    match demo {
        Demo::Tour => cli::tour::run(&spawner),
        Demo::Segment(args) => cli::segment::run(&spawner, args),
        Demo::Transform(args) => cli::transform::run(&spawner, args),
        Demo::Crash(args) => cli::crash::run(&spawner, args),
        Demo::Counter(args) => cli::counter::run(&spawner, args),
        Demo::Manager(args) => cli::manager::run(&spawner, args),
        Demo::Lock(args) => cli::lock::run(&spawner, args),
        Demo::Compare(args) => cli::compare::run(&spawner, args),
        Demo::Bench(args) => cli::bench::run(&spawner, args),
        Demo::Child { .. } => unreachable!("handled in main"),
    }
}

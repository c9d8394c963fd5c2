//! `cargo run -p lesson-11-shm-ring [DEMO]`: with no demo, the guided tour.

#[cfg(not(feature = "model"))]
mod cli;

use std::process::ExitCode;

#[cfg(feature = "model")]
fn main() -> ExitCode {
    eprintln!(
        "built with --features model (loom's atomics): only `cargo test --release -p \
         lesson-11-shm-ring --features model --test model` makes sense; run the lesson without it"
    );
    ExitCode::from(2)
}

#[cfg(not(feature = "model"))]
use {
    anyhow::Result,
    clap::{Parser, Subcommand},
    course_support::child::{ROLE_COMMAND, Spawner},
    course_support::cli::{exit_code, finish, quiet_broken_pipe},
    lesson_11_shm_ring::roles::{self, Role},
    lesson_11_shm_ring::shm,
};

/// A lock-free ring in a named shared-memory segment between processes:
/// orderings, wait strategies, a crashing producer, many producers, and the
/// per-message bench against ipc-channel, a pipe and Python.
#[cfg(not(feature = "model"))]
#[derive(Debug, Parser)]
#[command(name = "lesson-11-shm-ring")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[cfg(not(feature = "model"))]
#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// One producer process, one consumer: every message checked, in order.
    Ring(cli::ring::Args),
    /// The producer dies halfway through writing a message: what the consumer reports.
    Crash(cli::crash::Args),
    /// Spin, spin-then-yield and futex waits, measured.
    Waits(cli::waits::Args),
    /// Many producer processes, one ring each, one consumer.
    Mpsc(cli::mpsc::Args),
    /// The model checker on two deliberately broken orderings: the interleavings it finds
    /// (runs `cargo test --features model`).
    #[command(name = "model-demo")]
    ModelCheck,
    /// One message per send, process to process: the ring vs ipc-channel, a pipe and Python
    /// (meant for `cargo run --release -p lesson-11-shm-ring -- bench`).
    Bench(cli::bench::Args),
    /// What a child process runs: `lesson-11-shm-ring child <ROLE>` (started by this program).
    #[command(name = ROLE_COMMAND, hide = true)]
    Child {
        #[command(subcommand)]
        role: Role,
    },
}

#[cfg(not(feature = "model"))]
fn main() -> ExitCode {
    quiet_broken_pipe();
    let demo = Cli::parse().demo.unwrap_or(Demo::Tour);
    if let Demo::Child { role } = demo {
        return exit_code(roles::run(role));
    }
    if let Err(e) = shm::install_ctrl_c() {
        eprintln!("warning: no Ctrl-C handler ({e}); Ctrl-C may leave a segment in /dev/shm");
    }
    finish(dispatch(demo))
}

#[cfg(not(feature = "model"))]
fn dispatch(demo: Demo) -> Result<()> {
    let spawner = Spawner::current_exe()?;
    match demo {
        Demo::Tour => cli::tour::run(&spawner),
        Demo::Ring(args) => cli::ring::run(&spawner, args),
        Demo::Crash(args) => cli::crash::run(&spawner, args),
        Demo::Waits(args) => cli::waits::run(&spawner, args),
        Demo::Mpsc(args) => cli::mpsc::run(&spawner, args),
        Demo::ModelCheck => cli::model_demo::run(),
        Demo::Bench(args) => cli::bench::run(&spawner, args),
        Demo::Child { .. } => unreachable!("handled in main"),
    }
}

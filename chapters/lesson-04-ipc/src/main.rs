//! `cargo run -p lesson-04-ipc [DEMO]`: with no demo, the guided tour.

mod cli;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use course_support::child::{ROLE_COMMAND, Spawner};
use course_support::cli::{exit_code, finish, quiet_broken_pipe};
use lesson_04_ipc::roles::{self, Role};

const BENCH_MESSAGES: u64 = 200_000;

/// Child processes and IPC: Process, Queue, JoinableQueue and Pipe built from
/// real OS processes (this program started again with a role) and
/// ipc-channel; a crashing child; fork vs spawn; what a process costs.
#[derive(Debug, Parser)]
#[command(name = "lesson-04-ipc")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// Start children, print their pids and exit codes, terminate one that loops forever.
    Process(cli::process::Args),
    /// Many producer processes put numbered messages on one queue.
    Queue(cli::queue::Args),
    /// JoinableQueue: worker processes count primes; task_done and join.
    Joinable(cli::joinable::Args),
    /// A duplex pipe: ping-pong with a child process, and with a thread.
    Pipe(cli::pipe::Args),
    /// The seed's writer/reader pair, ended by terminate (as in the seed) or by disconnecting.
    WriterReader(cli::writer_reader::Args),
    /// Producers that crash mid-stream: reported with their exit status, never waited for.
    Crash(cli::crash::Args),
    /// What fork() copies (one thread, and every lock as it was) and Python's start methods.
    Fork,
    /// Start-up cost: threads vs fork vs processes, microseconds each.
    Startup(cli::startup::Args),
    /// Messages per second: mpsc and crossbeam in one process vs ipc-channel between processes.
    Throughput(cli::throughput::Args),
    /// The targets (see the book's Targets page) with larger counts, and Python side by side
    /// (meant for `cargo run --release -p lesson-04-ipc -- bench`).
    Bench(cli::bench::Args),
    /// What a child process runs: `lesson-04-ipc child <ROLE>` (started by this program).
    #[command(name = ROLE_COMMAND, hide = true)]
    Child {
        #[command(subcommand)]
        role: Role,
    },
}

// ANCHOR: dispatch
fn main() -> ExitCode {
    quiet_broken_pipe();
    let demo = Cli::parse().demo.unwrap_or(Demo::Tour);
    // A child started by this program: play the role and exit with its code.
    if let Demo::Child { role } = demo {
        let code = roles::run(role);
        return exit_code(code);
    }
    // ANCHOR_END: dispatch
    finish(dispatch(demo))
}

fn dispatch(demo: Demo) -> Result<()> {
    let spawner = Spawner::current_exe()?;
    match demo {
        Demo::Tour => cli::tour::run(&spawner),
        Demo::Process(args) => cli::process::run(&spawner, args),
        Demo::Queue(args) => cli::queue::run(&spawner, args),
        Demo::Joinable(args) => cli::joinable::run(&spawner, args),
        Demo::Pipe(args) => cli::pipe::run(&spawner, args),
        Demo::WriterReader(args) => cli::writer_reader::run(&spawner, args),
        Demo::Crash(args) => cli::crash::run(&spawner, args),
        Demo::Fork => cli::fork::run(),
        Demo::Startup(args) => cli::startup::run(&spawner, args),
        Demo::Throughput(args) => cli::throughput::run(&spawner, args),
        Demo::Bench(args) => cli::bench::run(&spawner, args),
        Demo::Child { .. } => unreachable!("handled in main"),
    }
}

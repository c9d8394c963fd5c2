//! `cargo run -p lesson-04-ipc [DEMO]`: with no demo, the guided tour.

mod cli;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::{Parser, Subcommand};
use course_support::child::{ROLE_COMMAND, Spawner};
use course_support::cli::{exit_code, finish, quiet_broken_pipe, u64_in, usize_in};
use course_support::cores;
use course_support::interpreter::PythonArgs;
use lesson_04_ipc::roles::{self, Role};
use lesson_04_ipc::writer_reader::Ending;

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
    Process {
        /// Exit codes for the children to end with, one child each.
        #[arg(long, value_delimiter = ',', default_values_t = [0, 3, 42], value_parser = clap::value_parser!(i32).range(0..=255))]
        exit_codes: Vec<i32>,
        /// How long to wait for the endless child before terminating it, in ms.
        #[arg(long, default_value_t = 200, value_parser = u64_in(0..=10_000))]
        wait_ms: u64,
    },
    /// Many producer processes put numbered messages on one queue.
    Queue {
        #[arg(long, default_value_t = 4, value_parser = usize_in(1..=64))]
        producers: usize,
        /// Messages per producer.
        #[arg(long, default_value_t = 5_000, value_parser = u64_in(1..=10_000_000))]
        messages: u64,
    },
    /// JoinableQueue: worker processes count primes; task_done and join.
    Joinable {
        #[arg(long, default_value_t = cores().clamp(2, 8), value_parser = usize_in(1..=64))]
        workers: usize,
        #[arg(long, default_value_t = 12, value_parser = u64_in(1..=10_000))]
        tasks: u64,
        /// Count the primes below this number.
        #[arg(long, default_value_t = 200_000, value_parser = u64_in(1..=100_000_000))]
        below: u64,
    },
    /// A duplex pipe: ping-pong with a child process, and with a thread.
    Pipe {
        #[arg(long, default_value_t = 2_000, value_parser = u64_in(1..=10_000_000))]
        rounds: u64,
    },
    /// The seed's writer/reader pair, ended by terminate (as in the seed) or by disconnecting.
    WriterReader {
        #[arg(long, value_enum)]
        ending: Option<Ending>,
        /// The writer's pause after each put, in ms.
        #[arg(long, default_value_t = 20, value_parser = u64_in(0..=5_000))]
        pause_ms: u64,
    },
    /// Producers that crash mid-stream: reported with their exit status, never waited for.
    Crash {
        /// Messages each producer plans to send.
        #[arg(long, default_value_t = 1_000, value_parser = u64_in(1..=10_000_000))]
        messages: u64,
        /// The crashing producers stop after this many messages.
        #[arg(long, default_value_t = 300, value_parser = u64_in(0..=10_000_000))]
        after: u64,
    },
    /// What fork() copies (one thread, and every lock as it was) and Python's start methods.
    Fork,
    /// Start-up cost: threads vs fork vs processes, microseconds each.
    Startup {
        #[arg(long, default_value_t = 500, value_parser = usize_in(1..=1_000_000))]
        threads: usize,
        #[arg(long, default_value_t = 50, value_parser = usize_in(1..=100_000))]
        processes: usize,
    },
    /// Messages per second: mpsc and crossbeam in one process vs ipc-channel between processes.
    Throughput {
        #[arg(long, default_value_t = cli::tour::TOUR_MESSAGES, value_parser = u64_in(2..=100_000_000))]
        messages: u64,
        #[arg(long, default_value_t = cores().clamp(2, 8), value_parser = usize_in(1..=64))]
        producers: usize,
        #[arg(long, default_value_t = 64, value_parser = usize_in(1..=100_000))]
        batch: usize,
    },
    /// The targets (see the book's Targets page) with larger counts, and Python side by side
    /// (meant for `cargo run --release -p lesson-04-ipc -- bench`).
    Bench {
        #[arg(long, default_value_t = BENCH_MESSAGES, value_parser = u64_in(2..=100_000_000))]
        messages: u64,
        #[arg(long, default_value_t = cores().clamp(2, 8), value_parser = usize_in(1..=64))]
        producers: usize,
        #[arg(long, default_value_t = 64, value_parser = usize_in(1..=100_000))]
        batch: usize,
        /// Threads and processes to start for the start-up table.
        #[arg(long, default_value_t = 100, value_parser = usize_in(1..=100_000))]
        starts: usize,
        #[command(flatten)]
        python: PythonArgs,
    },
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
        Demo::Process {
            exit_codes,
            wait_ms,
        } => cli::process::run(&spawner, &exit_codes, Duration::from_millis(wait_ms)),
        Demo::Queue {
            producers,
            messages,
        } => cli::queue::run(&spawner, producers, messages),
        Demo::Joinable {
            workers,
            tasks,
            below,
        } => cli::joinable::run(&spawner, workers, tasks, below),
        Demo::Pipe { rounds } => cli::pipe::run(&spawner, rounds),
        Demo::WriterReader { ending, pause_ms } => {
            let endings = match ending {
                Some(e) => vec![e],
                None => vec![Ending::Terminate, Ending::Disconnect],
            };
            cli::writer_reader::run(&spawner, &endings, Duration::from_millis(pause_ms))
        }
        Demo::Crash { messages, after } => cli::crash::run(&spawner, messages, after),
        Demo::Fork => cli::fork::run(),
        Demo::Startup { threads, processes } => {
            cli::startup::run(&spawner, threads, processes, None)
        }
        Demo::Throughput {
            messages,
            producers,
            batch,
        } => cli::throughput::run(&spawner, messages, producers, batch, None).map(|_| ()),
        Demo::Bench {
            messages,
            producers,
            batch,
            starts,
            python,
        } => cli::bench::run(&spawner, messages, producers, batch, starts, &python),
        Demo::Child { .. } => unreachable!("handled in main"),
    }
}

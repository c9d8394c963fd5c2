//! `cargo run -p lab` (no arguments) is the guided tour; `bench`, `advise`,
//! `timeline`, `matrix`, `history` and `calibrate` are the tools
//! (`--help` lists their flags).

mod cli;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::{Parser, Subcommand};
use course_support::child::{ROLE_COMMAND, Spawner};
use course_support::cli::{exit_code, finish, quiet_broken_pipe};
use lab::scenarios::{self};
use lab::task::TaskSpec;
use lab::{calibrate, pool};

#[derive(Debug, Parser)]
#[command(
    name = "lab",
    about = "The benchmarking laboratory and the decision assistant",
    long_about = "The benchmarking laboratory: the same tasks run sequentially, as threads under a \
                  simulated GIL, as free threads, as isolated workers that share nothing (Python's \
                  subinterpreters), as processes and with async, measured on this \
                  machine; and the decision assistant, which predicts those times and recommends \
                  a model.\n\nRun without a subcommand for the guided tour."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The guided tour: a small bench, the timeline, the assistant (the default)
    Tour,
    /// Run one workload in every mode: ms, speed-up, efficiency, history, chart
    Bench(cli::bench::Args),
    /// Recommend threads, processes, async or a hybrid for a workload, with predicted times
    Advise(cli::advise::Args),
    /// The decision matrix: scenarios, the model each calls for, Python and Rust tools
    Matrix,
    /// Lesson 01's GIL timeline from a real run, as text and as an SVG
    Timeline(cli::timeline::Args),
    /// The bench history: past runs, and a chart of comparable ones
    History(cli::history::Args),
    /// Measure what the assistant's model needs on this machine
    Calibrate,
    /// What a worker process runs: `lab child worker ...` (started by `lab` itself)
    #[command(name = ROLE_COMMAND, hide = true)]
    Child {
        #[command(subcommand)]
        role: Role,
    },
}

#[derive(Debug, Subcommand)]
enum Role {
    /// A process-pool worker: task frames on stdin, answers on stdout.
    Worker {
        #[arg(long)]
        numbers: u64,
        #[arg(long)]
        io_us: u64,
    },
}

fn main() -> ExitCode {
    quiet_broken_pipe();
    let command = Cli::parse().command.unwrap_or(Command::Tour);
    if let Command::Child {
        role: Role::Worker { numbers, io_us },
    } = command
    {
        let spec = TaskSpec {
            numbers,
            io: Duration::from_micros(io_us),
            data_bytes: 0,
        };
        return exit_code(pool::worker_main(&spec));
    }
    finish(dispatch(command))
}

fn dispatch(command: Command) -> Result<()> {
    let spawner = Spawner::current_exe()?;
    dispatch_with(&spawner, command)
}

/// Runs `command` with the spawner of worker processes (the tour shares one).
fn dispatch_with(spawner: &Spawner, command: Command) -> Result<()> {
    match command {
        Command::Tour => cli::tour::run(spawner),
        Command::Bench(args) => cli::bench::run(&args, spawner),
        Command::Advise(args) => cli::advise::run(&args, spawner),
        Command::Matrix => {
            println!("{}", scenarios::matrix_table());
            Ok(())
        }
        Command::Timeline(args) => cli::timeline::run(&args),
        Command::History(args) => cli::history::run(&args),
        Command::Calibrate => {
            let cal = calibrate::measure(spawner, Duration::from_millis(5))?;
            println!("{}", calibrate::table(&cal));
            Ok(())
        }
        Command::Child { .. } => unreachable!("handled in main"),
    }
}

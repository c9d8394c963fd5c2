//! `cargo run -p lesson-01-gil` (no arguments) is the guided tour; each demo
//! is also a subcommand (`--help` lists them).

mod cli;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "lesson-01-gil",
    about = "Lesson 01: what Python's GIL does to threads, measured with a simulated interpreter lock",
    long_about = "Lesson 01: what Python's GIL does to threads, measured with a simulated \
                  interpreter lock.\n\nRun without a subcommand for the guided tour."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The guided tour: every section below, in order (the default)
    Tour,
    /// Concurrency vs parallelism, and what a GIL is
    Concepts,
    /// The three pillars: threads vs processes vs async
    Pillars,
    /// Measure sequential vs threads under the interpreter lock vs free threads
    Gil(cli::gil::Args),
    /// Draw which worker ran when: T lanes (one lock) vs P lanes (no shared lock)
    Timeline(cli::timeline::Args),
    /// The convoy effect: a CPU-bound thread delays every I/O call of another
    Convoy(cli::convoy::Args),
    /// Why Rust has no GIL: threads read shared data on every core, checked at compile time
    NoGil(cli::no_gil::Args),
    /// Four ways CPython runs code at once (GIL threads, free-threaded threads,
    /// subinterpreters, processes) and their Rust counterparts; share-nothing workers
    Ways(cli::ways::Args),
}

fn main() {
    course_support::cli::quiet_broken_pipe();
    dispatch(Cli::parse().command.unwrap_or(Command::Tour));
}

fn dispatch(command: Command) {
    match command {
        Command::Tour => cli::tour::run(),
        Command::Concepts => cli::tour::concepts(),
        Command::Pillars => print!("{}", cli::pillars::text()),
        Command::Gil(args) => cli::gil::run(&args),
        Command::Timeline(args) => cli::timeline::run(&args),
        Command::Convoy(args) => cli::convoy::run(&args),
        Command::NoGil(args) => cli::no_gil::run(&args),
        Command::Ways(args) => cli::ways::run(&args),
    }
}

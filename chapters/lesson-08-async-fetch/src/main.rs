//! `cargo run -p lesson-08-async-fetch [DEMO]`: with no demo, the guided tour.

mod cli;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use course_support::child::ROLE_COMMAND;
use course_support::cli::{finish, quiet_broken_pipe};
use lesson_08_async_fetch::system::raise_nofile;

/// asyncio and aiohttp in Rust: tokio and reqwest against an embedded HTTP
/// server (or your --url): gather, bounded concurrency, timeouts, retries,
/// error reports, blocking the event loop, threads vs async, and a benchmark.
#[derive(Debug, Parser)]
#[command(name = "lesson-08-async-fetch")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// asyncio.gather: one by one vs join_all vs a JoinSet of tasks; results in order.
    Gather(cli::gather::Args),
    /// At most --limit requests at once: tokio Semaphore and buffer_unordered, checked by the server.
    Bounded(cli::bounded::Args),
    /// Stalled answers: no timeout (hangs) vs tokio::time::timeout vs reqwest's timeout.
    Timeouts(cli::timeouts::Args),
    /// Retries with exponential backoff and jitter against a server whose first answers fail.
    Retry(cli::retry::Args),
    /// The whole robust fetcher: bound + timeout + retries, and a report of errors by kind.
    Errors(cli::errors::Args),
    /// Blocking the event loop: std::thread::sleep vs tokio::time::sleep vs spawn_blocking.
    Blocking(cli::blocking::Args),
    /// Threads vs async tasks at 10 .. 10,000 requests in flight: time and peak memory.
    Threads(cli::threads::Args),
    /// The benchmark: 10,000 requests at concurrency 1,000 against a 50 ms server, vs the ideal, and Python.
    Bench(cli::bench::Args),
    /// A child process's role (started by the demos themselves).
    #[command(name = ROLE_COMMAND, hide = true)]
    Child {
        #[command(subcommand)]
        role: cli::child::Role,
    },
}

fn main() -> ExitCode {
    quiet_broken_pipe();
    // Every socket is a file: 10,000 connections need more than 1,024.
    raise_nofile();
    let cli = Cli::parse();
    finish(dispatch(cli.demo.unwrap_or(Demo::Tour)))
}

fn dispatch(demo: Demo) -> Result<()> {
    match demo {
        Demo::Tour => cli::tour::run(),
        Demo::Gather(args) => cli::gather::run(args),
        Demo::Bounded(args) => cli::bounded::run(args),
        Demo::Timeouts(args) => cli::timeouts::run(args),
        Demo::Retry(args) => cli::retry::run(args),
        Demo::Errors(args) => cli::errors::run(args),
        Demo::Blocking(args) => cli::blocking::run(args),
        Demo::Threads(args) => cli::threads::run(args),
        Demo::Bench(args) => cli::bench::run(args),
        Demo::Child { role } => cli::child::run(role),
    }
}

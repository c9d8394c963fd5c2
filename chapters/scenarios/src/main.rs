//! `cargo run -p scenarios [SCENARIO]`: with no scenario, the tour.

mod cli;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use course_support::child::ROLE_COMMAND;
use course_support::cli::{exit_code, finish, quiet_broken_pipe};

/// Three systems, three ways: a web server, data collection and a real-time
/// system, each built with threads, async and processes, measured under
/// load, with Python's counterparts (ThreadingHTTPServer, uvicorn, gunicorn,
/// asyncio, multiprocessing, websockets) side by side.
#[derive(Debug, Parser)]
#[command(name = "scenarios")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every scenario with small settings (what runs without a subcommand).
    Tour,
    /// A web server: thread per connection, axum on tokio, pre-forked processes; Python's three.
    Web(cli::web::Args),
    /// Data collection: async sensors over TCP; a 100 MB CSV parsed by threads and processes.
    Collect(cli::collect::Args),
    /// Real-time: a WebSocket broadcast to thousands; a 16 ms frame loop beside a computation.
    Realtime(cli::realtime::Args),
    /// A child process's role (started by the scenarios themselves).
    #[command(name = ROLE_COMMAND, hide = true)]
    Child {
        #[command(subcommand)]
        role: cli::child::Role,
    },
}

fn main() -> ExitCode {
    quiet_broken_pipe();
    // Every socket is a file: 10,000 connections need more than 1,024.
    course_support::system::raise_nofile();
    match Cli::parse().demo {
        Some(Demo::Child { role }) => exit_code(cli::child::run(role)),
        demo => {
            scenarios::procs::install_cleanup();
            finish(dispatch(demo.unwrap_or(Demo::Tour)))
        }
    }
}

fn dispatch(demo: Demo) -> Result<()> {
    match demo {
        Demo::Tour => cli::tour::run(),
        Demo::Web(args) => cli::web::run(args),
        Demo::Collect(args) => cli::collect::run(args),
        Demo::Realtime(args) => cli::realtime::run(args),
        Demo::Child { role } => std::process::exit(cli::child::run(role)),
    }
}

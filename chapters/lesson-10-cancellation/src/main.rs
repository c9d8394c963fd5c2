//! `cargo run -p lesson-10-cancellation [DEMO]`: with no demo, the guided tour.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

/// Cancellation and structured concurrency: asyncio's TaskGroup, timeout,
/// cancel and shield, and tokio's JoinSet, timeout, abort and drop; select!
/// and cancellation safety; graceful shutdown; a MutexGuard across .await;
/// CPU work in async; timer resolution.
#[derive(Debug, Parser)]
#[command(name = "lesson-10-cancellation")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// asyncio.TaskGroup vs JoinSet (the first error cancels the rest), and gather(return_exceptions=True).
    Scope(cli::scope::Args),
    /// asyncio.timeout vs tokio::time::timeout: a timeout per step vs one deadline for all.
    Deadline(cli::deadline::Args),
    /// task.cancel(), CancelledError and shield vs abort(), dropping a future, a JoinHandle, a JoinSet.
    Cancel,
    /// select! and cancellation safety: a reader that loses bytes, and one that cannot.
    Select(cli::select::Args),
    /// Graceful shutdown on Ctrl-C or SIGTERM: stop taking work, let jobs finish, cancel the rest, report.
    Shutdown(cli::shutdown::Args),
    /// A std MutexGuard across .await does not compile; three fixes, counted and timed.
    Mutex(cli::mutex::Args),
    /// CPU work in async: inline vs spawn_blocking vs rayon vs block_in_place, beside a heartbeat.
    Cpu(cli::cpu::Args),
    /// Timer resolution: what a 1 ms wait takes in tokio, on a timerfd, in a thread, in asyncio.
    Timer(cli::timer::Args),
    /// (internal) A shutdown job's child process: works for --ms, then exits.
    #[command(name = "child-job", hide = true)]
    ChildJob {
        #[arg(long)]
        ms: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.demo.unwrap_or(Demo::Tour) {
        Demo::Tour => cli::tour(),
        Demo::Scope(args) => cli::scope::run(&args),
        Demo::Deadline(args) => cli::deadline::run(&args),
        Demo::Cancel => cli::cancel::run(),
        Demo::Select(args) => cli::select::run(&args),
        Demo::Shutdown(args) => cli::shutdown::run(&args),
        Demo::Mutex(args) => cli::mutex::run(&args),
        Demo::Cpu(args) => cli::cpu::run(&args),
        Demo::Timer(args) => cli::timer::run(&args),
        Demo::ChildJob { ms } => {
            lesson_10_cancellation::shutdown::child_job(ms);
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

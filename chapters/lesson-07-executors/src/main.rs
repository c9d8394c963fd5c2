//! `cargo run -p lesson-07-executors [DEMO]`: with no demo, the guided tour.

mod cli;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::{Parser, Subcommand};
use course_support::child::{ROLE_COMMAND, Spawner};
use course_support::cli::{exit_code, finish, quiet_broken_pipe};
use lesson_07_executors::roles::{self, Role};
use lesson_07_executors::thread_pool;

/// Sizes of the measurements: the tour's (seconds in a debug build) and
/// the bench's (meant for --release).
const TOUR_TASKS: usize = 2_000;

const TOUR_PROCESS_TASKS: usize = 300;

const TOUR_LIMIT: u64 = 1_000_000;

const BENCH_TASKS: usize = 50_000;

const BENCH_PROCESS_TASKS: usize = 5_000;

const BENCH_LIMIT: u64 = 5_000_000;

/// Executors: Python's concurrent.futures (ThreadPoolExecutor and
/// ProcessPoolExecutor) built on std threads and child processes: submit,
/// result with a timeout, map, as_completed, wait, cancel, shutdown, and a
/// batch that collects every result and every (task, error) pair.
#[derive(Debug, Parser)]
#[command(name = "lesson-07-executors")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// The seed's ThreadPoolExecutor(max_workers=1): submit(test, 1), result().
    Seed,
    /// A future's life: done(), running(), result(timeout) that times out, then the value.
    Submit(cli::submit::Args),
    /// map(): results in input order, whatever order the tasks finish in.
    Map(cli::map::Args),
    /// as_completed(): handles in completion order; the slow first task arrives last.
    AsCompleted(cli::as_completed::Args),
    /// wait(): FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED.
    Wait,
    /// cancel(): queued tasks never run; a running one can't be cancelled.
    Cancel(cli::cancel::Args),
    /// shutdown(wait=true) drains the queue; shutdown(wait=false) drops it and returns at once.
    Shutdown(cli::shutdown::Args),
    /// The seeds' robust pattern: a batch with errors, a panic and a slow task; every outcome collected.
    Robust(cli::robust::Args),
    /// ProcessPoolExecutor: pids, errors, panics, crashing workers replaced, a task limit, no process left.
    Processes(cli::processes::Args),
    /// InterpreterPoolExecutor (Python 3.14): share-nothing workers in this process, fed copies.
    Interpreters(cli::interpreters::Args),
    /// Microseconds per do-nothing task: thread pool vs process pool vs interpreter pool.
    Overhead(cli::overhead::Args),
    /// A CPU-bound batch (prime counts) on one thread, a thread pool and a process pool.
    Cpu(cli::cpu::Args),
    /// Overhead and CPU speed-up with bigger counts, and Python's executors side by side
    /// (meant for `cargo run --release -p lesson-07-executors -- bench`).
    Bench(cli::bench::Args),
    /// What a worker process runs: `lesson-07-executors child <ROLE>` (started by the process pool).
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
    // A worker process started by the process pool: play the role, exit.
    if let Demo::Child { role } = demo {
        let code = roles::run(role);
        return exit_code(code);
    }
    // ANCHOR_END: dispatch
    // Panics inside pool workers are caught and reported as TaskError::Panicked.
    thread_pool::quiet_worker_panics();
    finish(dispatch(demo))
}

fn dispatch(demo: Demo) -> Result<()> {
    let spawner = Spawner::current_exe()?;
    match demo {
        Demo::Tour => cli::tour::run(&spawner),
        Demo::Seed => cli::seed::run(),
        Demo::Submit(args) => cli::submit::run(args),
        Demo::Map(args) => cli::map::run(args),
        Demo::AsCompleted(args) => cli::as_completed::run(args),
        Demo::Wait => cli::wait::run(),
        Demo::Cancel(args) => cli::cancel::run(args),
        Demo::Shutdown(args) => cli::shutdown::run(args),
        Demo::Robust(args) => cli::robust::run(args),
        Demo::Processes(args) => cli::processes::run(&spawner, args),
        Demo::Interpreters(args) => cli::interpreters::run(&spawner, args),
        Demo::Overhead(args) => cli::overhead::run(&spawner, args),
        Demo::Cpu(args) => cli::cpu::run(&spawner, args),
        Demo::Bench(args) => cli::bench::run(&spawner, args),
        Demo::Child { .. } => unreachable!("handled in main"),
    }
}

fn ms_to(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

//! `cargo run -p lesson-07-executors [DEMO]`: with no demo, the guided tour.

mod cli;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::{Parser, Subcommand};
use course_support::child::{ROLE_COMMAND, Spawner};
use course_support::cli::{exit_code, finish, quiet_broken_pipe, u64_in, usize_in};
use course_support::cores;
use course_support::interpreter::PythonArgs;
use lesson_07_executors::interpreter_demo;
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
    Submit {
        /// How long the task runs, in ms.
        #[arg(long, default_value_t = 300, value_parser = u64_in(1..=60_000))]
        task_ms: u64,
        /// The first result() call's timeout, in ms.
        #[arg(long, default_value_t = 50, value_parser = u64_in(0..=60_000))]
        timeout_ms: u64,
    },
    /// map(): results in input order, whatever order the tasks finish in.
    Map {
        #[arg(long, default_value_t = 6, value_parser = usize_in(1..=1_000))]
        items: usize,
        #[arg(long, default_value_t = 3, value_parser = usize_in(1..=256))]
        workers: usize,
        /// Item i sleeps (items - i) x this many ms, so later items finish first.
        #[arg(long, default_value_t = 20, value_parser = u64_in(0..=10_000))]
        step_ms: u64,
    },
    /// as_completed(): handles in completion order; the slow first task arrives last.
    AsCompleted {
        /// Sleep of each task in ms, in submission order.
        #[arg(long, value_delimiter = ',', default_values_t = [300, 100, 200, 50], value_parser = u64_in(0..=60_000))]
        sleeps_ms: Vec<u64>,
        #[arg(long, default_value_t = 4, value_parser = usize_in(1..=256))]
        workers: usize,
    },
    /// wait(): FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED.
    Wait,
    /// cancel(): queued tasks never run; a running one can't be cancelled.
    Cancel {
        /// Tasks queued behind the running one; every other one is cancelled.
        #[arg(long, default_value_t = 6, value_parser = usize_in(1..=10_000))]
        queued: usize,
    },
    /// shutdown(wait=true) drains the queue; shutdown(wait=false) drops it and returns at once.
    Shutdown {
        #[arg(long, default_value_t = 5, value_parser = usize_in(0..=10_000))]
        queued: usize,
        /// How long the running task takes, in ms.
        #[arg(long, default_value_t = 200, value_parser = u64_in(0..=60_000))]
        running_ms: u64,
    },
    /// The seeds' robust pattern: a batch with errors, a panic and a slow task; every outcome collected.
    Robust {
        #[arg(long, default_value_t = 2, value_parser = usize_in(1..=256))]
        workers: usize,
        /// How long the whole batch may take, in ms.
        #[arg(long, default_value_t = 300, value_parser = u64_in(1..=60_000))]
        timeout_ms: u64,
        /// The slow task's sleep, in ms (longer than the timeout).
        #[arg(long, default_value_t = 600, value_parser = u64_in(0..=60_000))]
        slow_ms: u64,
    },
    /// ProcessPoolExecutor: pids, errors, panics, crashing workers replaced, a task limit, no process left.
    Processes {
        #[arg(long, default_value_t = 2, value_parser = usize_in(1..=64))]
        workers: usize,
    },
    /// InterpreterPoolExecutor (Python 3.14): share-nothing workers in this process, fed copies.
    Interpreters {
        #[arg(long, default_value_t = 2, value_parser = usize_in(1..=64))]
        workers: usize,
        /// Tasks with a 1 MiB argument, to time what the copies cost.
        #[arg(long, default_value_t = 16, value_parser = usize_in(1..=10_000))]
        big_tasks: usize,
    },
    /// Microseconds per do-nothing task: thread pool vs process pool vs interpreter pool.
    Overhead {
        #[arg(long, default_value_t = cores(), value_parser = usize_in(1..=256))]
        workers: usize,
        /// Tasks on the thread pool (and the direct calls).
        #[arg(long, default_value_t = TOUR_TASKS, value_parser = usize_in(1..=10_000_000))]
        tasks: usize,
        /// Tasks on the process pool.
        #[arg(long, default_value_t = TOUR_PROCESS_TASKS, value_parser = usize_in(1..=1_000_000))]
        process_tasks: usize,
    },
    /// A CPU-bound batch (prime counts) on one thread, a thread pool and a process pool.
    Cpu {
        /// Count the primes below this.
        #[arg(long, default_value_t = TOUR_LIMIT, value_parser = u64_in(1..=1_000_000_000))]
        limit: u64,
        /// Blocks to cut the range into (tasks).
        #[arg(long, default_value_t = 4 * cores(), value_parser = usize_in(1..=100_000))]
        tasks: usize,
        #[arg(long, default_value_t = cores(), value_parser = usize_in(1..=256))]
        workers: usize,
        /// Run each way this many times and keep the fastest.
        #[arg(long, default_value_t = 1, value_parser = usize_in(1..=100))]
        repeats: usize,
    },
    /// Overhead and CPU speed-up with bigger counts, and Python's executors side by side
    /// (meant for `cargo run --release -p lesson-07-executors -- bench`).
    Bench {
        #[arg(long, default_value_t = cores(), value_parser = usize_in(1..=256))]
        workers: usize,
        #[arg(long, default_value_t = BENCH_TASKS, value_parser = usize_in(1..=10_000_000))]
        tasks: usize,
        #[arg(long, default_value_t = BENCH_PROCESS_TASKS, value_parser = usize_in(1..=1_000_000))]
        process_tasks: usize,
        #[arg(long, default_value_t = BENCH_LIMIT, value_parser = u64_in(1..=1_000_000_000))]
        limit: u64,
        /// Primes limit for Python's (slower) run of the CPU batch.
        #[arg(long, default_value_t = 1_000_000, value_parser = u64_in(1..=1_000_000_000))]
        python_limit: u64,
        /// Run each CPU batch this many times and keep the fastest.
        #[arg(long, default_value_t = 3, value_parser = usize_in(1..=100))]
        repeats: usize,
        #[command(flatten)]
        python: PythonArgs,
    },
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
        Demo::Submit {
            task_ms,
            timeout_ms,
        } => cli::submit::run(ms_to(task_ms), ms_to(timeout_ms)),
        Demo::Map {
            items,
            workers,
            step_ms,
        } => cli::map::run(items, workers, ms_to(step_ms)),
        Demo::AsCompleted { sleeps_ms, workers } => cli::as_completed::run(&sleeps_ms, workers),
        Demo::Wait => cli::wait::run(),
        Demo::Cancel { queued } => cli::cancel::run(queued),
        Demo::Shutdown { queued, running_ms } => cli::shutdown::run(queued, ms_to(running_ms)),
        Demo::Robust {
            workers,
            timeout_ms,
            slow_ms,
        } => cli::robust::run(workers, ms_to(timeout_ms), slow_ms),
        Demo::Processes { workers } => cli::processes::run(&spawner, workers),
        Demo::Interpreters { workers, big_tasks } => {
            interpreter_demo::show(&spawner, workers, big_tasks).map(|_| ())
        }
        Demo::Overhead {
            workers,
            tasks,
            process_tasks,
        } => cli::overhead::run(&spawner, workers, tasks, process_tasks).map(|_| ()),
        Demo::Cpu {
            limit,
            tasks,
            workers,
            repeats,
        } => cli::cpu::run(&spawner, limit, tasks, workers, repeats).map(|_| ()),
        Demo::Bench {
            workers,
            tasks,
            process_tasks,
            limit,
            python_limit,
            repeats,
            python,
        } => cli::bench::run(
            &spawner,
            cli::bench::Sizes {
                workers,
                tasks,
                process_tasks,
                limit,
                python_limit,
                repeats,
            },
            &python,
        ),
        Demo::Child { .. } => unreachable!("handled in main"),
    }
}

fn ms_to(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

//! `cargo run -p lesson-12-distributed [DEMO]`: with no demo, the guided tour.

mod cli;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use course_support::child::{ROLE_COMMAND, Spawner};
use course_support::cli::{exit_code, finish, quiet_broken_pipe};
use lesson_12_distributed::roles::{self, Role};

/// Beyond one machine: the prime count and a word count on timely dataflow
/// (worker processes on loopback) and dask.distributed, beside rayon and
/// ProcessPoolExecutor.
#[derive(Debug, Parser)]
#[command(
    name = "lesson-12-distributed",
    long_about = "Beyond one machine: the prime count and a word count on timely dataflow \
                  (worker processes talking TCP on loopback) and on dask.distributed (a \
                  LocalCluster), beside rayon and ProcessPoolExecutor: time, per-task \
                  overhead, bytes serialised, a killed worker, and a model for 10 and 100 \
                  machines.\n\nRun without a subcommand for the guided tour."
)]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand)
    Tour,
    /// The prime count: a loop, rayon, timely (threads, processes), ProcessPoolExecutor, dask
    Primes(cli::primes::Args),
    /// A word count over generated files, the same engines
    Words(cli::words::Args),
    /// Few big tasks vs many tiny ones: the cost of one more task on each engine
    Overhead(cli::overhead::Args),
    /// SIGKILL one worker process mid-job: dask retries, timely fails and is restarted
    KillWorker(cli::kill_worker::Args),
    /// Everything measured in one run, and the model for 10 and 100 machines
    /// (meant for `cargo run --release -p lesson-12-distributed -- bench`)
    Bench(cli::bench::Args),
    /// What a cluster process runs: `lesson-12-distributed child timely ...`
    #[command(name = ROLE_COMMAND, hide = true)]
    Child {
        #[command(subcommand)]
        role: Role,
    },
}

fn main() -> ExitCode {
    quiet_broken_pipe();
    let demo = Cli::parse().demo.unwrap_or(Demo::Tour);
    if let Demo::Child { role } = demo {
        return exit_code(roles::run(role));
    }
    finish(dispatch(demo))
}

fn dispatch(demo: Demo) -> Result<()> {
    let spawner = Spawner::current_exe()?;
    dispatch_with(&spawner, demo)
}

/// Runs `demo` with the spawner of cluster processes.
fn dispatch_with(spawner: &Spawner, demo: Demo) -> Result<()> {
    match demo {
        Demo::Tour => cli::tour::run(spawner),
        Demo::Primes(a) => cli::primes::run(spawner, &a).map(|_| ()),
        Demo::Words(a) => cli::words::run(spawner, &a).map(|_| ()),
        Demo::Overhead(a) => cli::overhead::run(spawner, &a).map(|_| ()),
        Demo::KillWorker(a) => cli::kill_worker::run(spawner, &a),
        Demo::Bench(a) => cli::bench::run(spawner, &a),
        Demo::Child { .. } => unreachable!("handled in main"),
    }
}

//! `cargo run -p lesson-06-shared-memory [DEMO]`: with no demo, the guided tour.

mod cli;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use course_support::child::{ROLE_COMMAND, Spawner};
use course_support::cli::{exit_code, finite, quiet_broken_pipe, u64_in, usize_in};
use lesson_06_shared_memory::compare::Kind;
use lesson_06_shared_memory::counter::Increment;
use lesson_06_shared_memory::interrupt;
use lesson_06_shared_memory::matrix::MAX_BANDS;
use lesson_06_shared_memory::roles::{self, Role};
use lesson_06_shared_memory::segment;
use lesson_06_shared_memory::workers::Mode;

/// A 1000 x 1000 f64 matrix in a named shared-memory segment, transformed in
/// place by child processes and measured against memcpy and pipes; Value and
/// Array analogs; no leaked segments, even when a child panics or Ctrl-C
/// arrives.
#[derive(Debug, Parser)]
#[command(name = "lesson-06-shared-memory")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// Create a named segment, have a child write into it by name, read it, unlink it.
    Segment {
        /// Size of the segment in bytes.
        #[arg(long, default_value_t = 4096, value_parser = usize_in(4096..=1 << 30))]
        size: usize,
        /// Keep the segment this many seconds before removing it (look at
        /// /dev/shm meanwhile, or press Ctrl-C).
        #[arg(long, default_value_t = 0, value_parser = u64_in(0..=3_600))]
        hold_secs: u64,
    },
    /// Worker processes multiply a shared matrix in place, one band of rows each.
    Transform {
        #[command(flatten)]
        shape: cli::shape::Shape,
        #[arg(long, default_value_t = 2.0, value_parser = finite)]
        factor: f64,
        /// Unlink the segment's name as soon as every worker has mapped it.
        #[arg(long)]
        unlink_early: bool,
    },
    /// A worker panics halfway through its band: what the parent reports and what is left.
    Crash {
        #[command(flatten)]
        shape: cli::shape::Shape,
        /// Where the numbers travel [default: each mode in turn].
        #[arg(long, value_enum)]
        mode: Option<Mode>,
        /// The worker (band) that panics.
        #[arg(long, default_value_t = 1, value_parser = usize_in(0..=MAX_BANDS as u64 - 1))]
        band: usize,
        /// It panics after this many rows of its band [default: half of them].
        #[arg(long, value_parser = usize_in(0..=1_000_000))]
        after_rows: Option<usize>,
    },
    /// Value: K processes add 1 to one counter in shared memory, atomically and not.
    Counter {
        #[arg(long, default_value_t = 4, value_parser = usize_in(1..=64))]
        processes: usize,
        /// Increments per process (a tenth of them for `load-yield-store`, which is slow).
        #[arg(long, default_value_t = 1_000_000, value_parser = u64_in(1..=100_000_000))]
        increments: u64,
        /// How to add 1 [default: each way in turn].
        #[arg(long, value_enum)]
        how: Option<Increment>,
    },
    /// In place in shared memory vs through pipes (raw bytes, JSON) vs threads vs memcpy.
    Compare {
        #[command(flatten)]
        shape: cli::shape::Shape,
        #[command(flatten)]
        rounds: cli::shape::Rounds,
        /// Only these modes [default: all of them].
        #[arg(long, value_enum, value_delimiter = ',')]
        modes: Vec<Kind>,
    },
    /// The targets (see the book's Targets page) as ratios measured in one run
    /// (meant for `cargo run --release -p lesson-06-shared-memory -- bench`).
    Bench {
        #[command(flatten)]
        shape: cli::shape::Shape,
        #[arg(long, default_value_t = 30, value_parser = usize_in(1..=10_000))]
        rounds: usize,
        #[arg(long, default_value_t = 3, value_parser = usize_in(1..=1_000))]
        json_rounds: usize,
    },
    /// What a child process runs: `lesson-06-shared-memory child <ROLE>` (started by this program).
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
        let code = roles::run(role);
        return exit_code(code);
    }
    if let Err(e) = interrupt::install() {
        eprintln!("warning: no Ctrl-C handler ({e}); Ctrl-C may leave a segment in /dev/shm");
    }
    match dispatch(demo) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if interrupt::interrupted() || e.is::<interrupt::Interrupted>() => {
            // Unwinding to here dropped every guard: children reaped, segments unlinked.
            eprintln!(
                "interrupted: children reaped; segments of ours left in {}: {}",
                segment::SHM_DIR,
                segment::leftovers_of(std::process::id()).len()
            );
            ExitCode::from(interrupt::EXIT_CODE)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(demo: Demo) -> Result<()> {
    let spawner = Spawner::current_exe()?;
    match demo {
        Demo::Tour => cli::tour::run(&spawner),
        Demo::Segment { size, hold_secs } => cli::segment::run(&spawner, size, hold_secs),
        Demo::Transform {
            shape,
            factor,
            unlink_early,
        } => {
            let s = shape.checked()?;
            cli::transform::run(&spawner, s.rows, s.cols, s.workers(), factor, unlink_early)
        }
        Demo::Crash {
            shape,
            mode,
            band,
            after_rows,
        } => {
            let s = shape.checked()?;
            let modes = mode.map_or(vec![Mode::Shm, Mode::PipeRaw, Mode::PipeJson], |m| vec![m]);
            cli::crash::run(&spawner, s, &modes, band, after_rows)
        }
        Demo::Counter {
            processes,
            increments,
            how,
        } => {
            let hows = how.map_or(
                vec![
                    Increment::FetchAdd,
                    Increment::LoadStore,
                    Increment::LoadYieldStore,
                ],
                |h| vec![h],
            );
            cli::counter::run(&spawner, processes, increments, &hows)
        }
        Demo::Compare {
            shape,
            rounds,
            modes,
        } => {
            let s = shape.checked()?;
            let modes = if modes.is_empty() {
                Kind::ALL.to_vec()
            } else {
                modes
            };
            let setup = cli::shape::setup(s, rounds.rounds, rounds.json_rounds, rounds.factor);
            cli::compare::run(&spawner, setup, &modes).map(|_| ())
        }
        Demo::Bench {
            shape,
            rounds,
            json_rounds,
        } => cli::bench::run(
            &spawner,
            cli::shape::setup(shape.checked()?, rounds, json_rounds, 2.0),
        ),
        Demo::Child { .. } => unreachable!("handled in main"),
    }
}

//! `cargo run -p lesson-09-hybrid-pipeline [DEMO]`: with no demo, the guided tour.

mod cli;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use course_support::cli::{finish, quiet_broken_pipe};
use lesson_09_hybrid_pipeline::stop::{EXIT_INTERRUPTED, StopSignal, install_ctrl_c};

/// The hybrid pattern: an async fetch stage (tokio + reqwest) feeds a rayon
/// CPU stage through a bounded channel, and an aggregate folds the results.
/// Everything runs against an HTTP server embedded in the program, on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "lesson-09-hybrid-pipeline")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// Run the pipeline once: per-stage utilisation, the queue, achieved vs the slowest stage. Ctrl-C stops it gracefully.
    Pipeline(cli::pipeline::Args),
    /// Sequential vs I/O-concurrent only vs CPU-parallel only vs the pipeline, in one table.
    Compare(cli::compare::Args),
    /// The slowest stage sets the pace: raise the fetches in flight until the CPU stage is the bottleneck.
    Bottleneck(cli::bottleneck::Args),
    /// Backpressure: a slow CPU stage behind a bounded vs an unbounded channel: queue depth and peak memory.
    Backpressure(cli::backpressure::Args),
    /// Errors: non-fatal ones are counted and skipped; a fatal one stops the pipeline and is returned.
    Errors(cli::errors::Args),
    /// Graceful shutdown: raise the stop signal mid-run (the path Ctrl-C takes) and watch the pipeline drain.
    Shutdown(cli::shutdown::Args),
    /// The benchmark: the four variants, and the pipeline's throughput as a share of its slowest stage's limit.
    Bench(cli::bench::Args),
}

/// Did the demo run to its end, or was it stopped by Ctrl-C?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Done,
    Interrupted,
}

fn main() -> ExitCode {
    quiet_broken_pipe();
    let demo = Cli::parse().demo.unwrap_or(Demo::Tour);
    let stop = StopSignal::new();
    if let Err(e) = install_ctrl_c(&stop) {
        eprintln!("warning: Ctrl-C will kill the program at once ({e})");
    }
    match dispatch(demo, &stop) {
        Ok(Flow::Interrupted) => {
            println!(
                "\ninterrupted by Ctrl-C: the partial results above are exact for the items they cover"
            );
            ExitCode::from(EXIT_INTERRUPTED)
        }
        other => finish(other.map(|_done| ())),
    }
}

fn dispatch(demo: Demo, stop: &StopSignal) -> Result<Flow> {
    match demo {
        Demo::Tour => cli::tour::run(stop),
        Demo::Pipeline(args) => cli::pipeline::run(stop, args),
        Demo::Compare(args) => cli::compare::run(stop, args),
        Demo::Bottleneck(args) => cli::bottleneck::run(stop, args),
        Demo::Backpressure(args) => cli::backpressure::run(stop, args),
        Demo::Errors(args) => cli::errors::run(stop, args),
        Demo::Shutdown(args) => cli::shutdown::run(stop, args),
        Demo::Bench(args) => cli::bench::run(stop, args),
    }
}

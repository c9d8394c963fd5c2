//! The guided tour: the idea, then every demo with its defaults.

use anyhow::Result;
use course_support::cores;
use course_support::tour;
use lesson_09_hybrid_pipeline::stop::StopSignal;

use crate::Flow;

pub(crate) fn run(stop: &StopSignal) -> Result<Flow> {
    println!(
        "Lesson 09: the hybrid pipeline. This machine has {} cores.\n",
        cores()
    );
    println!("{IDEA}");
    let sections: [(&str, &[&str]); 6] = [
        (
            "The pipeline, stage by stage",
            &["pipeline", "--items", "120"],
        ),
        (
            "Four ways to fetch and crunch",
            &["compare", "--items", "40"],
        ),
        (
            "The slowest stage sets the pace",
            &["bottleneck", "--items", "48", "--levels", "2,4,8,16"],
        ),
        (
            "Backpressure: bounded vs unbounded channel",
            &["backpressure", "--items", "120"],
        ),
        ("Errors: counted, or fatal", &["errors", "--items", "60"]),
        (
            "Graceful shutdown",
            &["shutdown", "--items", "200", "--stop-after", "30"],
        ),
    ];
    for (title, args) in sections {
        if section(title, args, stop)? == Flow::Interrupted {
            return Ok(Flow::Interrupted);
        }
    }
    println!(
        "\nEvery section is a subcommand with more flags: see `--help`. In release mode,\n\
         `cargo run --release -p lesson-09-hybrid-pipeline -- bench` runs the benchmark."
    );
    Ok(Flow::Done)
}

/// Runs one subcommand with its default flags, showing the command that does it.
pub(crate) fn section(title: &str, args: &[&str], stop: &StopSignal) -> Result<Flow> {
    tour::run_section(
        "lesson-09-hybrid-pipeline",
        title,
        args,
        |cli: crate::Cli| crate::dispatch(cli.demo.expect("the tour runs subcommands"), stop),
    )
}

pub(crate) const IDEA: &str = "\
A job that fetches and then computes has two kinds of work: waiting (I/O) and
computing (CPU). Python's answer is the hybrid pattern: asyncio or threads for the
waiting, a ProcessPoolExecutor for the computing. In Rust:

  fetch (tokio, c requests in flight) -> bounded channel -> CPU (rayon, k threads) -> aggregate

Every stage runs at the same time as the others, each on its own threads. A stage
with w workers and t seconds per item can finish at most w / t items per second:
its limit. The pipeline can go no faster than its slowest stage's limit.";

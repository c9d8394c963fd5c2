//! The guided tour: every demo with its defaults, in order.

use anyhow::Result;
use course_support::child::{ROLE_COMMAND, Spawner};
use course_support::cores;
use course_support::tour;

pub(crate) fn run(spawner: &Spawner) -> Result<()> {
    println!(
        "Lesson 05: Pool.map three ways. This is pid {} on {} cores.",
        std::process::id(),
        cores()
    );
    println!(
        "Worker processes are this same program started again: {} {ROLE_COMMAND} worker",
        spawner.program().display()
    );
    section(spawner, "The seed's Pool examples", &["seed"])?;
    section(spawner, "Ordered vs unordered results", &["order"])?;
    section(
        spawner,
        "Chunk size: overhead vs imbalance",
        &["chunks", "--limit", "400000", "--items", "1000"],
    )?;
    section(spawner, "Scaling the prime count", &["scaling"])?;
    section(spawner, "Amdahl's law", &["amdahl", "--count", "400000"])?;
    section(spawner, "A worker that crashes", &["crash"])?;
    println!(
        "\nEach section is a subcommand with flags (see --help). For bigger counts, the\n\
         efficiency target and Python side by side:\n  \
         cargo run --release -p lesson-05-pool-map -- bench"
    );
    Ok(())
}

pub(crate) fn section(spawner: &Spawner, title: &str, args: &[&str]) -> Result<()> {
    tour::run_section("lesson-05-pool-map", title, args, |cli: crate::Cli| {
        crate::dispatch_with(spawner, cli.demo.expect("the tour runs subcommands"))
    })
}

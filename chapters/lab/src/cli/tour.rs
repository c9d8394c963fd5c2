//! The guided tour: a small run of each command.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cores;
use course_support::tour;

pub(crate) fn run(spawner: &Spawner) -> Result<()> {
    println!(
        "The laboratory: one workload, every way to run it, measured on this machine ({} cores).",
        cores()
    );
    println!("A small run of each; `bench --tasks 5000` and `--release` give the real numbers.");
    section(
        "CPU-bound: count primes",
        &[
            "bench",
            "--workload",
            "cpu",
            "--tasks",
            "200",
            "--no-history",
        ],
        spawner,
    )?;
    section(
        "Mixed: wait 1 ms, then count primes",
        &[
            "bench",
            "--workload",
            "mixed",
            "--tasks",
            "100",
            "--no-history",
        ],
        spawner,
    )?;
    section(
        "Who ran when",
        &["timeline", "--numbers", "100000"],
        spawner,
    )?;
    section(
        "The decision assistant",
        &["advise", "--scenario", "ml-training"],
        spawner,
    )?;
    println!(
        "\nMore: `advise --scenario all --check` runs every option for real and prints the model's error;\n\
         `matrix` prints the decision matrix; `bench --python` adds Python side by side."
    );
    Ok(())
}

/// Runs a subcommand as the tour does, showing the command line.
pub(crate) fn section(title: &str, args: &[&str], spawner: &Spawner) -> Result<()> {
    tour::run_section("lab", title, args, |cli: crate::Cli| {
        crate::dispatch_with(spawner, cli.command.expect("the tour runs subcommands"))
    })
}

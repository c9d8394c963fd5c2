//! The guided tour: every demo with small defaults, in order.

use std::time::Duration;

use anyhow::Result;
use course_support::child::{ROLE_COMMAND, Spawner};
use course_support::{cores, tour};
use lesson_04_ipc::writer_reader::Ending;

pub(crate) fn run(spawner: &Spawner) -> Result<()> {
    println!(
        "Lesson 04: child processes and IPC. This is pid {} on {} cores.",
        std::process::id(),
        cores()
    );
    println!(
        "Every child below is this same program started again with a role:\n  {} {ROLE_COMMAND} <role> ...",
        spawner.program().display()
    );
    tour::section("1. Process: start, pid, exit code, terminate");
    super::process::show(spawner, &[0, 3, 42], Duration::from_millis(200))?;
    tour::section("2. Queue: 4 producer processes, one consumer");
    super::queue::show(spawner, 4, 5_000)?;
    tour::section("3. JoinableQueue: put, task_done, join");
    super::joinable::show(spawner, cores().clamp(2, 8), 12, 200_000)?;
    tour::section("4. Pipe: duplex ping-pong");
    super::pipe::show(spawner, 2_000)?;
    tour::section("5. The seed's writer and reader");
    super::writer_reader::show(
        spawner,
        &[Ending::Terminate, Ending::Disconnect],
        Duration::from_millis(20),
    )?;
    tour::section("6. Producers that crash mid-stream");
    super::crash::show(spawner, 1_000, 300)?;
    tour::section("7. fork(), and why Rust spawns instead");
    super::fork::run()?;
    tour::section("8. What a process costs");
    super::startup::show(spawner, 500, 50, None)?;
    println!();
    super::throughput::show(spawner, TOUR_MESSAGES, cores().clamp(2, 8), 64, None)?;
    println!(
        "\nEach section is a subcommand with flags (see --help). For bigger counts and\n\
         Python side by side: cargo run --release -p lesson-04-ipc -- bench"
    );
    Ok(())
}

/// The tour's sizes: small enough for a debug build to finish in seconds.
pub(crate) const TOUR_MESSAGES: u64 = 20_000;

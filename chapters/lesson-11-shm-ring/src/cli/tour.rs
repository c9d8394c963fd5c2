//! The guided tour: every demo with small defaults, in order.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cores;
use course_support::tour::run_section;

use crate::{Cli, dispatch};

const KRATE: &str = "lesson-11-shm-ring";

pub(crate) fn run(_spawner: &Spawner) -> Result<()> {
    println!(
        "Lesson 11 (6b in the book): a lock-free ring between processes. This is pid {} on\n\
         {} cores; Ctrl-C at any point removes every segment we created.",
        std::process::id(),
        cores()
    );
    let section = |title: &str, args: &[&str]| {
        run_section(KRATE, title, args, |cli: Cli| {
            dispatch(cli.demo.expect("a demo"))
        })
    };
    section(
        "1. One producer, one consumer, a ring in /dev/shm",
        &["ring", "--messages", "20000"],
    )?;
    section(
        "2. Waiting: spin, spin-then-yield, futex",
        &["waits", "--messages", "20000", "--runs", "1"],
    )?;
    section("3. The producer dies halfway through a message", &["crash"])?;
    section(
        "4. Many producers, a ring each",
        &["mpsc", "--messages", "10000", "--producers", "2"],
    )?;
    println!(
        "\nEach section is a subcommand with flags (see --help). One message per send against\n\
         ipc-channel, a pipe and Python, measured:\n  \
         cargo run --release -p lesson-11-shm-ring -- bench"
    );
    Ok(())
}

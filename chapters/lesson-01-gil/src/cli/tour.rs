//! The guided tour: every section in order, and the two that are only prose.

use course_support::{cores, tour};

pub(crate) fn run() {
    println!(
        "Lesson 01: the GIL, measured. This machine has {} cores.",
        cores()
    );
    concepts();
    section("The three pillars", &["pillars"]);
    section(
        "CPU-bound work under the lock",
        &["gil", "--workload", "cpu"],
    );
    section(
        "I/O-bound work under the lock",
        &["gil", "--workload", "io"],
    );
    section("Timeline: who ran when", &["timeline"]);
    section("Pitfall: the convoy effect", &["convoy"]);
    section("Why Rust has no GIL", &["no-gil"]);
    section("Four ways Python runs code at once", &["ways"]);
    println!("\nEvery section is a subcommand with more flags: see `--help`.");
}

/// Runs one subcommand with its default flags, showing the command that does it.
fn section(title: &str, args: &[&str]) {
    tour::run_section("lesson-01-gil", title, args, |cli: crate::Cli| {
        crate::dispatch(cli.command.expect("the tour runs subcommands"))
    });
}

const CONCURRENCY: &str = "\
Concurrency: several tasks are in progress at once; they may take turns on one core.
Parallelism: several tasks execute at the same instant, on different cores.
Threads that share one interpreter lock are concurrent but not parallel.";

const GIL: &str = "\
CPython's global interpreter lock (GIL) is one lock per interpreter. A thread must hold
it to run Python bytecode, so the interpreter's own data (reference counts, dicts,
lists) is never touched by two threads at once. The holder lets go:
  - around a blocking call (sleep, read, socket): other threads run meanwhile;
  - when another thread has waited a whole switch interval: 5 ms by default since
    Python 3.2 (`sys.setswitchinterval`); before 3.2, every 100 bytecodes.
CPython's free-threaded build (`python3.13t`, `python3.14t`) runs without it.
This lesson's InterpreterLock follows the same two rules, and it is fair: threads
get the lock in the order they asked for it.";

pub(crate) fn concepts() {
    tour::section("Concurrency vs parallelism");
    println!("{CONCURRENCY}");
    tour::section("What a GIL is");
    println!("{GIL}");
}

//! The guided tour: every demo with its default flags.

use course_support::cores;
use course_support::tour;

pub(crate) fn run() {
    println!(
        "Lesson 03: Python's synchronisation primitives in Rust, measured ({} cores here).",
        cores()
    );
    section("Lock -> Mutex", &["lock"]);
    section("RLock -> a Mutex is not re-entrant", &["rlock"]);
    section("Semaphore -> Mutex<usize> + Condvar", &["semaphore"]);
    section("Condition -> Condvar", &["condition"]);
    section("Event -> Mutex + Condvar", &["event"]);
    section("Barrier -> std::sync::Barrier", &["barrier"]);
    section(
        "queue.Queue(maxsize) -> bounded buffer vs crossbeam",
        &["bounded"],
    );
    section("Deadlock by lock order", &["deadlock"]);
    section("Scoped threads", &["scoped"]);
    section("crossbeam channels and select!", &["channels"]);
    section("The map", &["map"]);
    println!("\nEvery section is a subcommand with more flags: see `--help`.");
}

/// Runs one subcommand with its default flags, showing the command that does it.
pub(crate) fn section(title: &str, args: &[&str]) {
    tour::run_section("lesson-03-sync", title, args, |cli: crate::Cli| {
        crate::dispatch(cli.command.expect("the tour runs subcommands"))
    });
}

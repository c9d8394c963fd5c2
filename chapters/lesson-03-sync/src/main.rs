//! `cargo run -p lesson-03-sync` (no arguments) is the guided tour; each demo
//! is also a subcommand (`--help` lists them).

mod cli;

use clap::{Parser, Subcommand};
use course_support::cli::quiet_broken_pipe;

#[derive(Debug, Parser)]
#[command(
    name = "lesson-03-sync",
    about = "Lesson 03: Lock, RLock, Semaphore, Condition, Event, Barrier and Queue, in Rust",
    long_about = "Lesson 03: Python's synchronisation primitives (Lock, RLock, Semaphore, \
                  Condition, Event, Barrier, queue.Queue) and their Rust counterparts, each \
                  measured; deadlock by lock order, detected and fixed.\n\nRun without a \
                  subcommand for the guided tour."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The guided tour: every demo below with small defaults (the default)
    Tour,
    /// Lock -> Mutex: where the guard ends, poisoning after a panic, recovery
    Lock,
    /// RLock -> why std's Mutex is not re-entrant, and the idiomatic fix
    Rlock,
    /// Semaphore -> Mutex<usize> + Condvar: limit concurrent downloads, measure the peak
    Semaphore(cli::semaphore::Args),
    /// Condition -> Condvar: wake-ups that find nothing; notify_one vs notify_all
    Condition(cli::condition::Args),
    /// Event -> a flag with Mutex + Condvar: set, clear, wait, wait_timeout
    Event(cli::event::Args),
    /// A value handed over with a flag: the Relaxed bug a stress test misses, and the model checker (--model)
    Handoff(cli::handoff::Args),
    /// Barrier -> std::sync::Barrier: phases, with a leader merging each one
    Barrier(cli::barrier::Args),
    /// queue.Queue(maxsize) -> a bounded buffer vs crossbeam channels: backpressure and throughput
    Bounded(cli::bounded::Args),
    /// Deadlock by lock order: detected with deadlines, then fixed with a global order
    Deadlock(cli::deadlock::Args),
    /// Scoped threads: borrow local data, no Arc
    Scoped(cli::scoped::Args),
    /// crossbeam channels: a work queue, select! over results, a ticker and a deadline
    Channels(cli::channels::Args),
    /// The Python-to-Rust map of synchronisation primitives
    Map,
    /// Throughput of the bounded buffer vs crossbeam channels at several capacities (use --release)
    Bench(cli::bench::Args),
}

fn main() {
    quiet_broken_pipe();
    dispatch(Cli::parse().command.unwrap_or(Command::Tour));
}

fn dispatch(command: Command) {
    match command {
        Command::Tour => cli::tour::run(),
        Command::Lock => cli::lock::run(),
        Command::Rlock => cli::rlock::run(),
        Command::Semaphore(args) => cli::semaphore::run(&args),
        Command::Condition(args) => cli::condition::run(&args),
        Command::Event(args) => cli::event::run(&args),
        Command::Handoff(args) => cli::handoff::run(&args),
        Command::Barrier(args) => cli::barrier::run(&args),
        Command::Bounded(args) => cli::bounded::run(&args),
        Command::Deadlock(args) => cli::deadlock::run(&args),
        Command::Scoped(args) => cli::scoped::run(&args),
        Command::Channels(args) => cli::channels::run(&args),
        Command::Map => cli::map::run(),
        Command::Bench(args) => cli::bench::run(&args),
    }
}

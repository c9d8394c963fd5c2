//! `condition`: a Condition (Condvar) and its predicate loop.

use std::time::Duration;

use course_support::cli::{u64_in, usize_in};
use course_support::report::{grouped, ms, yes_no};
use course_support::table;
use lesson_03_sync::condition::{self, Notify};
use lesson_03_sync::triangle;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Consumers waiting on one queue
    #[arg(long, default_value_t = 4, value_parser = usize_in(1..=256))]
    pub(crate) consumers: usize,
    /// Items the producer pushes, one at a time
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub(crate) items: u64,
    /// Threads taking turns
    #[arg(long, default_value_t = 4, value_parser = usize_in(2..=64))]
    pub(crate) threads: usize,
    /// Turns each thread takes
    #[arg(long, default_value_t = 10, value_parser = usize_in(1..=10_000))]
    pub(crate) rounds: usize,
    /// How long a waiting thread sleeps before it looks again by itself, in ms
    #[arg(long, default_value_t = 10, value_parser = u64_in(1..=10_000))]
    pub(crate) patience_ms: u64,
}

pub(crate) fn run(args: &Args) {
    println!(
        "1. One producer pushes {} items, one at a time, each once all {} consumers are asleep\n   on the Condvar:",
        grouped(args.items),
        args.consumers
    );
    let mut t = table([
        "notify",
        "items",
        "exact sum",
        "wake-ups",
        "woke to an empty queue",
    ]);
    for notify in [Notify::One, Notify::All] {
        let run = condition::queue_wakeups(args.consumers, args.items, notify);
        t.add_row([
            notify.label().to_owned(),
            grouped(run.items),
            yes_no(run.sum == triangle(run.items)).to_owned(),
            grouped(run.wakeups),
            grouped(run.found_nothing),
        ]);
    }
    println!("{t}");
    println!(
        "Each 'woke to an empty queue' would pop an empty queue if the wait were an `if`: with\n\
         notify_all, the consumers another one beat to the item; with notify_one, spurious\n\
         wake-ups. (Up to {} more wake-ups come from close(), and find the queue closed.)\n",
        args.consumers
    );

    let patience = Duration::from_millis(args.patience_ms);
    println!(
        "2. {} threads take {} turns each, in order; each waits for its own turn:",
        args.threads, args.rounds
    );
    let mut t = table([
        "notify",
        "turns",
        "in order",
        "wake-ups",
        "not my turn",
        "lost wake-ups",
        "ms",
    ]);
    for notify in [Notify::One, Notify::All] {
        let run = condition::take_turns(args.threads, args.rounds, notify, patience);
        t.add_row([
            notify.label().to_owned(),
            run.turns.to_string(),
            yes_no(run.in_order).to_owned(),
            grouped(run.wakeups),
            grouped(run.not_my_turn),
            grouped(run.lost_wakeups),
            ms(run.elapsed),
        ]);
    }
    println!("{t}");
    println!(
        "A lost wake-up: notify_one woke a thread whose turn it wasn't, and the right one slept\n\
         on until its {} ms timeout. Without a timeout, the program would hang there.",
        args.patience_ms
    );
}

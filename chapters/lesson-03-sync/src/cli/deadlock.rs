//! `deadlock`: two locks taken in opposite orders, detected and fixed.

use std::time::Duration;

use course_support::cli::{u64_in, usize_in};
use course_support::report::{grouped, ms};
use course_support::table;
use lesson_03_sync::deadlock::{self, Order};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How long a transfer waits for its second lock before it declares a deadlock, in ms
    #[arg(long, default_value_t = 100, value_parser = u64_in(1..=10_000))]
    pub(crate) patience_ms: u64,
    /// Threads in the stress run
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=256))]
    pub(crate) threads: usize,
    /// Transfers per thread in the stress run
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub(crate) transfers: u64,
    /// Accounts in the stress run
    #[arg(long, default_value_t = 3, value_parser = usize_in(2..=1_000))]
    pub(crate) accounts: usize,
    /// How long a transfer holds its first lock before taking the second, in microseconds
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=100_000))]
    pub(crate) hold_us: u64,
    /// The stress run's patience, in ms
    #[arg(long, default_value_t = 10, value_parser = u64_in(1..=10_000))]
    pub(crate) stress_patience_ms: u64,
}

pub(crate) fn run(args: &Args) {
    let patience = Duration::from_millis(args.patience_ms);
    println!(
        "1. Thread 1 moves 10 from A to B while thread 2 moves 10 from B to A; a lock taken\n   \
         with no success within {} ms counts as a deadlock, and the thread backs off.",
        args.patience_ms
    );
    let mut t = table(["lock order", "transfer", "outcome", "ended at ms", "total"]);
    let mut detected = 0;
    for order in [Order::AsCalled, Order::ById] {
        let run = deadlock::collide(order, patience);
        detected += run.sides.iter().filter(|s| s.outcome.is_err()).count();
        for side in &run.sides {
            let name = |id: usize| ["A", "B"][id];
            t.add_row([
                order.label().to_owned(),
                format!("{} -> {}", name(side.from), name(side.to)),
                match side.outcome {
                    Ok(()) => "done".to_owned(),
                    Err(d) => format!("deadlock detected after {} ms", ms(d.waited)),
                },
                ms(side.finished_after),
                format!("{} -> {}", run.total_before, run.total_after),
            ]);
        }
    }
    println!("{t}");
    if detected > 0 {
        println!(
            "Both threads were joined: the one that gave up dropped its lock, so the other could finish.\n"
        );
    } else {
        println!(
            "No deadlock this run: one thread took both locks before the other started. Both were joined.\n"
        );
    }
    println!(
        "2. {} threads x {} transfers between {} accounts, first lock held {} us, patience {} ms;\n   \
         a transfer that gives up backs off and retries:",
        args.threads, args.transfers, args.accounts, args.hold_us, args.stress_patience_ms
    );
    let mut t = table([
        "lock order",
        "transfers",
        "deadlocks detected",
        "total before -> after",
        "ms",
    ]);
    for order in [Order::AsCalled, Order::ById] {
        let run = deadlock::stress(
            order,
            args.threads,
            args.transfers,
            args.accounts,
            Duration::from_micros(args.hold_us),
            Duration::from_millis(args.stress_patience_ms),
        );
        t.add_row([
            order.label().to_owned(),
            grouped(run.transfers),
            grouped(run.deadlocks),
            format!("{} -> {}", run.total_before, run.total_after),
            ms(run.elapsed),
        ]);
    }
    println!("{t}");
    println!(
        "With one global order no cycle can form. (A timeout can't tell a deadlock from a slow\n\
         lock holder, so on a very busy machine even the ordered run may count a few.)"
    );
}

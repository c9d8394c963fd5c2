//! `mutex`: the three fixes for a std MutexGuard held across .await.

use std::process::ExitCode;

use anyhow::Result;
use course_support::report::{grouped, ms, table};

#[derive(Debug, clap::Parser)]
pub struct Args {
    /// Tasks that count.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    tasks: u64,
    /// Increments per task.
    #[arg(long, default_value_t = 1_000)]
    rounds: u64,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    println!(
        "Holding a std::sync::MutexGuard across .await in a spawned task does not compile (see tests/ui/guard_across_await.stderr)."
    );
    println!(
        "The three fixes, {} tasks x {} increments each, on a multi-threaded runtime:",
        args.tasks, args.rounds
    );
    let counted = super::runtime()?.block_on(lesson_10_cancellation::mutex::all(
        args.tasks as usize,
        args.rounds,
    ));
    let mut t = table(["fix", "Python", "total", "exact", "ms"]);
    for c in &counted {
        t.add_row([
            c.way.to_owned(),
            c.python.to_owned(),
            grouped(c.total),
            course_support::report::yes_no(c.total == args.tasks * args.rounds).to_owned(),
            ms(c.elapsed),
        ]);
    }
    println!("{t}");
    Ok(ExitCode::SUCCESS)
}

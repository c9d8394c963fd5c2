//! `waits`: the same transfer with each wait strategy.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::{u64_in, usize_in};
use course_support::report::grouped;
use course_support::table;
use lesson_11_shm_ring::ring::Wait;
use lesson_11_shm_ring::transfer::{self, ProducerPlan, RingRun, SLOTS};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 100_000, value_parser = u64_in(2..=1_000_000_000))]
    pub(crate) messages: u64,
    #[arg(long, default_value_t = SLOTS, value_parser = super::ring::slots)]
    pub(crate) slots: u64,
    /// Runs per strategy; the fastest counts.
    #[arg(long, default_value_t = 3, value_parser = usize_in(1..=20))]
    pub(crate) runs: usize,
}

/// The fastest of `runs` transfers with each strategy.
pub(crate) fn measure(
    spawner: &Spawner,
    messages: u64,
    slots: u64,
    runs: usize,
) -> Result<Vec<(Wait, RingRun)>> {
    Wait::ALL
        .iter()
        .map(|&wait| {
            let plan = ProducerPlan {
                messages,
                slots,
                wait,
                crash_mid_write: None,
            };
            let mut best: Option<RingRun> = None;
            for _ in 0..runs {
                let run = transfer::spsc(spawner, &plan)?;
                if best.is_none_or(|b| run.elapsed < b.elapsed) {
                    best = Some(run);
                }
            }
            Ok((wait, best.expect("runs >= 1")))
        })
        .collect()
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    println!(
        "{} messages per run, one producer process, the fastest of {} runs each.",
        grouped(args.messages),
        args.runs
    );
    let rows = measure(spawner, args.messages, args.slots, args.runs)?;
    print_waits(&rows);
    if cfg!(debug_assertions) {
        println!("(debug build: use --release for numbers worth comparing)");
    }
    Ok(())
}

pub(crate) fn print_waits(rows: &[(Wait, RingRun)]) {
    let mut t = table(["wait", "messages/s", "ns/message"]);
    for (wait, run) in rows {
        t.add_row([
            wait.name().to_owned(),
            grouped(run.per_second() as u64),
            format!("{:.1}", run.ns_per_message()),
        ]);
    }
    println!("{t}");
}

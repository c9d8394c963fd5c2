//! `cpu`: CPU-bound tasks in each executor, and the machine's load while they ran.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::u64_in;
use course_support::cli::usize_in;
use course_support::report::ms;
use course_support::{cores, ratio, table};
use lesson_07_executors::measure::{self, CpuRun};

use crate::TOUR_LIMIT;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Count the primes below this.
    #[arg(long, default_value_t = TOUR_LIMIT, value_parser = u64_in(1..=1_000_000_000))]
    pub(crate) limit: u64,
    /// Blocks to cut the range into (tasks).
    #[arg(long, default_value_t = 4 * cores(), value_parser = usize_in(1..=100_000))]
    pub(crate) tasks: usize,
    #[arg(long, default_value_t = cores(), value_parser = usize_in(1..=256))]
    pub(crate) workers: usize,
    /// Run each way this many times and keep the fastest.
    #[arg(long, default_value_t = 1, value_parser = usize_in(1..=100))]
    pub(crate) repeats: usize,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args {
        limit,
        tasks,
        workers,
        repeats,
    } = args;
    show(spawner, limit, tasks, workers, repeats).map(|_| ())
}

pub(crate) fn show(
    spawner: &Spawner,
    limit: u64,
    tasks: usize,
    workers: usize,
    repeats: usize,
) -> Result<Vec<CpuRun>> {
    print_load();
    let runs = measure::cpu_batch(spawner, limit, tasks, workers, repeats)?;
    let base = runs[0].elapsed.as_secs_f64();
    let mut t = table(["how", "workers", "primes", "ms", "speed-up", "efficiency"]);
    for r in &runs {
        let speedup = base / r.elapsed.as_secs_f64();
        t.add_row([
            r.label.to_owned(),
            r.workers.to_string(),
            r.primes.to_string(),
            ms(r.elapsed),
            ratio(base, r.elapsed.as_secs_f64()),
            format!("{:.0}%", 100.0 * speedup / r.workers as f64),
        ]);
    }
    println!(
        "Primes below {limit}, in {tasks} blocks, on {} cores{}:\n{t}",
        cores(),
        if repeats > 1 {
            format!(" (each the fastest of {repeats} runs)")
        } else {
            String::new()
        }
    );
    Ok(runs)
}

/// Speed-ups only mean something on an idle machine: say how busy it was.
pub(crate) fn print_load() {
    if let Some(load) = measure::load_average() {
        let verdict = if load > 0.5 * cores() as f64 {
            "busy: other programs compete for the cores, so speed-ups will read low"
        } else {
            "quiet enough"
        };
        println!("Load average over the last minute: {load:.2} ({verdict}).");
    }
}

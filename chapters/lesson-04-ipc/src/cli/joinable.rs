//! `joinable`: JoinableQueue's put, task_done and join.

use std::time::Duration;

use anyhow::Result;
use course_support::child::{Spawner, describe};
use course_support::cli::u64_in;
use course_support::cli::usize_in;
use course_support::cores;
use course_support::report::grouped;
use course_support::table;
use lesson_04_ipc::joinable::{self, JoinableQueue};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = cores().clamp(2, 8), value_parser = usize_in(1..=64))]
    pub(crate) workers: usize,
    #[arg(long, default_value_t = 12, value_parser = u64_in(1..=10_000))]
    pub(crate) tasks: u64,
    /// Count the primes below this number.
    #[arg(long, default_value_t = 200_000, value_parser = u64_in(1..=100_000_000))]
    pub(crate) below: u64,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args {
        workers,
        tasks,
        below,
    } = args;
    show(spawner, workers, tasks, below)
}

pub(crate) fn show(spawner: &Spawner, workers: usize, tasks: u64, below: u64) -> Result<()> {
    let mut q = JoinableQueue::start(spawner, workers)?;
    let pids = q.pids();
    for task in joinable::prime_tasks(below, tasks) {
        q.put(task);
    }
    println!(
        "Put {tasks} tasks (count the primes below {} in {tasks} ranges) for {workers} worker processes.",
        grouped(below)
    );
    println!("Right after the puts: {} unfinished.", q.unfinished());
    q.join(Duration::from_secs(120))?;
    let done = q.done();
    println!(
        "join() returned after {} task_done messages for {} puts; unfinished now {}.",
        done.len(),
        q.put_count(),
        q.unfinished()
    );
    let mut t = table(["worker", "pid", "tasks done", "primes found"]);
    for (w, pid) in pids.iter().enumerate() {
        let mine: Vec<_> = done.iter().filter(|d| d.worker == w).collect();
        t.add_row([
            w.to_string(),
            pid.to_string(),
            mine.len().to_string(),
            grouped(mine.iter().map(|d| d.primes).sum::<u64>()),
        ]);
    }
    println!("{t}");
    let total: u64 = done.iter().map(|d| d.primes).sum();
    let check = course_support::count_primes(0..below);
    println!(
        "Primes below {}: {} (counted again in this process: {}, {}).",
        grouped(below),
        grouped(total),
        grouped(check),
        if total == check { "same" } else { "DIFFERENT" }
    );
    let statuses = q.close()?;
    let ended: Vec<String> = statuses.into_iter().map(describe).collect();
    println!(
        "close(): every task channel closed, so each worker's recv failed and it exited: {}.",
        ended.join(", ")
    );
    Ok(())
}

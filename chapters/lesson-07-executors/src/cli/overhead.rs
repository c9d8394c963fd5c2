//! `overhead`: what one task costs in each executor.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::usize_in;
use course_support::cores;
use course_support::report::ms;
use course_support::{ratio, table};
use lesson_07_executors::measure::{self, Overhead};

use crate::TOUR_PROCESS_TASKS;
use crate::TOUR_TASKS;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = cores(), value_parser = usize_in(1..=256))]
    pub(crate) workers: usize,
    /// Tasks on the thread pool (and the direct calls).
    #[arg(long, default_value_t = TOUR_TASKS, value_parser = usize_in(1..=10_000_000))]
    pub(crate) tasks: usize,
    /// Tasks on the process pool.
    #[arg(long, default_value_t = TOUR_PROCESS_TASKS, value_parser = usize_in(1..=1_000_000))]
    pub(crate) process_tasks: usize,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args {
        workers,
        tasks,
        process_tasks,
    } = args;
    show(spawner, workers, tasks, process_tasks).map(|_| ())
}

pub(crate) fn show(
    spawner: &Spawner,
    workers: usize,
    tasks: usize,
    process_tasks: usize,
) -> Result<Overhead> {
    let o = measure::overhead(spawner, workers, tasks, process_tasks)?;
    let thread_us = o.rows[1].us_each();
    let mut t = table(["how", "tasks", "us per task", "vs thread pool"]);
    for (i, row) in o.rows.iter().enumerate() {
        t.add_row([
            row.label.to_owned(),
            row.tasks.to_string(),
            format!("{:.3}", row.us_each()),
            if i == 0 {
                "-".to_owned()
            } else {
                ratio(row.us_each(), thread_us)
            },
        ]);
    }
    println!("Tasks that return their argument, {workers} workers:\n{t}");
    println!(
        "Starting a pool, until every worker has answered: {} threads {} ms; {} processes {} ms and {} interpreters {} ms (with a 5 ms task each).",
        o.workers,
        ms(o.start_threads),
        o.workers,
        ms(o.start_processes),
        o.workers,
        ms(o.start_interpreters)
    );
    Ok(o)
}

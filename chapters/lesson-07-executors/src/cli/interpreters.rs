//! `interpreters`: InterpreterPoolExecutor on share-nothing worker threads.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::usize_in;
use lesson_07_executors::interpreter_demo;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=64))]
    pub(crate) workers: usize,
    /// Tasks with a 1 MiB argument, to time what the copies cost.
    #[arg(long, default_value_t = 16, value_parser = usize_in(1..=10_000))]
    pub(crate) big_tasks: usize,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args { workers, big_tasks } = args;
    interpreter_demo::show(spawner, workers, big_tasks).map(|_| ())
}

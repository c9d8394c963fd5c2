//! `crash`: a task that panics in a worker process.

use std::time::Instant;

use anyhow::Result;
use course_support::child::{Spawner, exists};
use course_support::cli::usize_in;
use course_support::report::ms;
use lesson_05_pool_map::process_pool::ProcessPool;
use lesson_05_pool_map::remote::SquareOrPanic;

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=256))]
    pub(crate) workers: usize,
    /// Items 0..N to square
    #[arg(long, default_value_t = 8, value_parser = usize_in(1..=10_000))]
    pub(crate) items: usize,
    /// The item that is made negative, so its task panics
    #[arg(long, default_value_t = 5)]
    pub(crate) bad: usize,
    /// Items per chunk
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=10_000))]
    pub(crate) chunk: usize,
}

pub(crate) fn run(spawner: &Spawner, a: &Args) -> Result<()> {
    let items: Vec<i64> = (0..a.items as i64)
        .map(|i| if i as usize == a.bad { -i } else { i })
        .collect();
    println!(
        "{} worker processes square {:?} in chunks of {}; a negative number makes the task panic.",
        a.workers, items, a.chunk
    );
    let mut pool = ProcessPool::start(spawner, a.workers)?;
    let pids = pool.pids();
    let t = Instant::now();
    let result = pool.map::<SquareOrPanic>(&items, a.chunk);
    let took = t.elapsed();
    match &result {
        Ok(squares) => println!("No task panicked (is --bad outside the items?): {squares:?}"),
        Err(e) => println!("pool.map returned an error after {} ms:\n  {e}", ms(took)),
    }
    let again = pool.map::<SquareOrPanic>(&[1, 2, 3], 1);
    if let Err(e) = &again {
        println!("A second map on the same pool: {e}");
    }
    drop(pool);
    let gone: Vec<String> = pids
        .iter()
        .map(|&pid| {
            format!(
                "{pid} {}",
                if exists(pid) { "STILL RUNNING" } else { "gone" }
            )
        })
        .collect();
    println!(
        "Worker pids after the pool is dropped: {}.",
        gone.join(", ")
    );
    println!(
        "Python's Pool.map re-raises an exception raised by a task, but when a worker process\n\
         dies (os._exit, a segfault, the OOM killer) it waits forever; ProcessPoolExecutor raises\n\
         BrokenProcessPool. Here the parent sees the worker's stdout close at once."
    );
    Ok(())
}

//! `submit`: submit, a future, and result with a timeout.

use std::thread;
use std::time::{Duration, Instant};

use anyhow::Result;
use course_support::cli::u64_in;
use course_support::report::ms;
use course_support::table;
use crossbeam::channel;
use lesson_07_executors::thread_pool::ThreadPool;

use crate::ms_to;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How long the task runs, in ms.
    #[arg(long, default_value_t = 300, value_parser = u64_in(1..=60_000))]
    pub(crate) task_ms: u64,
    /// The first result() call's timeout, in ms.
    #[arg(long, default_value_t = 50, value_parser = u64_in(0..=60_000))]
    pub(crate) timeout_ms: u64,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args {
        task_ms,
        timeout_ms,
    } = args;
    show(ms_to(task_ms), ms_to(timeout_ms))
}

pub(crate) fn show(task: Duration, timeout: Duration) -> Result<()> {
    let pool = ThreadPool::new(1);
    let (started_tx, started) = channel::bounded(1);
    let t0 = Instant::now();
    let future = pool.spawn(move || {
        let _ = started_tx.send(());
        thread::sleep(task);
        "the value"
    });
    let mut t = table(["call", "returned", "at ms"]);
    t.add_row([
        "submit(task)".into(),
        format!("{future:?}"),
        ms(t0.elapsed()),
    ]);
    let _ = started.recv_timeout(Duration::from_secs(10));
    t.add_row([
        "running(), done()".into(),
        format!("{}, {}", future.running(), future.done()),
        ms(t0.elapsed()),
    ]);
    let waited = future.wait(timeout);
    t.add_row([
        format!("wait({} ms)", timeout.as_millis()),
        format!("{waited} (= Python's TimeoutError from result)"),
        ms(t0.elapsed()),
    ]);
    t.add_row([
        "running() after the timeout".into(),
        future.running().to_string(),
        ms(t0.elapsed()),
    ]);
    t.add_row([
        "cancel()".into(),
        format!("{} (it is running)", future.cancel()),
        ms(t0.elapsed()),
    ]);
    let value = future.result(Duration::from_secs(60));
    t.add_row([
        "result(60 s)".into(),
        format!("{value:?}"),
        ms(t0.elapsed()),
    ]);
    println!(
        "One task of {} ms on a pool of 1 worker:\n{t}",
        task.as_millis()
    );
    // result() consumes the handle, so time a second task for the TimedOut variant.
    let slow = pool.spawn(move || thread::sleep(task));
    let t1 = Instant::now();
    let r = slow.result(timeout);
    println!(
        "result({} ms) on another {} ms task: {r:?} after {} ms; the task keeps running (the pool's drop waits for it).",
        timeout.as_millis(),
        task.as_millis(),
        ms(t1.elapsed())
    );
    Ok(())
}

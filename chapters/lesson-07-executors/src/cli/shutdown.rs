//! `shutdown`: wait=True, wait=False and cancel_futures.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::Duration;

use anyhow::Result;
use course_support::cli::u64_in;
use course_support::cli::usize_in;
use course_support::report::ms;
use course_support::{table, time};
use crossbeam::channel;
use lesson_07_executors::thread_pool::ThreadPool;

use crate::ms_to;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 5, value_parser = usize_in(0..=10_000))]
    pub(crate) queued: usize,
    /// How long the running task takes, in ms.
    #[arg(long, default_value_t = 200, value_parser = u64_in(0..=60_000))]
    pub(crate) running_ms: u64,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args { queued, running_ms } = args;
    show(queued, ms_to(running_ms))
}

pub(crate) fn show(queued: usize, running: Duration) -> Result<()> {
    let mut t = table([
        "shutdown",
        "returned after ms",
        "queued tasks that ran",
        "cancelled",
        "the running task",
    ]);
    for wait_for_them in [true, false] {
        let pool = ThreadPool::new(1);
        let ran = Arc::new(AtomicUsize::new(0));
        let (started_tx, started) = channel::bounded(1);
        let first = pool.spawn(move || {
            let _ = started_tx.send(());
            thread::sleep(running);
        });
        let _ = started.recv_timeout(Duration::from_secs(10));
        let handles: Vec<_> = (0..queued)
            .map(|_| {
                let ran = Arc::clone(&ran);
                pool.spawn(move || ran.fetch_add(1, SeqCst))
            })
            .collect();
        let took = time(|| pool.shutdown(wait_for_them));
        let ran_by_then = ran.load(SeqCst);
        let cancelled = handles.iter().filter(|h| h.cancelled()).count();
        let first_state = format!("{first:?} on return");
        // The detached thread finishes its task; then its outcome arrives.
        let first_outcome = first.result(Duration::from_secs(30));
        t.add_row([
            format!("wait={wait_for_them}"),
            ms(took.elapsed),
            ran_by_then.to_string(),
            format!("{cancelled} (it says {})", took.value),
            format!("{first_state}, then {first_outcome:?}"),
        ]);
    }
    println!(
        "One worker running a {} ms task, {queued} more queued, then shutdown:\n{t}",
        running.as_millis()
    );
    println!(
        "wait=false cannot stop the running task (no thread can be killed): it finishes on its detached thread."
    );
    Ok(())
}

//! `cancel`: queued futures can be cancelled, running ones cannot.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use anyhow::Result;
use course_support::cli::usize_in;
use course_support::table;
use crossbeam::channel;
use lesson_07_executors::thread_pool::ThreadPool;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Tasks queued behind the running one; every other one is cancelled.
    #[arg(long, default_value_t = 6, value_parser = usize_in(1..=10_000))]
    pub(crate) queued: usize,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args { queued } = args;
    show(queued)
}

pub(crate) fn show(queued: usize) -> Result<()> {
    let pool = ThreadPool::new(1);
    let ran = Arc::new(AtomicUsize::new(0));
    let (open, gate) = channel::bounded::<()>(0);
    let (started_tx, started) = channel::bounded(1);
    let blocker = pool.spawn(move || {
        let _ = started_tx.send(());
        let _ = gate.recv_timeout(Duration::from_secs(30));
    });
    let _ = started.recv_timeout(Duration::from_secs(10));
    let handles: Vec<_> = (0..queued)
        .map(|_| {
            let ran = Arc::clone(&ran);
            pool.spawn(move || ran.fetch_add(1, SeqCst))
        })
        .collect();
    let mut t = table(["task", "state before", "cancel()", "outcome"]);
    let blocker_cancel = blocker.cancel();
    let mut cancels = Vec::new();
    for (i, h) in handles.iter().enumerate() {
        let state = format!("{h:?}");
        cancels.push((state, if i % 2 == 1 { Some(h.cancel()) } else { None }));
    }
    drop(open); // release the running task
    t.add_row([
        blocker.id().to_string(),
        "running".into(),
        blocker_cancel.to_string(),
        format!("{:?}", blocker.join()),
    ]);
    for (h, (state, cancel)) in handles.into_iter().zip(cancels) {
        t.add_row([
            h.id().to_string(),
            state,
            cancel.map_or("not called".into(), |c| c.to_string()),
            match h.join() {
                Ok(_) => "ran".to_owned(),
                Err(e) => format!("{e:?}"),
            },
        ]);
    }
    println!(
        "One worker, busy with #0; {queued} tasks queued behind it; every other one cancelled:\n{t}"
    );
    let expected = queued - queued / 2;
    let ran = ran.load(SeqCst);
    println!(
        "Tasks that ran: {ran} (expected {expected}): {}.",
        if ran == expected {
            "a cancelled task never runs"
        } else {
            "NOT what cancelling promises"
        }
    );
    Ok(())
}

//! Cancelling: `task.cancel()` and `CancelledError` in asyncio; `abort()`,
//! dropping a future, dropping a `JoinHandle`, dropping a `JoinSet` in tokio;
//! and `asyncio.shield`, which in tokio is a spawned task.
//!
//! A Rust future is cancelled by dropping it: it is simply never polled
//! again. It stops at the `.await` where it was suspended, and its locals are
//! dropped, so `Drop` (Rust's `finally`) runs; the code after that `.await`
//! never does. Nothing is raised inside it: there is no `CancelledError` to
//! catch, and so no way to ignore a cancel either.

use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::{sleep, timeout};

use crate::probe::{Cleanup, Probe, mark_end, work};

/// What one experiment saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub what: &'static str,
    pub python: &'static str,
    pub started: bool,
    pub reached_end: bool,
    pub cleaned_up: bool,
    pub note: String,
}

impl Seen {
    fn of(what: &'static str, python: &'static str, probe: &Probe, note: String) -> Self {
        Self {
            what,
            python,
            started: probe.started(),
            reached_end: probe.reached_end(),
            cleaned_up: probe.cleaned_up(),
            note,
        }
    }
}

// ANCHOR: abort
/// `task.cancel()`: the task stops at its next `.await`; awaiting its handle
/// says it was cancelled.
pub async fn abort_task() -> Seen {
    let probe = Probe::new();
    let handle = tokio::spawn(work(probe.clone(), 200));
    sleep(Duration::from_millis(20)).await;
    handle.abort();
    let joined = handle.await;
    let note = match joined {
        Err(e) if e.is_cancelled() => "the handle says: cancelled".to_owned(),
        other => format!("the handle says: {other:?}"),
    };
    Seen::of("abort() a spawned task", "task.cancel()", &probe, note)
}
// ANCHOR_END: abort

// ANCHOR: abort_blocking
/// `abort()` cannot interrupt code that does not `.await`: a task blocked
/// in a loop runs on until it reaches an `.await`, and stops there.
pub async fn abort_while_blocking() -> Seen {
    let probe = Probe::new();
    let inner = probe.clone();
    let handle = tokio::spawn(async move {
        let _cleanup = Cleanup::begin(&inner);
        std::thread::sleep(Duration::from_millis(100)); // blocking: no .await
        mark_end(&inner); // still runs: no .await since the abort
        tokio::task::yield_now().await; // the abort lands here
        unreachable!("an aborted task never runs past an .await");
    });
    sleep(Duration::from_millis(20)).await;
    handle.abort(); // while it blocks
    let cancelled = handle.await.is_err_and(|e| e.is_cancelled());
    let note =
        format!("ran its blocking part to the end, cancelled at the next .await: {cancelled}");
    Seen::of(
        "abort() while it blocks",
        "cancel() while in C code",
        &probe,
        note,
    )
}
// ANCHOR_END: abort_blocking

// ANCHOR: drop_future
/// A future that is not spawned runs only while someone polls it. `timeout`
/// drops it when time is up, and that drop is the cancel: synchronous,
/// finished when `timeout` returns.
pub async fn drop_future() -> Seen {
    let probe = Probe::new();
    let result = timeout(Duration::from_millis(20), work(probe.clone(), 200)).await;
    let note = format!(
        "timeout returned {}; cleanup had already run",
        if result.is_err() { "Elapsed" } else { "Ok" }
    );
    Seen::of(
        "timeout() drops the future",
        "asyncio.timeout()",
        &probe,
        note,
    )
}
// ANCHOR_END: drop_future

// ANCHOR: drop_handle
/// Dropping a `JoinHandle` does NOT cancel the task: it detaches it, and the
/// task runs to its end with nobody waiting for it.
pub async fn drop_handle() -> Seen {
    let probe = Probe::new();
    let handle = tokio::spawn(work(probe.clone(), 50));
    drop(handle); // detached, still running
    sleep(Duration::from_millis(150)).await;
    let note = "dropped the handle at once; the task went on and finished".to_owned();
    Seen::of("drop a JoinHandle", "lose the Task object", &probe, note)
}
// ANCHOR_END: drop_handle

// ANCHOR: drop_set
/// Dropping a `JoinSet` aborts every task in it: a scope that ends early
/// takes its tasks with it.
pub async fn drop_set() -> Seen {
    let probe = Probe::new();
    let mut set = JoinSet::new();
    for _ in 0..3 {
        set.spawn(work(probe.clone(), 200));
    }
    sleep(Duration::from_millis(20)).await;
    drop(set); // aborts all three
    sleep(Duration::from_millis(300)).await; // longer than they would have run
    let note = "3 tasks: none reached its end".to_owned();
    Seen::of(
        "drop a JoinSet",
        "leave a TaskGroup by an error",
        &probe,
        note,
    )
}
// ANCHOR_END: drop_set

// ANCHOR: shield
/// `await asyncio.shield(save())`: the caller may be cancelled, the save may
/// not. In tokio: spawn what must finish, and await its handle. Cancelling
/// the caller drops only the handle, which detaches the task.
pub async fn shield() -> Seen {
    let probe = Probe::new();
    let save = tokio::spawn(work(probe.clone(), 60));
    let caller = timeout(Duration::from_millis(20), save).await; // the caller gives up
    sleep(Duration::from_millis(150)).await;
    let note = format!(
        "the caller timed out ({}); the spawned save finished anyway",
        if caller.is_err() { "Elapsed" } else { "Ok" }
    );
    Seen::of("spawn what must finish", "asyncio.shield()", &probe, note)
}
// ANCHOR_END: shield

/// The same save, not spawned: the caller's timeout cancels it half-way.
pub async fn unshielded() -> Seen {
    let probe = Probe::new();
    let _ = timeout(Duration::from_millis(20), work(probe.clone(), 60)).await;
    sleep(Duration::from_millis(150)).await;
    let note = "awaited directly, it is cancelled with its caller".to_owned();
    Seen::of(
        "...the same save, not spawned",
        "without shield()",
        &probe,
        note,
    )
}

/// Every experiment, in the chapter's order.
pub async fn all() -> Vec<Seen> {
    vec![
        abort_task().await,
        abort_while_blocking().await,
        drop_future().await,
        drop_handle().await,
        drop_set().await,
        shield().await,
        unshielded().await,
    ]
}

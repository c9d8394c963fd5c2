//! Graceful shutdown of a fetcher: finish what fits in the grace period,
//! cancel the rest, and report every job.
//!
//! A service that fetches a list of jobs must stop cleanly when it is told
//! to (Ctrl-C, SIGTERM, a deploy): stop taking work, let what runs finish if
//! it can within a grace period, cancel the rest, and say what happened to
//! every job. In asyncio: an `Event` set by the signal handler,
//! `asyncio.wait(running, timeout=grace)`, `task.cancel()` on the late ones
//! and `gather(*late, return_exceptions=True)` to wait for them to end.
//!
//! In tokio, the pieces are a `JoinSet` (the running tasks), a
//! `CancellationToken` (the stop signal), `tokio::select!`, `sleep` and
//! `abort_all`. Beware: dropping a `JoinHandle` does *not* cancel its task;
//! it detaches it, and it keeps running.
//!
//! Replace the `todo!()`. Check your work with
//! `cargo xtask check exercises graceful-shutdown`; stuck?
//! `cargo xtask hint graceful-shutdown`.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// What happened to every job, each id in exactly one list (in any order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Fetches that ran to their end.
    pub finished: Vec<usize>,
    /// Fetches that were started and then cancelled (aborted).
    pub cancelled: Vec<usize>,
    /// Jobs that were never started because the stop came first.
    pub never_started: Vec<usize>,
}

/// Runs `fetch(0)`, `fetch(1)`, ... `fetch(jobs - 1)`, each as its own tokio
/// task, at most `limit` at once, starting the next as soon as one ends.
///
/// When `stop` is cancelled: start nothing new; give the fetches that are
/// running up to `grace` to finish; then abort the ones still running. Return
/// only when every task has ended (finished or cancelled): no task may still
/// run, or even exist, after `shutdown` returns.
///
/// If `stop` is never cancelled, every job runs and `shutdown` returns when
/// the last one has finished.
pub async fn shutdown<F, Fut>(
    jobs: usize,
    limit: usize,
    fetch: F,
    stop: CancellationToken,
    grace: Duration,
) -> Report
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    todo!("serve until done or stopped, then the grace period, then abort the rest")
}

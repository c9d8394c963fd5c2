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
//! Reference solution.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use tokio::task::JoinSet;
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
    let mut report = Report::default();
    let mut set = JoinSet::new();
    let mut job_of = HashMap::new();
    let mut next = 0;
    loop {
        while set.len() < limit.max(1) && next < jobs && !stop.is_cancelled() {
            let handle = set.spawn(fetch(next));
            job_of.insert(handle.id(), next);
            next += 1;
        }
        if set.is_empty() {
            break;
        }
        tokio::select! {
            _ = stop.cancelled() => break,
            Some(joined) = set.join_next_with_id() => match joined {
                Ok((id, ())) => report.finished.push(job_of[&id]),
                Err(e) => report.cancelled.push(job_of[&e.id()]),
            },
        }
    }
    report.never_started = (next..jobs).collect();
    let grace = tokio::time::sleep(grace);
    tokio::pin!(grace);
    let mut aborted = false;
    while !set.is_empty() {
        tokio::select! {
            Some(joined) = set.join_next_with_id() => match joined {
                Ok((id, ())) => report.finished.push(job_of[&id]),
                Err(e) => report.cancelled.push(job_of[&e.id()]),
            },
            _ = &mut grace, if !aborted => {
                aborted = true;
                set.abort_all();
            }
        }
    }
    report
}

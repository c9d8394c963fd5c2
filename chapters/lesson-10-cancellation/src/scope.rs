//! `asyncio.TaskGroup` and `JoinSet`: structured concurrency.
//!
//! A `TaskGroup` is a scope: it starts tasks, and it does not end until every
//! one of them has ended. The first task that fails cancels the others, and
//! the error comes out of the `async with`. tokio's `JoinSet` gives the
//! pieces (spawn, join the next, abort all); [`task_group`] puts them
//! together. [`gather_all`] is `gather(return_exceptions=True)`: nothing is
//! cancelled, every result and every error is kept, in order.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::probe::Census;

/// One task of the demo: waits `ms`, then succeeds or fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    pub id: usize,
    pub ms: u64,
    pub fails: bool,
}

impl Job {
    /// Waits, then returns `id * 10` or an error.
    pub async fn run(self) -> Result<u64, String> {
        tokio::time::sleep(Duration::from_millis(self.ms)).await;
        if self.fails {
            Err(format!("job {} failed", self.id))
        } else {
            Ok(self.id as u64 * 10)
        }
    }
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    Done(u64),
    Failed(String),
    Cancelled,
}

impl Fate {
    pub fn describe(&self) -> String {
        match self {
            Fate::Done(v) => format!("done: {v}"),
            Fate::Failed(e) => format!("error: {e}"),
            Fate::Cancelled => "cancelled".to_owned(),
        }
    }
}

/// What a scope reports when it ends.
#[derive(Debug, Clone)]
pub struct ScopeEnd {
    /// Each job's fate, in job order.
    pub fates: Vec<Fate>,
    /// The first error, which a `TaskGroup` raises.
    pub first_error: Option<String>,
    /// Tasks still alive when the scope returned: 0 is the whole point.
    pub alive_after: usize,
    pub elapsed: Duration,
}

// ANCHOR: task_group
/// `async with asyncio.TaskGroup() as tg:` one task per job. The first error
/// aborts every other task; the scope joins them all before it returns.
pub async fn task_group(jobs: &[Job], census: &Census) -> ScopeEnd {
    let start = Instant::now();
    let mut set = JoinSet::new();
    let mut job_of = HashMap::new(); // tokio's task id -> our job id
    for &job in jobs {
        let alive = census.enter(); // dropped when the task ends, however
        let handle = set.spawn(async move {
            let _alive = alive;
            job.run().await
        });
        job_of.insert(handle.id(), job.id);
    }
    let mut fates = vec![Fate::Cancelled; jobs.len()];
    let mut first_error = None;
    while let Some(joined) = set.join_next_with_id().await {
        let (task, fate) = match joined {
            Ok((task, Ok(value))) => (task, Fate::Done(value)),
            Ok((task, Err(error))) => (task, Fate::Failed(error)),
            Err(e) if e.is_cancelled() => (e.id(), Fate::Cancelled),
            Err(e) => (e.id(), Fate::Failed(format!("panicked: {e}"))),
        };
        if matches!(fate, Fate::Failed(_)) && first_error.is_none() {
            first_error = Some(fate.describe());
            set.abort_all(); // cancel the rest; keep joining until all have ended
        }
        fates[job_of[&task]] = fate;
    }
    ScopeEnd {
        fates,
        first_error,
        alive_after: census.alive(),
        elapsed: start.elapsed(),
    }
}
// ANCHOR_END: task_group

// ANCHOR: gather_all
/// `await asyncio.gather(*jobs, return_exceptions=True)`: every job runs to
/// its end; results and errors come back in job order.
pub async fn gather_all(jobs: &[Job], census: &Census) -> ScopeEnd {
    let start = Instant::now();
    let handles: Vec<_> = jobs
        .iter()
        .map(|&job| {
            let alive = census.enter();
            tokio::spawn(async move {
                let _alive = alive;
                job.run().await
            })
        })
        .collect();
    let mut fates = Vec::with_capacity(jobs.len());
    for handle in handles {
        fates.push(match handle.await {
            Ok(Ok(value)) => Fate::Done(value),
            Ok(Err(error)) => Fate::Failed(error),
            Err(e) => Fate::Failed(format!("panicked: {e}")),
        });
    }
    let first_error = fates.iter().find_map(|f| match f {
        Fate::Failed(e) => Some(e.clone()),
        _ => None,
    });
    ScopeEnd {
        fates,
        first_error,
        alive_after: census.alive(),
        elapsed: start.elapsed(),
    }
}
// ANCHOR_END: gather_all

/// The demo's jobs: `n` jobs of `step_ms`, `2 * step_ms`, ...; job `fail`
/// fails after `fail_ms`.
pub fn demo_jobs(n: usize, step_ms: u64, fail: usize, fail_ms: u64) -> Vec<Job> {
    (0..n)
        .map(|id| Job {
            id,
            ms: if id == fail {
                fail_ms
            } else {
                step_ms * (id as u64 + 1)
            },
            fails: id == fail,
        })
        .collect()
}

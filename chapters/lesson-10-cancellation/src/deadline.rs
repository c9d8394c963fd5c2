//! `asyncio.timeout` and `tokio::time::timeout`, and a deadline shared by
//! many steps.
//!
//! A timeout on each step bounds each step, not the whole: ten steps of
//! 90 ms under a 100 ms timeout each take 900 ms and never time out. A
//! deadline is a point in time that every step checks against, so the whole
//! job ends on time however its time is split between steps.

use std::time::Duration;

use tokio::time::{Instant, timeout, timeout_at};

/// How a run of steps ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Steps {
    /// Steps that completed.
    pub done: usize,
    /// The step that was cut short, if one was.
    pub cut: Option<usize>,
    pub elapsed: Duration,
}

async fn step(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

// ANCHOR: per_step
/// A timeout on each step: `async with asyncio.timeout(each):` inside the loop.
pub async fn timeout_each(steps: &[u64], each: Duration) -> Steps {
    let start = Instant::now();
    for (i, &ms) in steps.iter().enumerate() {
        if timeout(each, step(ms)).await.is_err() {
            return Steps {
                done: i,
                cut: Some(i),
                elapsed: start.elapsed(),
            };
        }
    }
    Steps {
        done: steps.len(),
        cut: None,
        elapsed: start.elapsed(),
    }
}
// ANCHOR_END: per_step

// ANCHOR: shared_deadline
/// One deadline for all the steps: `async with asyncio.timeout_at(when):`
/// around the loop, or (here) each step raced against the same instant.
pub async fn deadline_for_all(steps: &[u64], deadline: Instant) -> Steps {
    let start = Instant::now();
    for (i, &ms) in steps.iter().enumerate() {
        if timeout_at(deadline, step(ms)).await.is_err() {
            return Steps {
                done: i,
                cut: Some(i),
                elapsed: start.elapsed(),
            };
        }
    }
    Steps {
        done: steps.len(),
        cut: None,
        elapsed: start.elapsed(),
    }
}
// ANCHOR_END: shared_deadline

// ANCHOR: whole
/// The same, with one timeout around the whole loop: the loop is a single
/// future, and dropping it at the deadline cancels whichever step is running.
pub async fn timeout_whole(steps: &[u64], limit: Duration) -> Steps {
    let start = Instant::now();
    let mut done = 0;
    let all = async {
        for &ms in steps {
            step(ms).await;
            done += 1;
        }
    };
    let finished = timeout(limit, all).await.is_ok();
    Steps {
        done,
        cut: (!finished).then_some(done),
        elapsed: start.elapsed(),
    }
}
// ANCHOR_END: whole

//! A `std::sync::MutexGuard` held across `.await`, and the three fixes.
//!
//! Holding a blocking lock while the task is suspended is a bug in asyncio
//! too (a `threading.Lock` held across `await` blocks the whole loop when
//! another task asks for it). In tokio it does not even compile once the
//! task is spawned: the guard is not `Send`, so the future holding it across
//! an `.await` is not `Send`, and `tokio::spawn` requires `Send`
//! (`tests/ui/guard_across_await.rs` keeps the error). The fixes:
//!
//! 1. scope the guard so it is dropped before the `.await`;
//! 2. `tokio::sync::Mutex`, whose guard may be held across `.await` (it is
//!    `asyncio.Lock`);
//! 3. no lock at all: one task owns the state and others send it messages.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot};

/// The result of one way of counting.
#[derive(Debug, Clone)]
pub struct Counted {
    pub way: &'static str,
    pub python: &'static str,
    pub total: u64,
    pub elapsed: Duration,
}

/// Something the task awaits between updates (a request, a write...).
async fn other_work() {
    tokio::task::yield_now().await;
}

// ANCHOR: scoped
/// Fix 1: the guard lives in a block that ends before the `.await`.
pub async fn scoped_guard(tasks: usize, rounds: u64) -> u64 {
    let total = Arc::new(Mutex::new(0u64));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..tasks {
        let total = total.clone();
        set.spawn(async move {
            for _ in 0..rounds {
                {
                    let mut t = total.lock().unwrap();
                    *t += 1;
                } // guard dropped here, before the .await
                other_work().await;
            }
        });
    }
    set.join_all().await;
    *total.lock().unwrap()
}
// ANCHOR_END: scoped

// ANCHOR: tokio_mutex
/// Fix 2: `tokio::sync::Mutex`: its guard is `Send`, and waiting for it is
/// an `.await`, not a blocked thread. Slower; use it only when the guard
/// really must be held across an `.await`.
pub async fn async_mutex(tasks: usize, rounds: u64) -> u64 {
    let total = Arc::new(tokio::sync::Mutex::new(0u64));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..tasks {
        let total = total.clone();
        set.spawn(async move {
            for _ in 0..rounds {
                let mut t = total.lock().await;
                other_work().await; // allowed: held across the .await
                *t += 1;
            }
        });
    }
    set.join_all().await;
    *total.lock().await
}
// ANCHOR_END: tokio_mutex

// ANCHOR: actor
/// Fix 3: no shared state. One task owns the total; the others send it
/// messages. The question "who holds the lock" disappears.
pub async fn message_passing(tasks: usize, rounds: u64) -> u64 {
    enum Msg {
        Add(u64),
        Get(oneshot::Sender<u64>),
    }
    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    let owner = tokio::spawn(async move {
        let mut total = 0u64;
        while let Some(msg) = rx.recv().await {
            match msg {
                Msg::Add(n) => total += n,
                Msg::Get(reply) => {
                    let _ = reply.send(total);
                }
            }
        }
    });
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..tasks {
        let tx = tx.clone();
        set.spawn(async move {
            for _ in 0..rounds {
                tx.send(Msg::Add(1)).await.expect("the owner lives");
                other_work().await;
            }
        });
    }
    set.join_all().await;
    let (reply, answer) = oneshot::channel();
    tx.send(Msg::Get(reply)).await.expect("the owner lives");
    let total = answer.await.expect("the owner answers");
    drop(tx);
    owner
        .await
        .expect("the owner ends when every sender is gone");
    total
}
// ANCHOR_END: actor

/// The three fixes on the same count.
pub async fn all(tasks: usize, rounds: u64) -> Vec<Counted> {
    let mut out = Vec::new();
    let start = Instant::now();
    let total = scoped_guard(tasks, rounds).await;
    out.push(Counted {
        way: "std Mutex, guard scoped before .await",
        python: "threading.Lock, released before await",
        total,
        elapsed: start.elapsed(),
    });
    let start = Instant::now();
    let total = async_mutex(tasks, rounds).await;
    out.push(Counted {
        way: "tokio::sync::Mutex held across .await",
        python: "asyncio.Lock",
        total,
        elapsed: start.elapsed(),
    });
    let start = Instant::now();
    let total = message_passing(tasks, rounds).await;
    out.push(Counted {
        way: "one owner task + mpsc messages",
        python: "an owner task + asyncio.Queue",
        total,
        elapsed: start.elapsed(),
    });
    out
}

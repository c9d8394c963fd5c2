//! `asyncio.gather`: start every fetch, wait for all, get the results in the
//! order you asked for them, whatever order they finished in.
//!
//! Two ways in Rust:
//!
//! - [`gather`]: `futures::future::join_all` over the fetches. They all run
//!   inside the one task that awaits them, taking turns at every `.await`:
//!   exactly what `asyncio.gather(*coros)` does with coroutines.
//! - [`gather_spawned`]: a `tokio::task::JoinSet` of spawned tasks, like
//!   `asyncio.create_task` for each. Tasks run on any worker thread of the
//!   runtime (in parallel, on a multi-thread runtime) and come back in
//!   *completion* order; each carries its index so we can put it back.

use std::time::{Duration, Instant};

use futures::future::join_all;
use reqwest::Client;
use tokio::task::JoinSet;

use crate::fetch::{FetchError, Fetched, fetch};

/// One result per URL, in the order of the URLs.
pub type Results = Vec<Result<Fetched, FetchError>>;

// ANCHOR: gather
/// Fetches every URL at once and returns the results in input order.
pub async fn gather(client: &Client, urls: &[String], timeout: Option<Duration>) -> Results {
    let fetches = urls.iter().map(|url| fetch(client, url, timeout));
    join_all(fetches).await
}
// ANCHOR_END: gather

// ANCHOR: gather_spawned
/// The same with one spawned task per URL. Also returns the order in which
/// they completed (indexes into `urls`).
pub async fn gather_spawned(
    client: &Client,
    urls: &[String],
    timeout: Option<Duration>,
) -> (Results, Vec<usize>) {
    let mut tasks = JoinSet::new();
    for (i, url) in urls.iter().enumerate() {
        let (client, url) = (client.clone(), url.clone()); // a task owns what it uses
        tasks.spawn(async move { (i, fetch(&client, &url, timeout).await) });
    }
    let mut slots: Vec<Option<Result<Fetched, FetchError>>> = vec![None; urls.len()];
    let mut completion = Vec::with_capacity(urls.len());
    while let Some(joined) = tasks.join_next().await {
        // A task only fails to join if it panicked: pass the panic on.
        let (i, result) = joined.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        completion.push(i);
        slots[i] = Some(result);
    }
    let results = slots
        .into_iter()
        .map(|slot| slot.expect("every task reported"))
        .collect();
    (results, completion)
}
// ANCHOR_END: gather_spawned

/// Fetches the URLs one after another: the baseline gather beats.
pub async fn one_by_one(client: &Client, urls: &[String], timeout: Option<Duration>) -> Results {
    let mut results = Vec::with_capacity(urls.len());
    for url in urls {
        results.push(fetch(client, url, timeout).await);
    }
    results
}

/// How long `f` took, with its value.
pub async fn timed<T>(f: impl Future<Output = T>) -> (T, Duration) {
    let start = Instant::now();
    let value = f.await;
    (value, start.elapsed())
}

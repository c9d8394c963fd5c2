//! Bounded concurrency: at most `limit` requests open at once, however many
//! URLs there are. Python: an `asyncio.Semaphore(limit)` around each fetch.
//!
//! Without a bound, `gather` over 10,000 URLs opens 10,000 connections at
//! once: the server (or your file-descriptor limit) says no long before the
//! network is busy. With a bound, the rest wait their turn in memory, where
//! waiting is cheap.
//!
//! The proof that a bound holds is taken on the *other* side: the embedded
//! server counts how many requests it is handling at the same time, and its
//! peak can never exceed the client's limit.

use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use reqwest::Client;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::fetch::{FetchError, Fetched, fetch, fetch_with_timeout};
use crate::gather::Results;

/// How each fetch is limited in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// No limit of our own (the client may still have one).
    None,
    /// `tokio::time::timeout` around each fetch.
    Each(Duration),
}

async fn fetch_one(client: &Client, url: &str, deadline: Deadline) -> Result<Fetched, FetchError> {
    match deadline {
        Deadline::None => fetch(client, url, None).await,
        Deadline::Each(limit) => fetch_with_timeout(client, url, limit).await,
    }
}

// ANCHOR: semaphore
/// One task per URL; each must hold one of `limit` permits while it fetches.
/// Results in input order.
pub async fn with_semaphore(
    client: &Client,
    urls: &[String],
    limit: usize,
    deadline: Deadline,
) -> Results {
    assert!(limit > 0, "a limit of 0 would never fetch anything");
    let permits = Arc::new(Semaphore::new(limit));
    let mut tasks = JoinSet::new();
    for (i, url) in urls.iter().enumerate() {
        let (client, url, permits) = (client.clone(), url.clone(), Arc::clone(&permits));
        tasks.spawn(async move {
            // Python: `async with semaphore:`. The permit goes back when
            // `_permit` is dropped: on success, error, timeout or panic.
            let _permit = permits
                .acquire()
                .await
                .expect("the semaphore is never closed");
            (i, fetch_one(&client, &url, deadline).await)
        });
    }
    let mut slots: Vec<Option<Result<Fetched, FetchError>>> = vec![None; urls.len()];
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        slots[i] = Some(result);
    }
    slots
        .into_iter()
        .map(|s| s.expect("every task reported"))
        .collect()
}
// ANCHOR_END: semaphore

// ANCHOR: buffer_unordered
/// A stream of fetches, at most `limit` polled at a time, collected as they
/// complete; the index puts them back in input order. No tasks, no
/// semaphore: the stream itself never starts fetch `limit + 1` before one of
/// the first `limit` is done.
pub async fn with_buffer_unordered(
    client: &Client,
    urls: &[String],
    limit: usize,
    deadline: Deadline,
) -> Results {
    assert!(limit > 0, "a limit of 0 would never fetch anything");
    let mut done: Vec<(usize, Result<Fetched, FetchError>)> = stream::iter(urls.iter().enumerate())
        .map(|(i, url)| async move { (i, fetch_one(client, url, deadline).await) })
        .buffer_unordered(limit)
        .collect()
        .await;
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, result)| result).collect()
}
// ANCHOR_END: buffer_unordered

/// Every URL at once: no bound at all (`asyncio.gather` without a semaphore).
pub async fn unbounded(client: &Client, urls: &[String], deadline: Deadline) -> Results {
    with_semaphore(client, urls, urls.len().max(1), deadline).await
}

/// The ways of bounding that the demo compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Unbounded,
    Semaphore,
    BufferUnordered,
}

impl Bound {
    pub const ALL: [Bound; 3] = [Bound::Unbounded, Bound::Semaphore, Bound::BufferUnordered];

    pub fn label(self) -> &'static str {
        match self {
            Bound::Unbounded => "no bound (gather everything)",
            Bound::Semaphore => "tokio Semaphore + JoinSet",
            Bound::BufferUnordered => "stream buffer_unordered",
        }
    }

    /// Fetches `urls` this way, at most `limit` at once (ignored when unbounded).
    pub async fn run(
        self,
        client: &Client,
        urls: &[String],
        limit: usize,
        deadline: Deadline,
    ) -> Results {
        match self {
            Bound::Unbounded => unbounded(client, urls, deadline).await,
            Bound::Semaphore => with_semaphore(client, urls, limit, deadline).await,
            Bound::BufferUnordered => with_buffer_unordered(client, urls, limit, deadline).await,
        }
    }
}

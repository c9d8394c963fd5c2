//! Everything together: the fetcher you would ship. At most `limit`
//! requests at once, a time limit on each attempt, retries with backoff for
//! transient failures, and one report at the end, whatever happened. It
//! always returns, and always within about
//! `attempts x (timeout + max wait)` per URL, however the server behaves.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Client;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::fetch::{FetchError, Fetched, fetch_with_timeout};
use crate::report::ErrorReport;
use crate::retry::{Backoff, Retried, Rng, retry};

/// The knobs of [`fetch_all`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// At most this many requests in flight.
    pub limit: usize,
    /// Each attempt gets this long.
    pub timeout: Duration,
    /// Retries (set `max_attempts: 1` for none).
    pub backoff: Backoff,
}

// ANCHOR: fetch_all
/// Fetches every URL under `policy`; one [`Retried`] per URL, in input order.
pub async fn fetch_all(client: &Client, urls: &[String], policy: Policy) -> Vec<Retried<Fetched>> {
    let permits = Arc::new(Semaphore::new(policy.limit.max(1)));
    let mut tasks = JoinSet::new();
    for (i, url) in urls.iter().enumerate() {
        let (client, url, permits) = (client.clone(), url.clone(), Arc::clone(&permits));
        let mut rng = Rng::new(i as u64 ^ 0x5eed); // jitter differs per URL
        tasks.spawn(async move {
            let retried = retry(&policy.backoff, &mut rng, |_attempt| {
                let (client, url, permits) = (&client, &url, &permits);
                async move {
                    // Hold a permit only while a request is open, not while
                    // waiting to retry: a backing-off URL leaves room for others.
                    let _permit = permits.acquire().await.expect("never closed");
                    fetch_with_timeout(client, url, policy.timeout).await
                }
            })
            .await;
            (i, retried)
        });
    }
    let mut slots: Vec<Option<Retried<Fetched>>> = vec![None; urls.len()];
    while let Some(joined) = tasks.join_next().await {
        let (i, retried) = joined.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        slots[i] = Some(retried);
    }
    slots
        .into_iter()
        .map(|s| s.expect("every task reported"))
        .collect()
}
// ANCHOR_END: fetch_all

/// [`fetch_all`] and the report on it.
pub async fn fetch_and_report(client: &Client, urls: &[String], policy: Policy) -> ErrorReport {
    let start = Instant::now();
    let outcomes = fetch_all(client, urls, policy).await;
    report(&outcomes, start.elapsed())
}

/// The report of a batch of retried fetches: each URL counted once, by its
/// final outcome; `attempts` counts every try.
pub fn report(outcomes: &[Retried<Fetched>], elapsed: Duration) -> ErrorReport {
    let finals: Vec<&Result<Fetched, FetchError>> = outcomes.iter().map(|o| &o.result).collect();
    let mut report = ErrorReport::from_results(finals);
    report.attempts = outcomes.iter().map(|o| o.attempts as usize).sum();
    report.elapsed = elapsed;
    report
}

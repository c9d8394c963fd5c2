//! Per-request timeouts: the only defence against a server that accepts the
//! connection and then never answers. Without one, `await` waits forever,
//! and so does everything that awaits it (one stalled URL keeps `gather`
//! from ever returning).
//!
//! Two places to put the limit, and both end in a [`FetchError::Timeout`]:
//!
//! - around the future, with `tokio::time::timeout(limit, fetch)`: works
//!   for any future (Python: `asyncio.wait_for`, or `asyncio.timeout()`);
//! - in the client, with `reqwest::ClientBuilder::timeout(limit)`: one limit
//!   for every request of that client (aiohttp: `ClientTimeout(total=...)`).
//!
//! Either way the request's future is dropped when time is up, which closes
//! its connection: cancellation in Rust is dropping a future.

use std::time::{Duration, Instant};

use reqwest::Client;

use crate::bounded::{Deadline, with_semaphore};
use crate::fetch::FetchError;
use crate::gather::{Results, gather};

/// Where the time limit is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// No limit: we only watch for `watch` and then stop looking.
    Nothing { watch: Duration },
    /// `tokio::time::timeout` around each fetch.
    Tokio(Duration),
    /// `reqwest::ClientBuilder::timeout` on the client.
    Reqwest(Duration),
}

impl Limit {
    pub fn label(self) -> String {
        match self {
            Limit::Nothing { .. } => "no timeout".to_owned(),
            Limit::Tokio(d) => format!("tokio::time::timeout({} ms)", d.as_millis()),
            Limit::Reqwest(d) => format!("reqwest .timeout({} ms)", d.as_millis()),
        }
    }
}

/// What one way of limiting did with a batch of URLs.
#[derive(Debug)]
pub struct LimitedRun {
    pub limit: Limit,
    /// `None`: still waiting when we stopped watching (a hang).
    pub results: Option<Results>,
    pub elapsed: Duration,
}

impl LimitedRun {
    /// Results that are timeouts.
    pub fn timeouts(&self) -> usize {
        self.results.as_ref().map_or(0, |r| {
            r.iter()
                .filter(|x| matches!(x, Err(FetchError::Timeout(_))))
                .count()
        })
    }

    /// Results that are OK.
    pub fn ok(&self) -> usize {
        self.results
            .as_ref()
            .map_or(0, |r| r.iter().filter(|x| x.is_ok()).count())
    }
}

// ANCHOR: limited
/// Fetches all `urls` at once with `limit` applied. `make_client(t)` builds
/// a client with reqwest timeout `t` (the target's kind of client).
pub async fn fetch_limited(
    make_client: impl Fn(Option<Duration>) -> Client,
    urls: &[String],
    limit: Limit,
) -> LimitedRun {
    let start = Instant::now();
    let results = match limit {
        Limit::Nothing { watch } => {
            // Only the watching is limited: if this times out, the fetches
            // were still waiting (and are cancelled now, as we drop them).
            let client = make_client(None);
            tokio::time::timeout(watch, gather(&client, urls, None))
                .await
                .ok()
        }
        Limit::Tokio(t) => {
            let client = make_client(None);
            let n = urls.len().max(1);
            Some(with_semaphore(&client, urls, n, Deadline::Each(t)).await)
        }
        Limit::Reqwest(t) => Some(gather(&make_client(Some(t)), urls, Some(t)).await),
    };
    LimitedRun {
        limit,
        results,
        elapsed: start.elapsed(),
    }
}
// ANCHOR_END: limited

//! A bounded concurrent fetcher with per-request timeouts and an error report.
//!
//! Python's usual shape for "download these 10,000 URLs":
//!
//! ```python
//! limit = asyncio.Semaphore(20)
//!
//! async def fetch(session, url):
//!     async with limit:
//!         async with asyncio.timeout(2):
//!             async with session.get(url) as resp:
//!                 resp.raise_for_status()
//!                 return len(await resp.read())
//!
//! results = await asyncio.gather(*(fetch(s, u) for u in urls), return_exceptions=True)
//! ```
//!
//! Here you write it in Rust with tokio and reqwest: one fetch with a time
//! limit ([`fetch_one`]), all of them with at most `limit` in flight
//! ([`fetch_all`]), and a count of what happened ([`report`]). The tests run
//! it against a local server that answers slowly, fails on some paths with
//! `500`, never answers on others, and counts how many requests it is
//! handling at once: your bound must hold, and nothing may hang.
//!
//! Replace each `todo!()`. Check your work with
//! `cargo xtask check exercises bounded-fetcher`; stuck? `cargo xtask hint bounded-fetcher`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Client;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Why one fetch failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// No complete answer (headers and body) within the time limit.
    Timeout,
    /// The server answered with a status that is not 2xx.
    Status(u16),
    /// Could not connect: refused, unreachable.
    Connect(String),
    /// Anything else (the connection broke mid-answer, ...).
    Other(String),
}

/// How a batch of fetches went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Fetches that succeeded.
    pub ok: usize,
    /// Body bytes of the successful fetches, added up.
    pub bytes: usize,
    /// Fetches that timed out.
    pub timeouts: usize,
    /// Fetches answered with a non-2xx status, counted by status code.
    pub status: BTreeMap<u16, usize>,
    /// Fetches that could not connect.
    pub connect: usize,
    /// Any other failure.
    pub other: usize,
}

/// A client for the tests' local server (already written for you): no
/// proxy, and a connection attempt gives up after 5 seconds.
pub fn client() -> Client {
    Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .expect("a plain http client builds")
}

fn sort(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout
    } else if e.is_connect() {
        FetchError::Connect(e.to_string())
    } else {
        FetchError::Other(e.to_string())
    }
}

/// GETs `url` and returns the length of the body.
///
/// - a 2xx answer whose body arrived whole: `Ok(body length)`;
/// - any other status: `Err(FetchError::Status(code))`;
/// - no complete answer (status line *and* body) within `timeout`:
///   `Err(FetchError::Timeout)`. A server that accepts the connection and
///   never answers must not make this wait longer than `timeout`;
/// - the connection was refused: `Err(FetchError::Connect(reason))`;
/// - anything else: `Err(FetchError::Other(reason))`.
pub async fn fetch_one(client: &Client, url: &str, timeout: Duration) -> Result<usize, FetchError> {
    let get = async {
        let response = client.get(url).send().await.map_err(sort)?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        let body = response.bytes().await.map_err(sort)?;
        Ok(body.len())
    };
    // Dropping `get` when time is up cancels the request.
    tokio::time::timeout(timeout, get)
        .await
        .unwrap_or(Err(FetchError::Timeout))
}

/// Fetches every URL with [`fetch_one`] (each with its own `timeout`), with
/// at most `limit` requests in flight at any moment, and as many as that
/// whenever there are URLs waiting: 100 URLs with `limit` 10 take about 10
/// rounds, not 100. Returns one result per URL, in the order of `urls`,
/// whatever order they finished in.
///
/// Panics if `limit` is 0.
pub async fn fetch_all(
    client: &Client,
    urls: &[String],
    limit: usize,
    timeout: Duration,
) -> Vec<Result<usize, FetchError>> {
    assert!(limit > 0, "a limit of 0 would never fetch anything");
    let permits = Arc::new(Semaphore::new(limit));
    let mut tasks = JoinSet::new();
    for (i, url) in urls.iter().enumerate() {
        let (client, url, permits) = (client.clone(), url.clone(), Arc::clone(&permits));
        tasks.spawn(async move {
            let _permit = permits.acquire().await.expect("the semaphore stays open");
            (i, fetch_one(&client, &url, timeout).await)
        });
    }
    let mut slots = vec![None; urls.len()];
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined.expect("a fetch task does not panic");
        slots[i] = Some(result);
    }
    slots
        .into_iter()
        .map(|slot| slot.expect("every task reports"))
        .collect()
}

/// Counts `results`: each success adds 1 to `ok` and its length to `bytes`;
/// each error adds 1 to the count of its kind (`status` per code).
pub fn report(results: &[Result<usize, FetchError>]) -> Report {
    let mut report = Report::default();
    for result in results {
        match result {
            Ok(bytes) => {
                report.ok += 1;
                report.bytes += bytes;
            }
            Err(FetchError::Timeout) => report.timeouts += 1,
            Err(FetchError::Status(code)) => *report.status.entry(*code).or_default() += 1,
            Err(FetchError::Connect(_)) => report.connect += 1,
            Err(FetchError::Other(_)) => report.other += 1,
        }
    }
    report
}

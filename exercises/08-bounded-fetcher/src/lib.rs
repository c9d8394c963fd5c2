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
use std::time::Duration;

use reqwest::Client;

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
    todo!()
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
    todo!()
}

/// Counts `results`: each success adds 1 to `ok` and its length to `bytes`;
/// each error adds 1 to the count of its kind (`status` per code).
pub fn report(results: &[Result<usize, FetchError>]) -> Report {
    todo!()
}

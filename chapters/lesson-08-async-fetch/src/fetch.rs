//! One HTTP GET with reqwest, and what can go wrong with it, sorted into
//! kinds a report can count.
//!
//! `reqwest::Client` is aiohttp's `ClientSession`: create one, share it (it
//! is a cheap handle around a connection pool), and every request reuses
//! open connections to the same host. The clients and the error type live in
//! the shared `loopback-http` crate (lesson 09 uses them too) and are
//! re-exported here.

use std::time::Duration;

use reqwest::Client;

pub use loopback_http::client::{
    CONNECT_TIMEOUT, ErrorKind, FetchError, TLS, check_url, classify, loopback_client,
};

/// A successful answer (status 2xx).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The URL that was fetched.
    pub url: String,
    /// The HTTP status (200 to 299).
    pub status: u16,
    /// How many bytes the body had.
    pub bytes: usize,
    /// The body's first line (at most 120 characters); the embedded server
    /// puts the request's path there.
    pub first_line: String,
}

/// A client for a URL the user gave: proxies from the environment are kept.
pub fn user_client(timeout: Option<Duration>) -> Client {
    let builder = Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("lesson-08-async-fetch/", env!("CARGO_PKG_VERSION")));
    let builder = match timeout {
        Some(t) => builder.timeout(t),
        None => builder,
    };
    builder.build().expect("a plain http client always builds")
}

// ANCHOR: fetch
/// GET `url`: `Ok` for a 2xx answer whose body arrived whole, otherwise the
/// reason, sorted into a [`FetchError`]. A timeout set on `client` comes
/// back as [`FetchError::Timeout`] of `limit` (pass the client's timeout).
pub async fn fetch(
    client: &Client,
    url: &str,
    limit: Option<Duration>,
) -> Result<Fetched, FetchError> {
    let parsed = check_url(url)?;
    let response = client
        .get(parsed)
        .send()
        .await
        .map_err(|e| classify(e, limit))?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    let body = response.bytes().await.map_err(|e| classify(e, limit))?;
    Ok(Fetched {
        url: url.to_owned(),
        status: status.as_u16(),
        bytes: body.len(),
        first_line: first_line(&body),
    })
}
// ANCHOR_END: fetch

// ANCHOR: fetch_with_timeout
/// [`fetch`] with a deadline from tokio instead of reqwest: when `limit`
/// passes first, the request's future is dropped, which cancels it (the
/// connection is closed), and we report a timeout. Python:
/// `await asyncio.wait_for(fetch(url), limit)`.
pub async fn fetch_with_timeout(
    client: &Client,
    url: &str,
    limit: Duration,
) -> Result<Fetched, FetchError> {
    match tokio::time::timeout(limit, fetch(client, url, None)).await {
        Ok(result) => result,
        Err(_elapsed) => Err(FetchError::Timeout(limit)),
    }
}
// ANCHOR_END: fetch_with_timeout

fn first_line(body: &[u8]) -> String {
    let end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
    String::from_utf8_lossy(&body[..end])
        .trim_end()
        .chars()
        .take(120)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_line_stops_at_newline() {
        assert_eq!(first_line(b"/item/3\n....."), "/item/3");
        assert_eq!(first_line(b""), "");
    }
}

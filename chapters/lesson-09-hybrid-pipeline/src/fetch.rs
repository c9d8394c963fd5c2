//! The fetch stage's work: one GET against the embedded server, the body as
//! bytes, and which errors end the whole job.
//!
//! The client, the error type and its kinds come from `loopback-http` (lesson 08 teaches them); what is
//! new is the split of errors into two classes:
//!
//! - **non-fatal**: this one item is lost (a 500, a timeout, a broken body):
//!   count it and carry on with the others;
//! - **fatal**: the job itself is wrong (401/403: our credentials are
//!   refused; the server is unreachable; the URL is malformed): every other
//!   item would fail the same way, so stop the pipeline and return the error.

use std::time::Duration;

use reqwest::Client;

pub use loopback_http::client::{ErrorKind, FetchError};
use loopback_http::client::{check_url, classify, loopback_client};

/// One fetched item on its way to the CPU stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Its position in the list of URLs.
    pub index: usize,
    /// The whole body.
    pub body: Vec<u8>,
}

/// A client for the loopback server, with a time limit on every request.
pub fn client(timeout: Duration) -> Client {
    loopback_client(Some(timeout))
}

// ANCHOR: fetch_body
/// GET `url` and return its body: `Ok` only for a 2xx answer that arrived
/// whole. `timeout` is the client's (it is reported in the error).
pub async fn fetch_body(
    client: &Client,
    url: &str,
    timeout: Duration,
) -> Result<Vec<u8>, FetchError> {
    let parsed = check_url(url)?;
    let response = client
        .get(parsed)
        .send()
        .await
        .map_err(|e| classify(e, Some(timeout)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| classify(e, Some(timeout)))?;
    Ok(body.into())
}
// ANCHOR_END: fetch_body

// ANCHOR: is_fatal
/// Does this error end the whole job? Refused credentials (401, 403), a
/// server we cannot reach, or a URL we cannot fetch: yes, every other item
/// would fail too. A 5xx, a 404, a timeout, a broken body: no, only this
/// item is lost.
pub fn is_fatal(error: &FetchError) -> bool {
    matches!(
        error,
        FetchError::Status(401 | 403) | FetchError::Connect(_) | FetchError::Invalid(_)
    )
}
// ANCHOR_END: is_fatal

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_job_wide_errors_are_fatal() {
        assert!(is_fatal(&FetchError::Status(403)));
        assert!(is_fatal(&FetchError::Status(401)));
        assert!(is_fatal(&FetchError::Connect("refused".into())));
        assert!(is_fatal(&FetchError::Invalid("bad".into())));
        assert!(!is_fatal(&FetchError::Status(500)));
        assert!(!is_fatal(&FetchError::Status(404)));
        assert!(!is_fatal(&FetchError::Timeout(Duration::from_secs(1))));
        assert!(!is_fatal(&FetchError::Body("cut".into())));
    }
}

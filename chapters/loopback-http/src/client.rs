//! A reqwest client for the loopback server, and what can go wrong with a
//! GET, sorted into kinds a report can count. Lesson 08 builds its fetches on
//! these; lesson 09's fetch stage reuses them.
//!
//! `reqwest::Client` is aiohttp's `ClientSession`: create one, share it (it
//! is a cheap handle around a connection pool), and every request reuses
//! open connections to the same host.

use std::fmt;
use std::time::Duration;

use reqwest::Client;

/// How long connecting may take before we call the server unreachable.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

// ANCHOR: fetch_error
/// Why a fetch failed: every way a GET can go wrong, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// No complete answer within the time limit.
    Timeout(Duration),
    /// The server answered, with a status that is not 2xx.
    Status(u16),
    /// Could not connect: refused, unreachable, name not found.
    Connect(String),
    /// The answer started, then broke off.
    Body(String),
    /// What came back is not an HTTP answer (garbage bytes, a bad status line).
    Malformed(String),
    /// The URL cannot be fetched by this build (bad URL, https without TLS).
    Invalid(String),
    /// Anything else reqwest reports.
    Other(String),
}
// ANCHOR_END: fetch_error

/// The kind of a [`FetchError`], without its details: what a report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorKind {
    Timeout,
    Status(u16),
    Connect,
    Body,
    Malformed,
    Invalid,
    Other,
}

impl FetchError {
    /// Its kind, for counting.
    pub fn kind(&self) -> ErrorKind {
        match self {
            FetchError::Timeout(_) => ErrorKind::Timeout,
            FetchError::Status(code) => ErrorKind::Status(*code),
            FetchError::Connect(_) => ErrorKind::Connect,
            FetchError::Body(_) => ErrorKind::Body,
            FetchError::Malformed(_) => ErrorKind::Malformed,
            FetchError::Invalid(_) => ErrorKind::Invalid,
            FetchError::Other(_) => ErrorKind::Other,
        }
    }

    /// Is it worth trying again? Timeouts, connection errors, broken bodies
    /// and 5xx/429 answers may go away; a 404 or an invalid URL will not.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Timeout(_) | FetchError::Connect(_) | FetchError::Body(_) => true,
            FetchError::Status(code) => *code >= 500 || *code == 429,
            FetchError::Malformed(_) | FetchError::Invalid(_) | FetchError::Other(_) => false,
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Zero: the client's own time limit fired, not one the caller set.
            FetchError::Timeout(after) if after.is_zero() => {
                write!(f, "timed out (the client's own time limit)")
            }
            FetchError::Timeout(after) => write!(f, "timed out after {} ms", after.as_millis()),
            FetchError::Status(code) => write!(f, "HTTP status {code}"),
            FetchError::Connect(why) => write!(f, "could not connect: {why}"),
            FetchError::Body(why) => write!(f, "answer broke off: {why}"),
            FetchError::Malformed(why) => write!(f, "not an HTTP answer: {why}"),
            FetchError::Invalid(why) => write!(f, "cannot fetch this URL: {why}"),
            FetchError::Other(why) => write!(f, "{why}"),
        }
    }
}

impl std::error::Error for FetchError {}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Timeout => write!(f, "timeout"),
            ErrorKind::Status(code) => write!(f, "HTTP {code}"),
            ErrorKind::Connect => write!(f, "connect"),
            ErrorKind::Body => write!(f, "broken body"),
            ErrorKind::Malformed => write!(f, "malformed response"),
            ErrorKind::Invalid => write!(f, "invalid URL"),
            ErrorKind::Other => write!(f, "other"),
        }
    }
}

/// Does this build fetch https? Only with `--features tls`.
pub const TLS: bool = cfg!(feature = "tls");

/// Checks that `url` is something this build can fetch, with an error that
/// says what to do when it is not.
pub fn check_url(url: &str) -> Result<reqwest::Url, FetchError> {
    let parsed =
        reqwest::Url::parse(url).map_err(|e| FetchError::Invalid(format!("{url}: {e}")))?;
    match parsed.scheme() {
        "http" => Ok(parsed),
        "https" if TLS => Ok(parsed),
        "https" => Err(FetchError::Invalid(format!(
            "{url} is https, and this build has no TLS: rebuild with `--features tls` \
             (cargo run -p lesson-08-async-fetch --features tls -- ...)"
        ))),
        other => Err(FetchError::Invalid(format!(
            "{url}: scheme `{other}` is not http or https"
        ))),
    }
}

// ANCHOR: client
/// A client for the embedded loopback server: no proxy (a proxy setting in
/// the environment must not route 127.0.0.1 elsewhere), a connect timeout,
/// and an optional total timeout per request (reqwest's own).
pub fn loopback_client(timeout: Option<Duration>) -> Client {
    let builder = Client::builder()
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT);
    let builder = match timeout {
        Some(t) => builder.timeout(t),
        None => builder,
    };
    builder.build().expect("a plain http client always builds")
}
// ANCHOR_END: client

/// Sorts a reqwest error into a [`FetchError`].
pub fn classify(e: reqwest::Error, limit: Option<Duration>) -> FetchError {
    let why = root_cause(&e);
    if e.is_timeout() {
        FetchError::Timeout(limit.unwrap_or_default())
    } else if let Some(status) = e.status() {
        FetchError::Status(status.as_u16())
    } else if e.is_connect() {
        FetchError::Connect(why)
    } else if e.is_body() || e.is_decode() {
        FetchError::Body(why)
    } else if e.is_builder() {
        FetchError::Invalid(why)
    } else if is_parse_error(&why) {
        // The server answered, but not in HTTP (hyper could not parse it).
        FetchError::Malformed(why)
    } else if e.is_request() {
        // Sent, but the connection failed before an answer came back.
        FetchError::Body(why)
    } else {
        FetchError::Other(why)
    }
}

/// hyper's words for an answer it could not parse as HTTP.
fn is_parse_error(why: &str) -> bool {
    [
        "invalid HTTP",
        "message head is too large",
        "invalid URI",
        "unexpected message",
    ]
    .iter()
    .any(|w| why.contains(w))
}

/// The innermost error in `e`'s chain of sources: "Connection refused (os
/// error 111)" rather than reqwest's outermost "error sending request".
fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cause = e;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_without_tls_says_how_to_get_it() {
        let r = check_url("https://example.com/");
        if TLS {
            assert!(r.is_ok());
        } else {
            let err = r.unwrap_err().to_string();
            assert!(err.contains("--features tls"), "{err}");
        }
    }

    #[test]
    fn bad_urls_are_invalid() {
        assert_eq!(
            check_url("not a url").unwrap_err().kind(),
            ErrorKind::Invalid
        );
        assert_eq!(
            check_url("ftp://x/").unwrap_err().kind(),
            ErrorKind::Invalid
        );
        assert!(check_url("http://127.0.0.1:1/").is_ok());
    }

    #[test]
    fn transient_errors_are_retried_others_are_not() {
        assert!(FetchError::Status(503).is_transient());
        assert!(FetchError::Timeout(Duration::from_millis(1)).is_transient());
        assert!(!FetchError::Status(404).is_transient());
        assert!(!FetchError::Invalid("x".into()).is_transient());
    }
}

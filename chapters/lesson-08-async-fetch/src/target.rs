//! Where the demos fetch from: the embedded server (the default), or one
//! URL the user gives with `--url`. Traffic goes to 127.0.0.1 or to that URL,
//! nowhere else.

use std::time::Duration;

use reqwest::Client;

use crate::fetch::{FetchError, check_url, loopback_client, user_client};
use crate::server::{ServerConfig, TestServer};

/// The embedded server, or a URL of the user's.
#[derive(Debug)]
pub enum Target {
    /// A server of ours on 127.0.0.1 (faults and counters included).
    Embedded(TestServer),
    /// The user's URL: every request fetches exactly this URL.
    Url(String),
}

impl Target {
    /// The user's URL if one was given (checked: http, or https with the
    /// `tls` feature), else a new embedded server with `config`.
    pub async fn new(url: Option<String>, config: ServerConfig) -> Result<Target, TargetError> {
        match url {
            Some(url) => {
                check_url(&url).map_err(TargetError::Url)?;
                Ok(Target::Url(url))
            }
            None => TestServer::start(config)
                .await
                .map(Target::Embedded)
                .map_err(TargetError::Server),
        }
    }

    /// `n` URLs to fetch: `/item/0..n` on the embedded server, or the
    /// user's URL `n` times.
    pub fn urls(&self, n: usize) -> Vec<String> {
        match self {
            Target::Embedded(server) => server.urls(n),
            Target::Url(url) => vec![url.clone(); n],
        }
    }

    /// A client suited to the target, with an optional per-request timeout.
    pub fn client(&self, timeout: Option<Duration>) -> Client {
        match self {
            Target::Embedded(_) => loopback_client(timeout),
            Target::Url(_) => user_client(timeout),
        }
    }

    /// The embedded server, whose counters the demos print.
    pub fn server(&self) -> Option<&TestServer> {
        match self {
            Target::Embedded(server) => Some(server),
            Target::Url(_) => None,
        }
    }

    /// One line saying what is being fetched.
    pub fn describe(&self) -> String {
        match self {
            Target::Embedded(server) => {
                let c = server.config();
                let mut text = format!(
                    "embedded server at {} (latency {} ms",
                    server.url(),
                    c.latency.as_millis()
                );
                if !c.jitter.is_zero() {
                    text += &format!(" + up to {} ms per path", c.jitter.as_millis());
                }
                if c.fail_rate > 0.0 {
                    text += &format!(", {:.0}% of paths fail", c.fail_rate * 100.0);
                }
                if c.stall_rate > 0.0 {
                    text += &format!(", {:.0}% of paths stall", c.stall_rate * 100.0);
                }
                if c.fail_first > 0 {
                    text += &format!(", first {} tries of each path fail", c.fail_first);
                }
                text + ")"
            }
            Target::Url(url) => format!("{url} (your URL)"),
        }
    }
}

/// Why a target could not be set up.
#[derive(Debug)]
pub enum TargetError {
    /// The user's URL cannot be fetched by this build.
    Url(FetchError),
    /// The embedded server did not start.
    Server(std::io::Error),
}

impl std::fmt::Display for TargetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TargetError::Url(e) => write!(f, "{e}"),
            TargetError::Server(e) => write!(f, "the embedded server did not start: {e}"),
        }
    }
}

impl std::error::Error for TargetError {}

//! The world the pipeline fetches from: lesson 08's embedded HTTP server (the
//! shared `loopback-http` crate) on 127.0.0.1, with a latency, a body size,
//! failing paths, and optionally one
//! URL that answers 403 (a fatal error) and one that never answers; and the
//! list of URLs to fetch.

use std::io;
use std::time::Duration;

use loopback_http::server::{ServerConfig, TestServer};

/// What to fetch, and how the server behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// URLs in the list.
    pub items: usize,
    /// Every answer waits this long.
    pub latency: Duration,
    /// Bytes per body.
    pub body_bytes: usize,
    /// Fraction of paths that answer 500 (a non-fatal error).
    pub fail_rate: f64,
    /// This item's URL answers 403 (a fatal error).
    pub fatal_at: Option<usize>,
    /// This item's URL never answers (until the request's time limit).
    pub stall_at: Option<usize>,
}

impl Scenario {
    /// `items` URLs, 20 ms latency, 4 KiB bodies, no faults.
    pub fn new(items: usize) -> Self {
        Self {
            items,
            latency: Duration::from_millis(20),
            body_bytes: 4 << 10,
            fail_rate: 0.0,
            fatal_at: None,
            stall_at: None,
        }
    }

    /// The path of item `i`: `/item/i`; `/status/403/item/i` for the fatal
    /// one; `/stall/item/i` for the one that never answers.
    pub fn path(&self, i: usize) -> String {
        if self.fatal_at == Some(i) {
            format!("/status/403/item/{i}")
        } else if self.stall_at == Some(i) {
            format!("/stall/item/{i}")
        } else {
            format!("/item/{i}")
        }
    }

    /// Starts the server (one thread of its own) and lists the URLs.
    pub fn start(&self) -> io::Result<Running> {
        let config = ServerConfig::default()
            .latency(self.latency)
            .body_bytes(self.body_bytes)
            .fail_rate(self.fail_rate)
            .workers(1);
        let server = TestServer::start_blocking(config)?;
        let urls = (0..self.items)
            .map(|i| server.url_for(&self.path(i)))
            .collect();
        Ok(Running { server, urls })
    }
}

/// A started scenario: the server (shut down when dropped) and the URLs.
#[derive(Debug)]
pub struct Running {
    pub server: TestServer,
    pub urls: Vec<String>,
}

impl Running {
    /// `n` URLs that always answer 200, outside the list: for measuring
    /// one fetch alone.
    pub fn samples(&self, n: usize) -> Vec<String> {
        (0..n)
            .map(|i| self.server.url_for(&format!("/ok/sample/{i}")))
            .collect()
    }
}

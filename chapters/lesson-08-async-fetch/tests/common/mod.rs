//! Helpers shared by the tests: a time limit that turns a hang into a
//! failure, and the path part of a URL.

#![allow(dead_code)]

use std::time::Duration;

/// How long any test may wait for anything: far longer than it needs, so a
/// bug that hangs fails with a message instead of stalling the suite.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Awaits `f`, or panics with `what` if it takes longer than [`PATIENCE`].
pub async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    match tokio::time::timeout(PATIENCE, f).await {
        Ok(value) => value,
        Err(_) => panic!("{what} did not finish within {PATIENCE:?}: it hangs"),
    }
}

/// `/item/3` from `http://127.0.0.1:PORT/item/3`.
pub fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

//! Retries recover transient failures, give up after the last attempt with
//! the last error, and really wait, longer each time, between attempts.

mod common;

use std::time::Duration;

use common::{ms, path_of, within};
use lesson_08_async_fetch::fetch::{FetchError, fetch, fetch_with_timeout, loopback_client};
use lesson_08_async_fetch::retry::{Backoff, Jitter, Rng, retry};
use lesson_08_async_fetch::robust::{Policy, fetch_all};
use lesson_08_async_fetch::server::{ServerConfig, TestServer, closed_port_url};

fn policy(max_attempts: u32, base: Duration) -> Backoff {
    Backoff {
        max_attempts,
        base,
        factor: 2.0,
        max_delay: Duration::from_secs(1),
        jitter: Jitter::Equal,
    }
}

#[tokio::test]
async fn retries_recover_transient_failures() {
    let server = TestServer::start(ServerConfig::default().fail_first(2))
        .await
        .unwrap();
    let client = loopback_client(None);
    let url = server.url_for("/item/1");
    let out = within(
        "a retried GET",
        retry(&policy(4, ms(10)), &mut Rng::new(1), |_| {
            fetch(&client, &url, None)
        }),
    )
    .await;
    assert_eq!(out.result.unwrap().first_line, "/item/1");
    assert_eq!(out.attempts, 3, "two failures, then success");
    assert_eq!(
        server.attempts("/item/1"),
        3,
        "the server saw three requests"
    );
    assert_eq!(out.delays.len(), 2);
}

#[tokio::test]
async fn retries_give_up_after_max_attempts_with_the_last_error() {
    let server = TestServer::start(ServerConfig::default().fail_first(100))
        .await
        .unwrap();
    let client = loopback_client(None);
    let url = server.url_for("/item/1");
    let out = within(
        "a retried GET",
        retry(&policy(3, ms(5)), &mut Rng::new(1), |_| {
            fetch(&client, &url, None)
        }),
    )
    .await;
    assert_eq!(out.result, Err(FetchError::Status(503)));
    assert_eq!(out.attempts, 3);
    assert_eq!(server.attempts("/item/1"), 3, "not one request more");
}

#[tokio::test]
async fn errors_that_will_not_go_away_are_not_retried() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let client = loopback_client(None);
    let url = server.url_for("/status/404/gone");
    let out = within(
        "a GET of a missing page",
        retry(&policy(5, ms(5)), &mut Rng::new(1), |_| {
            fetch(&client, &url, None)
        }),
    )
    .await;
    assert_eq!(out.result, Err(FetchError::Status(404)));
    assert_eq!(out.attempts, 1);
    assert_eq!(server.attempts("/status/404/gone"), 1);
}

#[tokio::test]
async fn waits_grow_and_really_happen() {
    let server = TestServer::start(ServerConfig::default().fail_first(3))
        .await
        .unwrap();
    let client = loopback_client(None);
    let url = server.url_for("/slowly");
    let out = within(
        "a retried GET",
        retry(&policy(4, ms(20)), &mut Rng::new(9), |_| {
            fetch(&client, &url, None)
        }),
    )
    .await;
    assert!(out.result.is_ok());
    assert_eq!(out.delays.len(), 3);
    assert!(
        out.delays.windows(2).all(|w| w[0] <= w[1]),
        "equal jitter: waits never shrink: {:?}",
        out.delays
    );
    assert!(
        out.delays[2] > out.delays[0],
        "and they grow: {:?}",
        out.delays
    );
    // The server saw each retry at least the wait after the attempt before.
    let arrivals = server.arrivals("/slowly");
    for (i, wait) in out.delays.iter().enumerate() {
        let gap = arrivals[i + 1] - arrivals[i];
        assert!(
            gap >= *wait,
            "retry {} came {gap:?} after, but the wait was {wait:?}",
            i + 1
        );
    }
}

#[tokio::test]
async fn a_stalled_attempt_times_out_and_is_retried() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let client = loopback_client(None);
    let url = server.url_for("/stall/x");
    let out = within(
        "retried stalled GETs",
        retry(&policy(2, ms(5)), &mut Rng::new(1), |_| {
            fetch_with_timeout(&client, &url, ms(100))
        }),
    )
    .await;
    assert_eq!(out.result, Err(FetchError::Timeout(ms(100))));
    assert_eq!((out.attempts, server.attempts("/stall/x")), (2, 2));
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_reported() {
    let client = loopback_client(None);
    let url = closed_port_url().unwrap();
    let out = within(
        "retried GETs to a closed port",
        retry(&policy(3, ms(5)), &mut Rng::new(1), |_| {
            fetch(&client, &url, None)
        }),
    )
    .await;
    assert!(
        matches!(out.result, Err(FetchError::Connect(_))),
        "{:?}",
        out.result
    );
    assert_eq!(out.attempts, 3);
}

#[tokio::test]
async fn the_robust_fetcher_retries_each_url_and_keeps_the_bound() {
    let server = TestServer::start(ServerConfig::default().latency(ms(5)).fail_first(1))
        .await
        .unwrap();
    let client = loopback_client(None);
    let urls = server.urls(60);
    let policy = Policy {
        limit: 4,
        timeout: Duration::from_secs(5),
        backoff: policy(3, ms(5)),
    };
    let outcomes = within("fetch_all", fetch_all(&client, &urls, policy)).await;
    for (url, out) in urls.iter().zip(&outcomes) {
        assert_eq!(out.result.as_ref().unwrap().first_line, path_of(url));
        assert_eq!(out.attempts, 2, "{url}");
        assert_eq!(server.attempts(path_of(url)), 2);
    }
    assert!(
        server.stats().peak_in_flight <= 4,
        "retries stay within the bound"
    );
}

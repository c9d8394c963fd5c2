//! Bounded concurrency: the server never sees more requests at once than
//! the limit, however many URLs there are, and every result comes back.

mod common;

use common::{ms, path_of, within};
use lesson_08_async_fetch::bounded::{Bound, Deadline};
use lesson_08_async_fetch::fetch::loopback_client;
use lesson_08_async_fetch::server::{ServerConfig, TestServer};

const LIMIT: usize = 7;

async fn stress(bound: Bound) {
    // Short, uneven answers: requests finish and start all the time.
    let server = TestServer::start(ServerConfig::default().latency(ms(2)).jitter(ms(8)))
        .await
        .unwrap();
    let client = loopback_client(None);
    let urls = server.urls(400);
    let results = within(
        "400 bounded GETs",
        bound.run(&client, &urls, LIMIT, Deadline::None),
    )
    .await;
    for (url, r) in urls.iter().zip(&results) {
        assert_eq!(
            r.as_ref().unwrap().first_line,
            path_of(url),
            "{bound:?}: in order"
        );
    }
    let peak = server.stats().peak_in_flight;
    assert!(
        peak <= LIMIT,
        "{bound:?}: the server saw {peak} at once, limit {LIMIT}"
    );
    assert!(
        peak > 1,
        "{bound:?}: the requests did overlap (peak {peak})"
    );
    assert_eq!(server.stats().requests, 400);
}

#[tokio::test]
async fn a_semaphore_never_lets_more_than_the_limit_through() {
    stress(Bound::Semaphore).await;
}

#[tokio::test]
async fn buffer_unordered_never_polls_more_than_the_limit() {
    stress(Bound::BufferUnordered).await;
}

#[tokio::test]
async fn the_bound_is_reached_when_answers_are_slow() {
    let server = TestServer::start(ServerConfig::default().latency(ms(300)))
        .await
        .unwrap();
    let client = loopback_client(None);
    let urls = server.urls(3 * LIMIT);
    for bound in [Bound::Semaphore, Bound::BufferUnordered] {
        server.reset_peak();
        let results = within(
            "bounded GETs",
            bound.run(&client, &urls, LIMIT, Deadline::None),
        )
        .await;
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(
            server.stats().peak_in_flight,
            LIMIT,
            "{bound:?}: exactly the limit at once"
        );
    }
}

#[tokio::test]
async fn without_a_bound_everything_is_in_flight_at_once() {
    let server = TestServer::start(ServerConfig::default().latency(ms(500)))
        .await
        .unwrap();
    let client = loopback_client(None);
    let urls = server.urls(30);
    let results = within(
        "30 GETs",
        Bound::Unbounded.run(&client, &urls, 1, Deadline::None),
    )
    .await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.stats().peak_in_flight, 30);
}

//! Timeouts fire on stalled answers and are reported as timeouts; without
//! one, the batch never finishes (we only watch it for a while).

mod common;

use common::{ms, path_of, within};
use lesson_08_async_fetch::bounded::{Deadline, with_semaphore};
use lesson_08_async_fetch::fetch::{ErrorKind, FetchError, loopback_client, user_client};
use lesson_08_async_fetch::server::{Fault, ServerConfig, TestServer, closed_port_url};
use lesson_08_async_fetch::timeouts::{Limit, fetch_limited};

fn stalling() -> ServerConfig {
    ServerConfig::default().latency(ms(10)).stall_rate(0.3)
}

async fn check(limit: Limit) {
    let server = TestServer::start(stalling()).await.unwrap();
    let urls = server.urls(20);
    let run = within(
        "a batch with timeouts",
        fetch_limited(loopback_client, &urls, limit),
    )
    .await;
    let results = run
        .results
        .as_ref()
        .expect("a batch with timeouts finishes");
    let mut stalls = 0;
    for (url, r) in urls.iter().zip(results) {
        if server.fault_for(path_of(url)) == Fault::Stall {
            stalls += 1;
            assert_eq!(
                r.as_ref().unwrap_err().kind(),
                ErrorKind::Timeout,
                "{url}: {r:?}"
            );
        } else {
            assert!(r.is_ok(), "{url}: {r:?}");
        }
    }
    assert!(stalls > 0, "20 paths at 30% include stalls");
    assert_eq!(run.timeouts(), stalls);
}

#[tokio::test]
async fn tokio_timeout_reports_stalls_as_timeouts() {
    check(Limit::Tokio(ms(200))).await;
}

#[tokio::test]
async fn reqwest_timeout_reports_stalls_as_timeouts() {
    check(Limit::Reqwest(ms(200))).await;
}

#[tokio::test]
async fn without_a_timeout_the_batch_is_still_waiting() {
    let server = TestServer::start(stalling()).await.unwrap();
    let urls = server.urls(20);
    let run = within(
        "watching",
        fetch_limited(loopback_client, &urls, Limit::Nothing { watch: ms(300) }),
    )
    .await;
    assert!(
        run.results.is_none(),
        "one stalled answer keeps gather waiting"
    );
    assert!(run.elapsed >= ms(300));
}

#[tokio::test]
async fn a_timeout_is_reported_with_its_limit() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let urls = vec![server.url_for("/stall/1")];
    let client = loopback_client(None);
    let results = within(
        "a stalled GET",
        with_semaphore(&client, &urls, 1, Deadline::Each(ms(50))),
    )
    .await;
    assert_eq!(results, [Err(FetchError::Timeout(ms(50)))]);
}

#[tokio::test]
async fn a_closed_port_is_refused_not_waited_for() {
    let urls = vec![closed_port_url().unwrap(); 3];
    let run = within(
        "GETs to a closed port",
        fetch_limited(
            user_client,
            &urls,
            Limit::Nothing {
                watch: common::PATIENCE,
            },
        ),
    )
    .await;
    let results = run
        .results
        .expect("refused at once, even without a timeout");
    for r in &results {
        assert_eq!(r.as_ref().unwrap_err().kind(), ErrorKind::Connect, "{r:?}");
    }
}

//! gather: every fetch at once, every result back in input order.

mod common;

use common::{ms, path_of, within};
use lesson_08_async_fetch::fetch::loopback_client;
use lesson_08_async_fetch::gather::{gather, gather_spawned, one_by_one};
use lesson_08_async_fetch::server::{ServerConfig, TestServer};

/// Jitter makes answers come back in a different order than asked.
fn jittery() -> ServerConfig {
    ServerConfig::default().latency(ms(100)).jitter(ms(200))
}

#[tokio::test]
async fn gather_returns_every_result_in_input_order() {
    let server = TestServer::start(jittery()).await.unwrap();
    let client = loopback_client(None);
    let urls = server.urls(12);
    let results = within("gather", gather(&client, &urls, None)).await;
    assert_eq!(results.len(), urls.len());
    for (url, result) in urls.iter().zip(&results) {
        let fetched = result.as_ref().expect("every path answers");
        assert_eq!(
            fetched.first_line,
            path_of(url),
            "result {url} is in its place"
        );
    }
    assert_eq!(
        server.stats().peak_in_flight,
        12,
        "all 12 were in flight at once"
    );
}

#[tokio::test]
async fn a_join_set_puts_results_completing_out_of_order_back_in_order() {
    let server = TestServer::start(jittery()).await.unwrap();
    let client = loopback_client(None);
    let urls = server.urls(12);
    let (results, completion) =
        within("gather_spawned", gather_spawned(&client, &urls, None)).await;
    for (url, result) in urls.iter().zip(&results) {
        assert_eq!(result.as_ref().unwrap().first_line, path_of(url));
    }
    let mut sorted = completion.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        (0..12).collect::<Vec<_>>(),
        "each task completed once"
    );
    // The server's delays say which order they should complete in.
    let delays: Vec<_> = urls
        .iter()
        .map(|u| server.config().delay_for(path_of(u)))
        .collect();
    let mut by_delay: Vec<usize> = (0..12).collect();
    by_delay.sort_by_key(|&i| delays[i]);
    assert_ne!(
        by_delay,
        (0..12).collect::<Vec<_>>(),
        "the jitter reorders these paths (else this test shows nothing)"
    );
    assert_eq!(server.stats().peak_in_flight, 12);
}

#[tokio::test]
async fn one_by_one_never_has_two_in_flight() {
    let server = TestServer::start(ServerConfig::default().latency(ms(20)))
        .await
        .unwrap();
    let client = loopback_client(None);
    let urls = server.urls(5);
    let results = within("one by one", one_by_one(&client, &urls, None)).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(server.stats().peak_in_flight, 1);
}

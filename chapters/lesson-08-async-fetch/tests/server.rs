//! The embedded server does what its configuration says: latency, body
//! size, failing, stalling and transiently failing paths, and it counts.

mod common;

use std::time::{Duration, Instant};

use common::{ms, path_of, within};
use lesson_08_async_fetch::fetch::{
    ErrorKind, FetchError, fetch, fetch_with_timeout, loopback_client,
};
use lesson_08_async_fetch::server::{Fault, ServerConfig, TestServer, closed_port_url};

#[tokio::test]
async fn answers_after_the_latency_with_the_body_size_asked_for() {
    let server = TestServer::start(ServerConfig::default().latency(ms(150)).body_bytes(2_000))
        .await
        .unwrap();
    let client = loopback_client(None);
    let start = Instant::now();
    let got = within("a GET", fetch(&client, &server.url_for("/item/7"), None))
        .await
        .unwrap();
    // A lower bound only: sleeping never ends early, but may end late.
    assert!(start.elapsed() >= ms(150), "answered before the latency");
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, 2_000);
    assert_eq!(got.first_line, "/item/7", "the body starts with the path");
    assert!(
        server.url().starts_with("http://127.0.0.1:"),
        "loopback only"
    );
}

#[tokio::test]
async fn failing_and_stalling_paths_are_the_predicted_ones() {
    let config = ServerConfig::default().fail_rate(0.3).stall_rate(0.2);
    let server = TestServer::start(config).await.unwrap();
    let client = loopback_client(Some(ms(300)));
    let urls = server.urls(40);
    let results = within(
        "40 GETs",
        futures::future::join_all(urls.iter().map(|u| fetch(&client, u, Some(ms(300))))),
    )
    .await;
    let mut seen = [0; 3];
    for (url, result) in urls.iter().zip(&results) {
        match server.fault_for(path_of(url)) {
            Fault::None => {
                assert!(result.is_ok(), "{url}: {result:?}");
                seen[0] += 1;
            }
            Fault::Fail => {
                assert_eq!(result, &Err(FetchError::Status(500)), "{url}");
                seen[1] += 1;
            }
            Fault::Stall => {
                assert_eq!(
                    result.as_ref().unwrap_err().kind(),
                    ErrorKind::Timeout,
                    "{url}"
                );
                seen[2] += 1;
            }
            Fault::Status(code) => panic!("no /status/ paths here, got {code}"),
        }
    }
    assert!(
        seen.iter().all(|&n| n > 0),
        "40 paths cover every fault: {seen:?}"
    );
    let stats = server.stats();
    assert_eq!(stats.requests, 40);
    assert_eq!(
        (stats.ok, stats.failed, stats.stalled),
        (seen[0], seen[1], seen[2])
    );
}

#[tokio::test]
async fn forced_paths_override_the_rates() {
    let server = TestServer::start(ServerConfig::default().fail_rate(1.0))
        .await
        .unwrap();
    let client = loopback_client(None);
    let ok = within("GET /ok/", fetch(&client, &server.url_for("/ok/1"), None)).await;
    assert!(ok.is_ok(), "{ok:?}");
    let failed = within(
        "GET /item/",
        fetch(&client, &server.url_for("/item/1"), None),
    )
    .await;
    assert_eq!(failed, Err(FetchError::Status(500)));
    let missing = within(
        "GET /status/404/",
        fetch(&client, &server.url_for("/status/404/x"), None),
    )
    .await;
    assert_eq!(missing, Err(FetchError::Status(404)));
    let stalled = within(
        "GET /stall/",
        fetch_with_timeout(&client, &server.url_for("/stall/1"), ms(100)),
    )
    .await;
    assert_eq!(stalled, Err(FetchError::Timeout(ms(100))));
}

#[tokio::test]
async fn the_first_k_requests_of_each_path_fail_then_succeed() {
    let server = TestServer::start(ServerConfig::default().fail_first(2))
        .await
        .unwrap();
    let client = loopback_client(None);
    for path in ["/a", "/b"] {
        let url = server.url_for(path);
        for attempt in 1..=4 {
            let r = within("a GET", fetch(&client, &url, None)).await;
            if attempt <= 2 {
                assert_eq!(r, Err(FetchError::Status(503)), "{path} attempt {attempt}");
            } else {
                assert!(r.is_ok(), "{path} attempt {attempt}: {r:?}");
            }
        }
        assert_eq!(server.attempts(path), 4, "attempts are counted per path");
    }
    assert_eq!(server.attempts("/never"), 0);
    let arrivals = server.arrivals("/a");
    assert!(
        arrivals.windows(2).all(|w| w[0] <= w[1]),
        "in arrival order"
    );
}

#[tokio::test]
async fn the_peak_counts_requests_handled_at_the_same_time() {
    // Long enough that 8 requests sent together are all inside at once.
    let server = TestServer::start(ServerConfig::default().latency(ms(1_000)))
        .await
        .unwrap();
    let client = loopback_client(None);
    let urls = server.urls(8);
    let results = within(
        "8 GETs at once",
        futures::future::join_all(urls.iter().map(|u| fetch(&client, u, None))),
    )
    .await;
    assert!(results.iter().all(Result::is_ok));
    let stats = server.stats();
    assert_eq!(stats.peak_in_flight, 8, "all 8 were in the server at once");
    assert_eq!(stats.in_flight, 0, "and none is left");
    server.reset_peak();
    assert_eq!(server.stats().peak_in_flight, 0);
}

#[tokio::test]
async fn hold_until_answers_nobody_before_everybody_arrived() {
    let server = TestServer::start(ServerConfig::default().hold_until(12))
        .await
        .unwrap();
    let client = loopback_client(None);
    let urls = server.urls(12);
    // Started one after another, with no latency: only the hold makes them meet.
    let fetches = urls.iter().map(|u| {
        let client = client.clone();
        let u = u.clone();
        tokio::spawn(async move { fetch(&client, &u, None).await })
    });
    let handles: Vec<_> = fetches.collect();
    for h in handles {
        assert!(within("a held GET", h).await.unwrap().is_ok());
    }
    assert_eq!(
        server.stats().peak_in_flight,
        12,
        "all 12 were held in the server together"
    );
}

#[tokio::test]
async fn dropping_the_server_releases_a_stalled_request() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let url = server.url_for("/stall/forever");
    let client = loopback_client(None); // no timeout: only the shutdown ends it
    let waiting = tokio::spawn(async move { fetch(&client, &url, None).await });
    // Wait until the request is inside the server, then shut the server down.
    within("the stalled request to arrive", async {
        while server.stats().stalled == 0 {
            tokio::time::sleep(ms(5)).await;
        }
    })
    .await;
    drop(server);
    let result = within("the stalled request after shutdown", waiting)
        .await
        .unwrap();
    assert!(
        result.is_err(),
        "a stalled request never gets a 200: {result:?}"
    );
}

#[tokio::test]
async fn a_request_the_client_gave_up_on_stops_counting() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let client = loopback_client(None);
    let url = server.url_for("/stall/gone");
    let r = within("a stalled GET", fetch_with_timeout(&client, &url, ms(100))).await;
    assert_eq!(r, Err(FetchError::Timeout(ms(100))));
    // The client closed the connection; hyper notices and drops the handler.
    within("the server to notice the hang-up", async {
        while server.stats().in_flight > 0 {
            tokio::time::sleep(ms(5)).await;
        }
    })
    .await;
    assert_eq!(server.stats().stalled, 1);
}

#[test]
fn start_blocking_needs_no_runtime() {
    let server = TestServer::start_blocking(ServerConfig::default().workers(1)).unwrap();
    let addr = server.addr();
    let got = lesson_08_async_fetch::scale::get_blocking(addr, "/x", Duration::from_secs(10));
    assert_eq!(got, Ok(64), "the default body is 64 bytes");
    server.shutdown();
}

#[tokio::test]
async fn connection_refused_is_an_error_not_a_hang() {
    let url = closed_port_url().unwrap();
    let client = loopback_client(None);
    let r = within("a GET to a closed port", fetch(&client, &url, None)).await;
    assert_eq!(r.as_ref().unwrap_err().kind(), ErrorKind::Connect, "{r:?}");
    let text = r.unwrap_err().to_string();
    assert!(text.to_lowercase().contains("refused"), "says why: {text}");
}

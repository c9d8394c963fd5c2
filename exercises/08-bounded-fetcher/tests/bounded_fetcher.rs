//! Canonical tests for `bounded-fetcher`, against a local server with
//! injected faults (the lesson's embedded server). Every test has a time
//! limit of its own, so a fetcher that hangs fails with a message.

use std::collections::BTreeMap;
use std::time::Duration;

use bounded_fetcher::{FetchError, Report, client, fetch_all, fetch_one, report};
use loopback_http::server::{Fault, ServerConfig, TestServer, closed_port_url};

/// Far longer than any test needs.
const PATIENCE: Duration = Duration::from_secs(8);
/// The per-request time limit the tests pass in.
const TIMEOUT: Duration = Duration::from_millis(300);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    match tokio::time::timeout(PATIENCE, f).await {
        Ok(value) => value,
        Err(_) => panic!(
            "{what} was still waiting after {PATIENCE:?}: a stalled request must end in FetchError::Timeout"
        ),
    }
}

fn path_of(url: &str) -> &str {
    let rest = url.trim_start_matches("http://");
    &rest[rest.find('/').unwrap_or(rest.len())..]
}

#[tokio::test]
async fn fetch_one_returns_the_body_length() {
    let server = TestServer::start(ServerConfig::default().body_bytes(500))
        .await
        .unwrap();
    let got = within(
        "fetch_one",
        fetch_one(&client(), &server.url_for("/a"), TIMEOUT),
    )
    .await;
    assert_eq!(got, Ok(500), "a 200 answer with a 500-byte body is Ok(500)");
}

#[tokio::test]
async fn fetch_one_reports_status_errors() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let c = client();
    let failed = within(
        "fetch_one",
        fetch_one(&c, &server.url_for("/fail/a"), TIMEOUT),
    )
    .await;
    assert_eq!(
        failed,
        Err(FetchError::Status(500)),
        "a 500 answer is a Status error, not Ok"
    );
    let missing = within(
        "fetch_one",
        fetch_one(&c, &server.url_for("/status/404/a"), TIMEOUT),
    )
    .await;
    assert_eq!(missing, Err(FetchError::Status(404)));
}

#[tokio::test]
async fn fetch_one_times_out_on_a_stalled_answer() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let got = within(
        "fetch_one on a server that never answers",
        fetch_one(&client(), &server.url_for("/stall/a"), TIMEOUT),
    )
    .await;
    assert_eq!(
        got,
        Err(FetchError::Timeout),
        "a server that never answers must give Timeout"
    );
}

#[tokio::test]
async fn fetch_one_times_out_when_the_body_stalls() {
    // A server that sends the status line and headers, 10 of the 100 body
    // bytes it promised, then nothing: the time limit must cover the body
    // too, not only the wait for the headers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/half-a-body", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 1024];
        let _ = socket.read(&mut request).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789";
        let _ = socket.write_all(head.as_bytes()).await;
        tokio::time::sleep(PATIENCE * 2).await; // holds the connection open
    });
    let got = within(
        "fetch_one on an answer whose body stalls",
        fetch_one(&client(), &url, TIMEOUT),
    )
    .await;
    server.abort();
    assert_eq!(
        got,
        Err(FetchError::Timeout),
        "the headers came but the body stalled: the time limit covers the whole answer"
    );
}

#[tokio::test]
async fn fetch_one_reports_a_refused_connection() {
    let url = closed_port_url().unwrap();
    let got = within(
        "fetch_one to a closed port",
        fetch_one(&client(), &url, TIMEOUT),
    )
    .await;
    assert!(
        matches!(got, Err(FetchError::Connect(_))),
        "nothing listens on {url}: expected Connect, got {got:?}"
    );
}

#[tokio::test]
async fn fetch_all_returns_every_result_in_input_order() {
    // Jitter: answers finish in a different order than they were asked for.
    let config = ServerConfig::default()
        .latency(ms(20))
        .jitter(ms(60))
        .fail_rate(0.3);
    let server = TestServer::start(config).await.unwrap();
    let urls = server.urls(40);
    let results = within("fetch_all", fetch_all(&client(), &urls, 8, TIMEOUT)).await;
    assert_eq!(results.len(), 40, "one result per URL");
    for (i, (url, result)) in urls.iter().zip(&results).enumerate() {
        let expected = match server.fault_for(path_of(url)) {
            Fault::Fail => Err(FetchError::Status(500)),
            _ => Ok(64),
        };
        assert_eq!(
            result, &expected,
            "result {i} is not the answer for {url}: keep the results in the order of the URLs"
        );
    }
}

#[tokio::test]
async fn fetch_all_never_exceeds_the_limit() {
    // Many short, uneven requests: a bound that leaks shows up here.
    let server = TestServer::start(ServerConfig::default().latency(ms(2)).jitter(ms(6)))
        .await
        .unwrap();
    let urls = server.urls(300);
    let results = within("fetch_all", fetch_all(&client(), &urls, 5, TIMEOUT)).await;
    assert!(
        results.iter().all(|r| r == &Ok(64)),
        "every request should succeed"
    );
    let peak = server.stats().peak_in_flight;
    assert!(
        peak <= 5,
        "the server handled {peak} requests at once, but the limit is 5"
    );
    assert_eq!(
        server.stats().requests,
        300,
        "each URL is fetched exactly once"
    );
}

#[tokio::test]
async fn fetch_all_uses_the_whole_limit() {
    let server = TestServer::start(ServerConfig::default().latency(ms(400)))
        .await
        .unwrap();
    let urls = server.urls(20);
    let results = within(
        "fetch_all",
        fetch_all(&client(), &urls, 10, Duration::from_secs(5)),
    )
    .await;
    assert!(results.iter().all(|r| r == &Ok(64)));
    assert_eq!(
        server.stats().peak_in_flight,
        10,
        "with 20 slow URLs and limit 10, 10 requests should be in flight at once"
    );
}

#[tokio::test]
async fn fetch_all_times_out_stalled_requests_and_goes_on() {
    let server = TestServer::start(ServerConfig::default().latency(ms(5)).stall_rate(0.25))
        .await
        .unwrap();
    let urls = server.urls(24);
    let results = within(
        "fetch_all with stalled answers",
        fetch_all(&client(), &urls, 6, TIMEOUT),
    )
    .await;
    let mut stalled = 0;
    for (url, result) in urls.iter().zip(&results) {
        if server.fault_for(path_of(url)) == Fault::Stall {
            stalled += 1;
            assert_eq!(result, &Err(FetchError::Timeout), "{url} never answers");
        } else {
            assert_eq!(result, &Ok(64), "{url} answers");
        }
    }
    assert!(stalled > 0);
}

#[tokio::test]
async fn a_stalled_request_holds_one_slot_not_the_whole_batch() {
    // Ten groups of one stalled URL and four quick ones, limit 5. A sliding
    // window keeps the quick ones flowing past the stalled ones: about two
    // time limits in all. Fetching in chunks of `limit` and waiting for each
    // whole chunk waits out one time limit per chunk: ten of them.
    let server = TestServer::start(ServerConfig::default().latency(ms(5)))
        .await
        .unwrap();
    let mut urls = Vec::new();
    for group in 0..10 {
        urls.push(server.url_for(&format!("/stall/{group}")));
        for i in 0..4 {
            urls.push(server.url_for(&format!("/item/{group}-{i}")));
        }
    }
    let started = std::time::Instant::now();
    let results = within(
        "fetch_all with a stalled URL in every group of five",
        fetch_all(&client(), &urls, 5, TIMEOUT),
    )
    .await;
    let took = started.elapsed();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 40);
    if took >= ms(2_000) {
        panic!(
            "50 URLs, 10 of them stalling for the {TIMEOUT:?} limit, took {took:?} with limit 5: \
             {}",
            why_quick_urls_waited(&server).await
        );
    }
}

/// Why quick URLs waited behind a stalled one, told apart by when they
/// reached the server: limit 2 and the URLs quick, stalled, quick, quick.
///
/// - a sliding window starts the second quick URL as soon as the first
///   ends, and the third as soon as the second ends: all within milliseconds;
/// - `buffered` (in order) starts the second at once too, but then waits:
///   the finished second URL still holds a slot, behind the stalled one
///   whose result must come out first;
/// - groups of `limit` start the second quick URL only when the whole first
///   group, stalled URL included, has ended.
async fn why_quick_urls_waited(server: &TestServer) -> String {
    let urls: Vec<String> = ["/why/0", "/stall/why", "/why/2", "/why/3"]
        .iter()
        .map(|p| server.url_for(p))
        .collect();
    let _ = tokio::time::timeout(PATIENCE, fetch_all(&client(), &urls, 2, TIMEOUT)).await;
    let first = |p: &str| server.arrivals(p).first().copied();
    let late = TIMEOUT / 2;
    let sliding = "start the next URL as soon as any request ends (`buffer_unordered`, or a \
        Semaphore that each request holds while it runs)";
    match (first("/why/0"), first("/why/2"), first("/why/3")) {
        (Some(t0), Some(t2), Some(t3)) if t2 < t0 + late && t3 >= t0 + late => format!(
            "quick requests that had finished waited behind a stalled one. `buffered(limit)` \
             does this: it hands out results in input order, so a finished request keeps its \
             slot until every request before it is done, and one stalled request holds up \
             everything behind it (head-of-line blocking). Use `buffer_unordered(limit)`, with \
             each future returning its index along with its result, and put the results back \
             in input order at the end: {sliding}"
        ),
        (Some(t0), Some(t2), _) if t2 >= t0 + late => format!(
            "the next URL started only when a whole group of `limit` requests had ended, \
             stalled ones included: {sliding}, instead of waiting for a whole group to finish"
        ),
        _ => format!("{sliding}, instead of waiting for a whole group of `limit` to finish"),
    }
}

#[test]
fn report_counts_each_kind() {
    let results = vec![
        Ok(10),
        Err(FetchError::Status(500)),
        Ok(5),
        Err(FetchError::Timeout),
        Err(FetchError::Status(503)),
        Err(FetchError::Status(500)),
        Err(FetchError::Connect("refused".into())),
        Err(FetchError::Other("broken".into())),
    ];
    let expected = Report {
        ok: 2,
        bytes: 15,
        timeouts: 1,
        status: BTreeMap::from([(500, 2), (503, 1)]),
        connect: 1,
        other: 1,
    };
    assert_eq!(report(&results), expected);
    assert_eq!(
        report(&[]),
        Report::default(),
        "nothing fetched, nothing counted"
    );
}

#[tokio::test]
async fn a_mixed_batch_is_reported_exactly() {
    let config = ServerConfig::default()
        .latency(ms(5))
        .fail_rate(0.2)
        .stall_rate(0.1);
    let server = TestServer::start(config).await.unwrap();
    let mut urls = server.urls(50);
    urls.push(closed_port_url().unwrap());
    let results = within("fetch_all", fetch_all(&client(), &urls, 10, TIMEOUT)).await;
    let count = |f: Fault| {
        urls[..50]
            .iter()
            .filter(|u| server.fault_for(path_of(u)) == f)
            .count()
    };
    let r = report(&results);
    assert_eq!(r.ok, count(Fault::None));
    assert_eq!(r.bytes, 64 * count(Fault::None));
    assert_eq!(r.status.get(&500).copied().unwrap_or(0), count(Fault::Fail));
    assert_eq!(r.timeouts, count(Fault::Stall));
    assert_eq!(r.connect, 1, "the closed port");
    assert_eq!(r.other, 0);
}

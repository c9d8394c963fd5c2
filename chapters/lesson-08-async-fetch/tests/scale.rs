//! The hand-written GET, blocking and async, and the threads and tasks runs.

mod common;

use std::time::Duration;

use common::{ms, within};
use lesson_08_async_fetch::fetch::{ErrorKind, FetchError};
use lesson_08_async_fetch::scale::{get_async, get_blocking, run_reqwest, run_tasks, run_threads};
use lesson_08_async_fetch::server::{ServerConfig, TestServer, closed_port_url};

const LIMIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn the_raw_get_reads_status_and_body() {
    let server = TestServer::start(ServerConfig::default().body_bytes(300))
        .await
        .unwrap();
    let addr = server.addr();
    assert_eq!(within("GET", get_async(addr, "/a", LIMIT)).await, Ok(300));
    assert_eq!(
        within("GET", get_async(addr, "/fail/a", LIMIT)).await,
        Err(FetchError::Status(500))
    );
    assert_eq!(
        within("GET", get_async(addr, "/stall/a", ms(100))).await,
        Err(FetchError::Timeout(ms(100)))
    );
    let blocking = tokio::task::spawn_blocking(move || {
        (
            get_blocking(addr, "/b", LIMIT),
            get_blocking(addr, "/stall/b", ms(100)),
        )
    });
    let (ok, stalled) = within("blocking GETs", blocking).await.unwrap();
    assert_eq!(ok, Ok(300));
    assert_eq!(stalled.unwrap_err().kind(), ErrorKind::Timeout);
}

#[tokio::test]
async fn the_raw_get_to_a_closed_port_is_a_connect_error() {
    let url = closed_port_url().unwrap();
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let r = within("GET", get_async(addr, "/", LIMIT)).await;
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Connect);
    let r = tokio::task::spawn_blocking(move || get_blocking(addr, "/", LIMIT))
        .await
        .unwrap();
    assert_eq!(r.unwrap_err().kind(), ErrorKind::Connect);
}

#[test]
fn threads_and_tasks_have_all_requests_in_flight_at_once() {
    let server = TestServer::start_blocking(ServerConfig::default().latency(ms(1_000))).unwrap();
    let threads = run_threads(server.addr(), 20, LIMIT);
    let threads_peak = server.stats().peak_in_flight;
    server.reset_peak();
    let tasks = run_tasks(server.addr(), 20, LIMIT, 2);
    let tasks_peak = server.stats().peak_in_flight;
    for (run, peak) in [(threads, threads_peak), (tasks, tasks_peak)] {
        assert_eq!((run.ok, run.failed, run.started), (20, 0, 20), "{run:?}");
        assert_eq!(peak, 20, "{}: all 20 at once", run.mode);
        assert!(run.peak_rss_kib >= run.rss_before_kib, "{run:?}");
    }
}

#[test]
fn reqwest_rounds_reuse_one_client_and_keep_the_bound() {
    let server = TestServer::start_blocking(ServerConfig::default().latency(ms(5))).unwrap();
    let runs = run_reqwest(&server.url(), 120, 10, LIMIT, 2, 2);
    assert_eq!(runs.len(), 2);
    for run in &runs {
        assert_eq!((run.ok, run.failed), (120, 0), "{run:?}");
    }
    assert!(
        server.stats().peak_in_flight <= 10,
        "2 shards of 5 never exceed 10"
    );
    assert_eq!(server.stats().requests, 240);
}

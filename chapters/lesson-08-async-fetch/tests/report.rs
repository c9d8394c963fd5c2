//! The error report counts every outcome by kind, exactly.

mod common;

use std::time::Duration;

use common::{ms, path_of, within};
use lesson_08_async_fetch::fetch::{ErrorKind, loopback_client, user_client};
use lesson_08_async_fetch::report::ErrorReport;
use lesson_08_async_fetch::retry::{Backoff, Jitter};
use lesson_08_async_fetch::robust::{Policy, fetch_and_report};
use lesson_08_async_fetch::server::{Fault, ServerConfig, TestServer, closed_port_url};

fn policy(max_attempts: u32) -> Policy {
    Policy {
        limit: 16,
        timeout: ms(200),
        backoff: Backoff {
            max_attempts,
            base: ms(5),
            factor: 2.0,
            max_delay: ms(50),
            jitter: Jitter::Equal,
        },
    }
}

#[tokio::test]
async fn the_report_counts_errors_by_kind() {
    let config = ServerConfig::default()
        .latency(ms(5))
        .fail_rate(0.2)
        .stall_rate(0.1);
    let server = TestServer::start(config).await.unwrap();
    let urls = server.urls(80);
    let expected = |f: Fault| {
        urls.iter()
            .filter(|u| server.fault_for(path_of(u)) == f)
            .count()
    };
    let (ok, failing, stalling) = (
        expected(Fault::None),
        expected(Fault::Fail),
        expected(Fault::Stall),
    );
    assert!(failing > 0 && stalling > 0);

    let client = loopback_client(None);
    let report = within(
        "fetch_and_report",
        fetch_and_report(&client, &urls, policy(2)),
    )
    .await;
    assert_eq!(report.ok, ok);
    assert_eq!(report.count(ErrorKind::Status(500)), failing);
    assert_eq!(report.count(ErrorKind::Timeout), stalling);
    assert_eq!(report.failed(), failing + stalling);
    assert_eq!(report.total(), 80);
    assert_eq!(report.bytes, ok * 64);
    // Good paths take one attempt; failing ones use all of theirs.
    assert_eq!(report.attempts, ok + 2 * (failing + stalling));
    assert_eq!(server.stats().requests as usize, report.attempts);
    let text = report.table().to_string();
    assert!(
        text.contains("HTTP 500") && text.contains("timeout"),
        "{text}"
    );
}

#[tokio::test]
async fn a_server_that_is_down_gives_a_report_not_a_hang() {
    let urls = vec![closed_port_url().unwrap(); 4];
    let report = within(
        "fetching from a closed port",
        fetch_and_report(&user_client(None), &urls, policy(2)),
    )
    .await;
    assert_eq!(report.ok, 0);
    assert_eq!(report.count(ErrorKind::Connect), 4);
    assert_eq!(report.attempts, 8, "connection errors are retried");
}

#[test]
fn an_empty_batch_is_an_empty_report() {
    let report = ErrorReport::from_results([]);
    assert_eq!((report.ok, report.failed(), report.total()), (0, 0, 0));
    assert_eq!(report.elapsed, Duration::ZERO);
}

//! Canonical tests for `retry-backoff`, against a local server that fails
//! the first requests of every path and records when each one arrived.

use std::time::Duration;

use loopback_http::server::{ServerConfig, TestServer, closed_port_url};
use retry_backoff::{Backoff, FetchError, Outcome, client, get_with_retry};

const PATIENCE: Duration = Duration::from_secs(8);
const TIMEOUT: Duration = Duration::from_secs(2);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn policy(max_attempts: u32, base_ms: u64) -> Backoff {
    Backoff {
        max_attempts,
        base: ms(base_ms),
        max_delay: ms(1_000),
    }
}

async fn within(what: &str, f: impl Future<Output = Outcome>) -> Outcome {
    match tokio::time::timeout(PATIENCE, f).await {
        Ok(outcome) => outcome,
        Err(_) => panic!(
            "{what} was still running after {PATIENCE:?}: does every attempt have a timeout, and does the loop end?"
        ),
    }
}

#[test]
fn ceilings_double_up_to_the_cap() {
    let b = Backoff {
        max_attempts: 10,
        base: ms(50),
        max_delay: ms(500),
    };
    let got: Vec<Duration> = (1..=6).map(|r| b.ceiling(r)).collect();
    assert_eq!(got, [ms(50), ms(100), ms(200), ms(400), ms(500), ms(500)]);
    assert_eq!(
        b.ceiling(200),
        ms(500),
        "a huge retry number is capped, not an overflow"
    );
}

#[test]
fn delays_use_equal_jitter() {
    let b = policy(5, 100);
    assert_eq!(b.delay(1, 0.0), ms(50), "no jitter: half the ceiling");
    assert_eq!(
        b.delay(2, 0.5),
        ms(150),
        "half of the other half: 100 + 50 ms"
    );
    for retry in 1..=8 {
        for jitter in [0.0, 0.3, 0.99] {
            let (d, c) = (b.delay(retry, jitter), b.ceiling(retry));
            assert!(
                d >= c / 2 && d <= c,
                "retry {retry}, jitter {jitter}: {d:?} not within [{:?}, {c:?}]",
                c / 2
            );
        }
        if b.ceiling(retry + 1) == 2 * b.ceiling(retry) {
            assert!(
                b.delay(retry + 1, 0.0) >= b.delay(retry, 0.99),
                "below the cap, waits never shrink (retry {retry})"
            );
        }
    }
}

#[test]
fn transient_errors_are_the_ones_worth_retrying() {
    for e in [
        FetchError::Timeout,
        FetchError::Connect("refused".into()),
        FetchError::Status(500),
        FetchError::Status(503),
        FetchError::Status(429),
    ] {
        assert!(e.is_transient(), "{e:?} may go away: retry it");
    }
    for e in [
        FetchError::Status(404),
        FetchError::Status(400),
        FetchError::Other("?".into()),
    ] {
        assert!(!e.is_transient(), "{e:?} will not go away: do not retry it");
    }
}

#[tokio::test]
async fn retries_recover_transient_failures() {
    let server = TestServer::start(ServerConfig::default().fail_first(2))
        .await
        .unwrap();
    let url = server.url_for("/item/1");
    let out = within(
        "get_with_retry",
        get_with_retry(&client(), &url, &policy(4, 10), TIMEOUT, &mut || 0.5),
    )
    .await;
    let body = out.result.expect("the third attempt succeeds");
    assert!(
        body.starts_with("/item/1\n"),
        "the body of the answer: {body:?}"
    );
    assert_eq!(out.attempts, 3, "two failures and one success");
    assert_eq!(
        server.attempts("/item/1"),
        3,
        "the server saw exactly three requests"
    );
    assert_eq!(out.delays.len(), 2, "one wait before each retry");
}

#[tokio::test]
async fn retries_give_up_after_max_attempts_with_the_last_error() {
    let server = TestServer::start(ServerConfig::default().fail_first(100))
        .await
        .unwrap();
    let url = server.url_for("/item/2");
    let out = within(
        "get_with_retry",
        get_with_retry(&client(), &url, &policy(3, 5), TIMEOUT, &mut || 0.0),
    )
    .await;
    assert_eq!(
        out.result,
        Err(FetchError::Status(503)),
        "the last attempt's error"
    );
    assert_eq!(out.attempts, 3);
    assert_eq!(
        server.attempts("/item/2"),
        3,
        "not one request more than max_attempts"
    );
    assert_eq!(out.delays.len(), 2, "no wait after the last attempt");
}

#[tokio::test]
async fn a_first_success_makes_one_attempt() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let url = server.url_for("/fine");
    let out = within(
        "get_with_retry",
        get_with_retry(&client(), &url, &policy(5, 5), TIMEOUT, &mut || 0.0),
    )
    .await;
    assert!(out.result.is_ok());
    assert_eq!((out.attempts, out.delays.len()), (1, 0));
    assert_eq!(server.attempts("/fine"), 1);
}

#[tokio::test]
async fn errors_that_will_not_go_away_are_not_retried() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let url = server.url_for("/status/404/gone");
    let out = within(
        "get_with_retry",
        get_with_retry(&client(), &url, &policy(5, 5), TIMEOUT, &mut || 0.0),
    )
    .await;
    assert_eq!(out.result, Err(FetchError::Status(404)));
    assert_eq!(out.attempts, 1, "a 404 is final: no retry");
    assert_eq!(server.attempts("/status/404/gone"), 1);
}

#[tokio::test]
async fn waits_grow_and_are_really_waited() {
    let server = TestServer::start(ServerConfig::default().fail_first(3))
        .await
        .unwrap();
    let url = server.url_for("/slow");
    let out = within(
        "get_with_retry",
        get_with_retry(&client(), &url, &policy(4, 40), TIMEOUT, &mut || 0.5),
    )
    .await;
    assert!(out.result.is_ok());
    assert_eq!(
        out.delays,
        [ms(30), ms(60), ms(120)],
        "3/4 of 40, 80, 160 ms with jitter 0.5"
    );
    let arrivals = server.arrivals("/slow");
    assert_eq!(arrivals.len(), 4);
    for (i, wait) in out.delays.iter().enumerate() {
        let gap = arrivals[i + 1] - arrivals[i];
        assert!(
            gap >= *wait,
            "retry {} reached the server {gap:?} after attempt {}, but the wait was {wait:?}: wait before retrying",
            i + 1,
            i + 1
        );
    }
}

#[tokio::test]
async fn other_tasks_keep_running_during_the_waits() {
    // `#[tokio::test]` runs everything on one thread. A ticker task beside
    // the retries can only tick while the retry loop waits without blocking
    // that thread (`tokio::time::sleep`, not `std::thread::sleep`).
    let server = TestServer::start(ServerConfig::default().fail_first(2))
        .await
        .unwrap();
    let url = server.url_for("/busy");
    let done = std::sync::atomic::AtomicBool::new(false);
    let ticker = async {
        let mut ticks = 0;
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            tokio::time::sleep(ms(10)).await;
            ticks += 1;
        }
        ticks
    };
    let retries = async {
        // Waits of 150 ms and 300 ms (half of 300 and 600, jitter 0).
        let out = get_with_retry(&client(), &url, &policy(3, 300), TIMEOUT, &mut || 0.0).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        out
    };
    let (out, ticks) = tokio::time::timeout(PATIENCE, async { tokio::join!(retries, ticker) })
        .await
        .expect("get_with_retry and the ticker did not finish");
    assert!(out.result.is_ok(), "{:?}", out.result);
    assert!(
        ticks >= 10,
        "a task beside the retries ticked {ticks} times in about 450 ms of waiting: the \
         waits block the thread. Use tokio::time::sleep(...).await, not std::thread::sleep"
    );
}

#[tokio::test]
async fn the_wait_is_the_jittered_delay_not_the_ceiling() {
    let server = TestServer::start(ServerConfig::default().fail_first(1))
        .await
        .unwrap();
    let url = server.url_for("/equal-jitter");
    // Ceiling 1 s; with jitter 0 the wait is half of it.
    let out = within(
        "get_with_retry",
        get_with_retry(&client(), &url, &policy(2, 1_000), TIMEOUT, &mut || 0.0),
    )
    .await;
    assert!(out.result.is_ok());
    assert_eq!(out.delays, [ms(500)]);
    let arrivals = server.arrivals("/equal-jitter");
    let gap = arrivals[1] - arrivals[0];
    assert!(
        gap < ms(900),
        "the retry came {gap:?} after the first attempt, though the wait was 500 ms: \
         sleep for the delay you computed, not for the ceiling"
    );
}

#[tokio::test]
async fn jitter_is_drawn_once_per_wait() {
    let server = TestServer::start(ServerConfig::default().fail_first(3))
        .await
        .unwrap();
    let url = server.url_for("/j");
    let mut draws = vec![0.0, 0.5, 0.99];
    let mut next = || draws.remove(0);
    let out = within(
        "get_with_retry",
        get_with_retry(&client(), &url, &policy(4, 20), TIMEOUT, &mut next),
    )
    .await;
    assert!(out.result.is_ok());
    let b = policy(4, 20);
    assert_eq!(
        out.delays,
        [b.delay(1, 0.0), b.delay(2, 0.5), b.delay(3, 0.99)]
    );
}

#[tokio::test]
async fn a_stalled_attempt_times_out_and_is_retried() {
    let server = TestServer::start(ServerConfig::default()).await.unwrap();
    let url = server.url_for("/stall/x");
    let out = within(
        "get_with_retry on a server that never answers",
        get_with_retry(&client(), &url, &policy(2, 5), ms(200), &mut || 0.0),
    )
    .await;
    assert_eq!(
        out.result,
        Err(FetchError::Timeout),
        "an attempt that gets no answer times out"
    );
    assert_eq!(out.attempts, 2);
    assert_eq!(server.attempts("/stall/x"), 2, "the timeout was retried");
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_reported() {
    let url = closed_port_url().unwrap();
    let out = within(
        "get_with_retry to a closed port",
        get_with_retry(&client(), &url, &policy(3, 5), TIMEOUT, &mut || 0.0),
    )
    .await;
    assert!(
        matches!(out.result, Err(FetchError::Connect(_))),
        "{:?}",
        out.result
    );
    assert_eq!(out.attempts, 3);
}

/// A server that answers every request with a 200 and its headers at once,
/// then a few bytes of a 1000-byte body, and then nothing more, holding the
/// connection open. Returns its URL; it serves until the runtime ends.
async fn body_that_stalls() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/stalled-body", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request).await;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n/stalled-body\n")
                .await;
            open.push(stream); // never closed, never finished
        }
    });
    url
}

#[tokio::test]
async fn an_answer_whose_body_stalls_times_out_too() {
    let url = body_that_stalls().await;
    let whole_answer = "the time limit of an attempt is for the whole answer, so put one \
        `tokio::time::timeout` around `send()` and `text()` together (a limit on `send()` alone \
        ends when the headers arrive)";
    // Two attempts of 300 ms and a wait of 5 ms: well under 3 s.
    let (client, policy, mut no_jitter) = (client(), policy(2, 5), || 0.0);
    let run = get_with_retry(&client, &url, &policy, ms(300), &mut no_jitter);
    let out = tokio::time::timeout(Duration::from_secs(3), run)
        .await
        .unwrap_or_else(|_| {
            panic!(
                "get_with_retry with 2 attempts of 300 ms each was still running after 3 s, \
                 on a server that sends the headers of its answer at once and then stalls in \
                 the body: {whole_answer}"
            )
        });
    assert_eq!(
        out.result,
        Err(FetchError::Timeout),
        "the headers of the answer came at once but its body never finished: {whole_answer}"
    );
    assert_eq!(out.attempts, 2, "a timed-out attempt is retried");
}

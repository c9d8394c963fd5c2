//! Retry with exponential backoff and jitter.
//!
//! A server that answers `503 Service Unavailable` or does not answer in time
//! is often fine a moment later. The standard cure, in Python with
//! `tenacity` or by hand, is to try again after a wait that doubles every
//! time (100 ms, 200 ms, 400 ms, ...), up to a cap, with some randomness
//! ("jitter") so that a thousand clients that failed together do not all
//! come back at the same instant:
//!
//! ```python
//! for attempt in range(1, max_attempts + 1):
//!     try:
//!         return await fetch(url)
//!     except TransientError:
//!         if attempt == max_attempts:
//!             raise
//!         ceiling = min(base * 2 ** (attempt - 1), max_delay)
//!         await asyncio.sleep(ceiling / 2 + random.uniform(0, ceiling / 2))
//! ```
//!
//! Here you write it with tokio and reqwest. The tests run it against a
//! local server that fails the first requests of every path, count on the
//! server's side how many attempts arrived and when, and check that you
//! give up after the last attempt with the last error.
//!
//! Replace each `todo!()`. Check your work with
//! `cargo xtask check exercises retry-backoff`; stuck? `cargo xtask hint retry-backoff`.

use std::time::Duration;

use reqwest::Client;

/// How often to try and how long to wait in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The ceiling of the first wait.
    pub base: Duration,
    /// No wait is longer than this.
    pub max_delay: Duration,
}

/// Why one attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// No complete answer within the time limit of the attempt.
    Timeout,
    /// The server answered with a status that is not 2xx.
    Status(u16),
    /// Could not connect: refused, unreachable.
    Connect(String),
    /// Anything else.
    Other(String),
}

/// What [`get_with_retry`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The body of the first successful attempt, or the error of the last one.
    pub result: Result<String, FetchError>,
    /// Attempts made, 1 to `max_attempts`.
    pub attempts: u32,
    /// The waits between attempts, in order: `attempts - 1` of them.
    pub delays: Vec<Duration>,
}

/// A client for the tests' local server (already written for you).
pub fn client() -> Client {
    Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(5))
        .build()
        .expect("a plain http client builds")
}

impl Backoff {
    /// The longest wait before retry number `retry` (1 = the wait after the
    /// first failed attempt): `base`, then twice that, four times, ...,
    /// never more than `max_delay`. `retry` is at least 1.
    ///
    /// ```
    /// use std::time::Duration;
    /// let b = retry_backoff::Backoff {
    ///     max_attempts: 5,
    ///     base: Duration::from_millis(100),
    ///     max_delay: Duration::from_millis(300),
    /// };
    /// assert_eq!(b.ceiling(1), Duration::from_millis(100));
    /// assert_eq!(b.ceiling(2), Duration::from_millis(200));
    /// assert_eq!(b.ceiling(3), Duration::from_millis(300)); // capped
    /// ```
    pub fn ceiling(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(31);
        self.base.saturating_mul(1 << doublings).min(self.max_delay)
    }

    /// The wait before retry number `retry`, with "equal jitter": half the
    /// ceiling for sure, plus `jitter` (a number in 0.0..1.0) times the
    /// other half. Waits then never shrink from one retry to the next, and
    /// clients that failed together come back spread out.
    pub fn delay(&self, retry: u32, jitter: f64) -> Duration {
        let half = self.ceiling(retry) / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

impl FetchError {
    /// Might trying again help? Yes for timeouts, connection errors, `429
    /// Too Many Requests` and any 5xx status; no for everything else (a
    /// `404` stays a `404`).
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Timeout | FetchError::Connect(_) => true,
            FetchError::Status(code) => *code == 429 || *code >= 500,
            FetchError::Other(_) => false,
        }
    }
}

/// GETs `url` until an attempt succeeds (a 2xx answer: its body as text),
/// fails with an error that is not transient, or `policy.max_attempts`
/// attempts have failed, whichever comes first. Each attempt gets `timeout`
/// for the whole answer. Before retry number `n` it waits
/// `policy.delay(n, jitter())`, without blocking the thread: other tasks on
/// the same runtime must go on running during the wait.
pub async fn get_with_retry(
    client: &Client,
    url: &str,
    policy: &Backoff,
    timeout: Duration,
    jitter: &mut dyn FnMut() -> f64,
) -> Outcome {
    let mut delays = Vec::new();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let result = attempt(client, url, timeout).await;
        let done = match &result {
            Ok(_) => true,
            Err(e) => !e.is_transient() || attempts >= policy.max_attempts,
        };
        if done {
            return Outcome {
                result,
                attempts,
                delays,
            };
        }
        let wait = policy.delay(attempts, jitter());
        delays.push(wait);
        tokio::time::sleep(wait).await; // the thread is free for other tasks meanwhile
    }
}

/// One GET with a time limit on the whole answer.
async fn attempt(client: &Client, url: &str, timeout: Duration) -> Result<String, FetchError> {
    let get = async {
        let response = client.get(url).send().await.map_err(sort)?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        response.text().await.map_err(sort)
    };
    tokio::time::timeout(timeout, get)
        .await
        .unwrap_or(Err(FetchError::Timeout))
}

fn sort(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout
    } else if e.is_connect() {
        FetchError::Connect(e.to_string())
    } else {
        FetchError::Other(e.to_string())
    }
}

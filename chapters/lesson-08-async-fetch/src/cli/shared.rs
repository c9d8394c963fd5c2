//! What several demos share: the `--url` and `--latency-ms` flags, the runtime,
//! the target to fetch from, and the small printers of counts, times and errors.

use std::time::Duration;

use anyhow::Result;
use course_support::cli::u64_in;
use course_support::cores;
use lesson_08_async_fetch::fetch::{FetchError, Fetched};
use lesson_08_async_fetch::report::ErrorReport;
use lesson_08_async_fetch::retry::{Backoff, Jitter};
use lesson_08_async_fetch::server::ServerConfig;
use lesson_08_async_fetch::target::Target;

/// `--url`: fetch this instead of the embedded server.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct UrlArg {
    /// Fetch this URL (every request) instead of the embedded server; https needs `--features tls`.
    #[arg(long)]
    pub(crate) url: Option<String>,
}

/// `--latency-ms`: the embedded server's answer time.
#[derive(Debug, Clone, Copy, clap::Args)]
pub(crate) struct Latency {
    /// The embedded server answers after this many milliseconds.
    #[arg(long = "latency-ms", default_value_t = 50, value_parser = u64_in(0..=600_000))]
    pub(crate) ms: u64,
}

impl Latency {
    pub(crate) fn get(self) -> Duration {
        Duration::from_millis(self.ms)
    }
}

/// `--request-timeout-ms`: the client's own limit on each request.
#[derive(Debug, Clone, Copy, clap::Args)]
pub(crate) struct RequestTimeout {
    /// Give up on a request after this many milliseconds (the client's own limit per request).
    #[arg(long, default_value_t = 30_000, value_parser = u64_in(1..=3_600_000))]
    pub(crate) request_timeout_ms: u64,
}

impl RequestTimeout {
    /// The limit the demos use when no flag is given (the tour's).
    pub(crate) const DEFAULT: Duration = Duration::from_secs(30);

    pub(crate) fn get(self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }
}

pub(crate) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores())
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

pub(crate) fn backoff(max_attempts: u32, base: Duration) -> Backoff {
    Backoff {
        max_attempts,
        base,
        factor: 2.0,
        max_delay: Duration::from_secs(2),
        jitter: Jitter::Equal,
    }
}

/// The target, or a clear error for a URL this build cannot fetch.
pub(crate) async fn target(url: Option<String>, config: ServerConfig) -> Result<Target> {
    let target = Target::new(url, config).await?;
    println!("Fetching from {}.", target.describe());
    Ok(target)
}

pub(crate) fn ok_count(results: &[Result<impl Sized, FetchError>]) -> usize {
    results.iter().filter(|r| r.is_ok()).count()
}

pub(crate) fn millis_of(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1e3)
}

/// For runs with failures: one line saying what went wrong, by kind, so a
/// bad `--url` is explained, not just counted.
pub(crate) fn error_note<'a>(results: impl IntoIterator<Item = &'a Result<Fetched, FetchError>>) {
    let report = ErrorReport::from_results(results);
    if report.failed() == 0 {
        return;
    }
    let kinds: Vec<String> = report
        .errors
        .iter()
        .map(|(kind, (n, example))| format!("{kind} x{n} ({example})"))
        .collect();
    println!(
        "{} of {} failed: {}",
        report.failed(),
        report.total(),
        kinds.join("; ")
    );
}

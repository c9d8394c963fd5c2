//! `errors`: every error collected and counted by kind, or a server that is down.

use std::time::Duration;

use anyhow::Result;
use course_support::cli::{fraction, u64_in, usize_in};
use lesson_08_async_fetch::fetch::Fetched;
use lesson_08_async_fetch::gather::timed;
use lesson_08_async_fetch::report::ErrorReport;
use lesson_08_async_fetch::retry::Retried;
use lesson_08_async_fetch::robust::{Policy, fetch_all, report};
use lesson_08_async_fetch::server::{ServerConfig, closed_port_url};
use lesson_08_async_fetch::target::Target;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) url: super::shared::UrlArg,
    /// How many URLs to fetch (with --url: how many times to fetch it).
    #[arg(long, default_value_t = 100, value_parser = usize_in(1..=100_000))]
    pub(crate) requests: usize,
    /// Requests in flight at most.
    #[arg(long, default_value_t = 20, value_parser = usize_in(1..=10_000))]
    pub(crate) limit: usize,
    /// Fraction of paths that always answer 500.
    #[arg(long, default_value_t = 0.1, value_parser = fraction)]
    pub(crate) fail_rate: f64,
    /// Fraction of paths that never answer.
    #[arg(long, default_value_t = 0.05, value_parser = fraction)]
    pub(crate) stall_rate: f64,
    /// Time limit of each attempt, milliseconds.
    #[arg(long, default_value_t = 300, value_parser = u64_in(1..=600_000))]
    pub(crate) timeout_ms: u64,
    /// Attempts per URL, the first included.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub(crate) max_attempts: u32,
    #[command(flatten)]
    pub(crate) latency: super::shared::Latency,
    /// A server that is down: fetch a closed port on 127.0.0.1 instead.
    #[arg(long, conflicts_with = "url")]
    pub(crate) down: bool,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args {
        url,
        requests,
        limit,
        fail_rate,
        stall_rate,
        timeout_ms,
        max_attempts,
        latency,
        down,
    } = args;
    let config = ServerConfig::default()
        .latency(latency.get())
        .fail_rate(fail_rate)
        .stall_rate(stall_rate);
    let policy = Policy {
        limit,
        timeout: super::shared::ms(timeout_ms),
        backoff: super::shared::backoff(max_attempts, super::shared::ms(20)),
    };
    if down {
        super::shared::runtime().block_on(show_refused(requests, policy))
    } else {
        super::shared::runtime().block_on(show(url.url, requests, config, policy))
    }
}

pub(crate) async fn show(
    url: Option<String>,
    n: usize,
    config: ServerConfig,
    policy: Policy,
) -> Result<()> {
    let target = super::shared::target(url, config).await?;
    let urls = target.urls(n);
    let client = target.client(None);
    let outcomes = fetch_all(&client, &urls, policy).await;
    let report = report_of(&outcomes, &target, policy);
    println!("{}", report.table());
    Ok(())
}

pub(crate) fn report_of(
    outcomes: &[Retried<Fetched>],
    target: &Target,
    policy: Policy,
) -> ErrorReport {
    let report = report(outcomes, Duration::ZERO);
    println!(
        "{} URLs, at most {} at once, {} ms per attempt, up to {} attempts: {} ok, {} failed, {} attempts in all.",
        report.total(),
        policy.limit,
        policy.timeout.as_millis(),
        policy.backoff.max_attempts,
        report.ok,
        report.failed(),
        report.attempts
    );
    if let Some(server) = target.server() {
        println!(
            "The server saw {} requests, at most {} at once.",
            server.stats().requests,
            server.stats().peak_in_flight
        );
    }
    report
}

pub(crate) async fn show_refused(n: usize, policy: Policy) -> Result<()> {
    let url = closed_port_url()?;
    println!("A server that is down: {url} (nothing listens there).");
    let target = Target::Url(url);
    let urls = target.urls(n);
    let client = target.client(None);
    let (outcomes, time) = timed(fetch_all(&client, &urls, policy)).await;
    let report = report_of(&outcomes, &target, policy);
    println!("{}", report.table());
    println!(
        "Refused at once, retried, reported in {} ms: an error, not a hang.",
        super::shared::millis_of(time)
    );
    Ok(())
}

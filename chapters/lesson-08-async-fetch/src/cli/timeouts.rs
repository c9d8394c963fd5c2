//! `timeouts`: a limit on each request, the cure for stalls.

use std::time::Duration;

use anyhow::Result;
use course_support::cli::{fraction, u64_in, usize_in};
use course_support::table;
use lesson_08_async_fetch::fetch::FetchError;
use lesson_08_async_fetch::server::{Fault, ServerConfig};
use lesson_08_async_fetch::timeouts::{Limit, fetch_limited};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) url: super::shared::UrlArg,
    /// How many URLs to fetch (with --url: how many times to fetch it).
    #[arg(long, default_value_t = 10, value_parser = usize_in(1..=10_000))]
    pub(crate) requests: usize,
    /// Fraction of paths that never answer.
    #[arg(long, default_value_t = 0.3, value_parser = fraction)]
    pub(crate) stall_rate: f64,
    /// Time limit of each request, milliseconds.
    #[arg(long, default_value_t = 200, value_parser = u64_in(1..=600_000))]
    pub(crate) timeout_ms: u64,
    /// How long to watch the run without a timeout before calling it a hang.
    #[arg(long, default_value_t = 1_000, value_parser = u64_in(1..=600_000))]
    pub(crate) watch_ms: u64,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args {
        url,
        requests,
        stall_rate,
        timeout_ms,
        watch_ms,
    } = args;
    super::shared::runtime().block_on(show(
        url.url,
        requests,
        stall_rate,
        super::shared::ms(timeout_ms),
        super::shared::ms(watch_ms),
    ))
}

pub(crate) async fn show(
    url: Option<String>,
    n: usize,
    stall_rate: f64,
    timeout: Duration,
    watch: Duration,
) -> Result<()> {
    let config = ServerConfig::default()
        .latency(super::shared::ms(20))
        .stall_rate(stall_rate);
    let target = super::shared::target(url, config).await?;
    let urls = target.urls(n);
    if let Some(server) = target.server() {
        let base = server.url();
        let stalls = urls
            .iter()
            .filter(|u| server.fault_for(u.trim_start_matches(&base)) == Fault::Stall)
            .count();
        println!("{stalls} of the {n} paths never answer.");
    }
    let mut t = table(["limit", "ok", "timeouts", "finished", "ms"]);
    let mut last = None;
    for limit in [
        Limit::Nothing { watch },
        Limit::Tokio(timeout),
        Limit::Reqwest(timeout),
    ] {
        let run = fetch_limited(|t| target.client(t), &urls, limit).await;
        let finished = match run.results {
            Some(_) => "yes".to_owned(),
            None => format!("no: still waiting after {} ms", watch.as_millis()),
        };
        t.add_row([
            limit.label(),
            if run.results.is_some() {
                run.ok().to_string()
            } else {
                "-".to_owned()
            },
            run.timeouts().to_string(),
            finished,
            super::shared::millis_of(run.elapsed),
        ]);
        last = run.results;
    }
    println!("{t}");
    let others = last
        .iter()
        .flatten()
        .filter(|r| !matches!(r, Err(FetchError::Timeout(_))));
    super::shared::error_note(others);
    if target.server().is_some() {
        println!("Without a timeout, one stalled answer keeps the whole gather waiting forever.");
    }
    Ok(())
}

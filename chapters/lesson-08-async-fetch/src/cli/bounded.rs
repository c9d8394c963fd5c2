//! `bounded`: at most n requests at once.

use std::time::Duration;

use anyhow::Result;
use course_support::cli::usize_in;
use course_support::table;
use lesson_08_async_fetch::bounded::{Bound, Deadline};
use lesson_08_async_fetch::gather::timed;
use lesson_08_async_fetch::server::ServerConfig;
use lesson_08_async_fetch::system::check_nofile;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) url: super::shared::UrlArg,
    /// How many URLs to fetch (with --url: how many times to fetch it).
    #[arg(long, default_value_t = 100, value_parser = usize_in(1..=100_000))]
    pub(crate) requests: usize,
    /// Requests in flight at most.
    #[arg(long, default_value_t = 10, value_parser = usize_in(1..=10_000))]
    pub(crate) limit: usize,
    #[command(flatten)]
    pub(crate) latency: super::shared::Latency,
    #[command(flatten)]
    pub(crate) request_timeout: super::shared::RequestTimeout,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args {
        url,
        requests,
        limit,
        latency,
        request_timeout,
    } = args;
    super::shared::runtime().block_on(show(
        url.url,
        requests,
        limit,
        latency.get(),
        request_timeout.get(),
    ))
}

pub(crate) async fn show(
    url: Option<String>,
    n: usize,
    limit: usize,
    latency: Duration,
    request_timeout: Duration,
) -> Result<()> {
    let target = super::shared::target(url, ServerConfig::default().latency(latency)).await?;
    let urls = target.urls(n);
    let client = target.client(Some(request_timeout));
    if let Err(why) = check_nofile(n) {
        println!("note: {why}");
    }
    if target.server().is_some() {
        println!("{n} requests; the server counts how many it is handling at the same time.");
    }
    let mut t = table([
        "way",
        "limit",
        "ok",
        "server's peak in flight",
        "ms",
        "ideal ms",
    ]);
    let mut last = Vec::new();
    for bound in Bound::ALL {
        let eff_limit = if bound == Bound::Unbounded { n } else { limit };
        if let Some(server) = target.server() {
            server.reset_peak();
        }
        let (results, time) = timed(bound.run(&client, &urls, limit, Deadline::None)).await;
        let rounds = n.div_ceil(eff_limit) as u32;
        t.add_row([
            bound.label().to_owned(),
            eff_limit.to_string(),
            format!("{}/{n}", super::shared::ok_count(&results)),
            target
                .server()
                .map_or("n/a".to_owned(), |s| s.stats().peak_in_flight.to_string()),
            super::shared::millis_of(time),
            target.server().map_or("n/a".to_owned(), |_| {
                super::shared::millis_of(latency * rounds)
            }),
        ]);
        last = results;
    }
    println!("{t}");
    super::shared::error_note(&last);
    if target.server().is_some() {
        println!("The peak is counted by the server: with a bound, it never exceeds the limit.");
    }
    Ok(())
}

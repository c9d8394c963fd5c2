//! `retry`: exponential backoff with jitter against transient failures.

use std::time::Duration;

use anyhow::Result;
use course_support::cli::{u64_in, usize_in};
use course_support::table;
use lesson_08_async_fetch::robust::{Policy, fetch_all};
use lesson_08_async_fetch::server::ServerConfig;
use lesson_08_async_fetch::target::Target;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) url: super::shared::UrlArg,
    /// How many URLs to fetch (with --url: how many times to fetch it).
    #[arg(long, default_value_t = 10, value_parser = usize_in(1..=10_000))]
    pub(crate) requests: usize,
    /// The server fails the first K requests of every path (503).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub(crate) fail_first: u32,
    /// Attempts per URL, the first included.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub(crate) max_attempts: u32,
    /// The first wait, milliseconds; then 2x, 4x, ... with equal jitter.
    #[arg(long, default_value_t = 20, value_parser = u64_in(0..=600_000))]
    pub(crate) base_ms: u64,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args {
        url,
        requests,
        fail_first,
        max_attempts,
        base_ms,
    } = args;
    super::shared::runtime().block_on(show(
        url.url,
        requests,
        fail_first,
        max_attempts,
        super::shared::ms(base_ms),
    ))
}

pub(crate) async fn show(
    url: Option<String>,
    n: usize,
    fail_first: u32,
    max_attempts: u32,
    base: Duration,
) -> Result<()> {
    let config = ServerConfig::default()
        .latency(super::shared::ms(5))
        .fail_first(fail_first);
    let first = super::shared::target(url.clone(), config.clone()).await?;
    let embedded = first.server().is_some();
    // (attempts allowed, target): a fresh server per policy, so that its
    // attempt counts start at zero.
    let mut runs = vec![(max_attempts, first)];
    if embedded && fail_first >= 1 && max_attempts > fail_first {
        // One attempt short of enough.
        runs.push((fail_first, Target::new(url, config).await?));
    }
    let mut t = table([
        "attempts allowed",
        "ok",
        "gave up",
        "requests the server saw",
        "waits of the first URL (ms)",
        "last error",
    ]);
    let compared = runs.len() == 2;
    let mut oks = Vec::new();
    for (attempts, target) in runs {
        let urls = target.urls(n);
        let client = target.client(None);
        let policy = Policy {
            limit: 10,
            timeout: Duration::from_secs(10),
            backoff: super::shared::backoff(attempts, base),
        };
        let outcomes = fetch_all(&client, &urls, policy).await;
        let ok = outcomes.iter().filter(|o| o.result.is_ok()).count();
        oks.push((attempts, ok));
        let waits: Vec<String> = outcomes[0]
            .delays
            .iter()
            .map(|d| super::shared::millis_of(*d))
            .collect();
        let last_error = outcomes
            .iter()
            .find_map(|o| o.result.as_ref().err())
            .map_or("-".to_owned(), |e| e.to_string());
        t.add_row([
            attempts.to_string(),
            format!("{ok}/{n}"),
            (n - ok).to_string(),
            target
                .server()
                .map_or("n/a".to_owned(), |s| s.stats().requests.to_string()),
            if waits.is_empty() {
                "-".to_owned()
            } else {
                waits.join(", ")
            },
            last_error,
        ]);
    }
    println!("{t}");
    if compared {
        let (enough, short) = (oks[0].1, oks[1].1);
        if enough == n && short == 0 {
            println!(
                "Each path fails its first {fail_first} requests: {} attempts recover all of them, {fail_first} give up with the last error.",
                fail_first + 1
            );
        } else {
            println!(
                "Each path fails its first {fail_first} requests; this run {enough}/{n} recovered with {} attempts \
                 and {short}/{n} with {fail_first}: not the all-or-nothing expected.",
                oks[0].0
            );
        }
    }
    println!(
        "Waits double from {} ms, with equal jitter: each is between half and all of its doubling.",
        base.as_millis()
    );
    Ok(())
}

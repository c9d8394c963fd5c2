//! `gather`: asyncio.gather as join_all and JoinSet, against one by one.

use std::time::Duration;

use anyhow::Result;
use course_support::cli::{u64_in, usize_in};
use course_support::table;
use lesson_08_async_fetch::fetch::{FetchError, Fetched};
use lesson_08_async_fetch::gather::{gather, gather_spawned, one_by_one, timed};
use lesson_08_async_fetch::server::ServerConfig;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) url: super::shared::UrlArg,
    /// How many URLs to fetch (with --url: how many times to fetch it).
    #[arg(long, default_value_t = 10, value_parser = usize_in(1..=10_000))]
    pub(crate) requests: usize,
    #[command(flatten)]
    pub(crate) latency: super::shared::Latency,
    /// Extra latency of up to this much, fixed per path, so answers finish out of order.
    #[arg(long, default_value_t = 50, value_parser = u64_in(0..=600_000))]
    pub(crate) jitter_ms: u64,
    #[command(flatten)]
    pub(crate) request_timeout: super::shared::RequestTimeout,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args {
        url,
        requests,
        latency,
        jitter_ms,
        request_timeout,
    } = args;
    super::shared::runtime().block_on(show(
        url.url,
        requests,
        latency.get(),
        super::shared::ms(jitter_ms),
        request_timeout.get(),
    ))
}

pub(crate) async fn show(
    url: Option<String>,
    n: usize,
    latency: Duration,
    jitter: Duration,
    request_timeout: Duration,
) -> Result<()> {
    let target =
        super::shared::target(url, ServerConfig::default().latency(latency).jitter(jitter)).await?;
    let urls = target.urls(n);
    let client = target.client(Some(request_timeout));
    let limit = Some(request_timeout);

    let (seq, seq_time) = timed(one_by_one(&client, &urls, limit)).await;
    let (joined, join_time) = timed(gather(&client, &urls, limit)).await;
    let ((spawned, completion), spawn_time) = timed(gather_spawned(&client, &urls, limit)).await;

    let embedded = target.server().is_some();
    let mut t = table(["way", "ok", "answers in input order", "ms", "vs one by one"]);
    let rows = [
        ("one by one (await in a loop)", &seq, seq_time),
        ("join_all (asyncio.gather)", &joined, join_time),
        ("JoinSet of tasks (create_task)", &spawned, spawn_time),
    ];
    for (name, results, time) in rows {
        t.add_row([
            name.to_owned(),
            format!("{}/{}", super::shared::ok_count(results), urls.len()),
            in_order(results, &urls, embedded),
            super::shared::millis_of(time),
            course_support::ratio(seq_time.as_secs_f64(), time.as_secs_f64()),
        ]);
    }
    println!("{t}");
    super::shared::error_note(joined.iter());
    let shown: Vec<String> = completion.iter().take(12).map(|i| i.to_string()).collect();
    let put_back = match in_order(&spawned, &urls, embedded).as_str() {
        "yes" => "the results were put back in input order",
        "no" => "the results were NOT put back in input order",
        _ => "the order of the results cannot be checked against your URL",
    };
    println!(
        "The JoinSet's tasks completed in the order {}{}; {put_back}.",
        shown.join(", "),
        if completion.len() > 12 { ", ..." } else { "" }
    );
    Ok(())
}

/// "yes" if answer i is for URL i: the embedded server echoes the path.
pub(crate) fn in_order(
    results: &[Result<Fetched, FetchError>],
    urls: &[String],
    embedded: bool,
) -> String {
    if !embedded {
        return "n/a".to_owned();
    }
    let ok = results
        .iter()
        .zip(urls)
        .all(|(r, url)| r.as_ref().is_ok_and(|f| url.ends_with(&f.first_line)));
    if ok { "yes" } else { "no" }.to_owned()
}

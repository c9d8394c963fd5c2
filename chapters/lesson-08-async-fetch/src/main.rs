//! `cargo run -p lesson-08-async-fetch [DEMO]`: with no demo, the guided tour.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand};
use course_support::child::{ROLE_COMMAND, Spawner};
use course_support::interpreter::PythonArgs;
use course_support::report::grouped;
use course_support::{cores, table};
use lesson_08_async_fetch::bench::{
    Batch, PythonClient, has_module, ideal_per_second, python_with_aiohttp, run_python,
};
use lesson_08_async_fetch::blocking::{
    Flavor, Placement, Sleeper, busy_for, heartbeat_during, sleep_tasks,
};
use lesson_08_async_fetch::bounded::{Bound, Deadline};
use lesson_08_async_fetch::fetch::{FetchError, Fetched};
use lesson_08_async_fetch::gather::{gather, gather_spawned, one_by_one, timed};
use lesson_08_async_fetch::report::ErrorReport;
use lesson_08_async_fetch::retry::{Backoff, Jitter, Retried};
use lesson_08_async_fetch::robust::{Policy, fetch_all, report};
use lesson_08_async_fetch::scale::{ClientRun, Mode, client_in_child, run_mode, run_reqwest};
use lesson_08_async_fetch::server::{Fault, ServerConfig, TestServer, closed_port_url};
use lesson_08_async_fetch::system::{check_nofile, cpu_time, mib, raise_nofile};
use lesson_08_async_fetch::target::Target;
use lesson_08_async_fetch::timeouts::{Limit, fetch_limited};

/// asyncio and aiohttp in Rust: tokio and reqwest against an embedded HTTP
/// server (or your --url): gather, bounded concurrency, timeouts, retries,
/// error reports, blocking the event loop, threads vs async, and a benchmark.
#[derive(Debug, Parser)]
#[command(name = "lesson-08-async-fetch")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// asyncio.gather: one by one vs join_all vs a JoinSet of tasks; results in order.
    Gather {
        #[command(flatten)]
        url: UrlArg,
        /// How many URLs to fetch (with --url: how many times to fetch it).
        #[arg(long, default_value_t = 10, value_parser = count(1, 10_000))]
        requests: usize,
        #[command(flatten)]
        latency: Latency,
        /// Extra latency of up to this much, fixed per path, so answers finish out of order.
        #[arg(long, default_value_t = 50, value_parser = millis())]
        jitter_ms: u64,
    },
    /// At most --limit requests at once: tokio Semaphore and buffer_unordered, checked by the server.
    Bounded {
        #[command(flatten)]
        url: UrlArg,
        /// How many URLs to fetch (with --url: how many times to fetch it).
        #[arg(long, default_value_t = 100, value_parser = count(1, 100_000))]
        requests: usize,
        /// Requests in flight at most.
        #[arg(long, default_value_t = 10, value_parser = count(1, 10_000))]
        limit: usize,
        #[command(flatten)]
        latency: Latency,
    },
    /// Stalled answers: no timeout (hangs) vs tokio::time::timeout vs reqwest's timeout.
    Timeouts {
        #[command(flatten)]
        url: UrlArg,
        /// How many URLs to fetch (with --url: how many times to fetch it).
        #[arg(long, default_value_t = 10, value_parser = count(1, 10_000))]
        requests: usize,
        /// Fraction of paths that never answer.
        #[arg(long, default_value_t = 0.3, value_parser = rate)]
        stall_rate: f64,
        /// Time limit of each request, milliseconds.
        #[arg(long, default_value_t = 200, value_parser = millis_min1())]
        timeout_ms: u64,
        /// How long to watch the run without a timeout before calling it a hang.
        #[arg(long, default_value_t = 1_000, value_parser = millis_min1())]
        watch_ms: u64,
    },
    /// Retries with exponential backoff and jitter against a server whose first answers fail.
    Retry {
        #[command(flatten)]
        url: UrlArg,
        /// How many URLs to fetch (with --url: how many times to fetch it).
        #[arg(long, default_value_t = 10, value_parser = count(1, 10_000))]
        requests: usize,
        /// The server fails the first K requests of every path (503).
        #[arg(long, default_value_t = 2, value_parser = RangedU64ValueParser::<u32>::new().range(0..=100))]
        fail_first: u32,
        /// Attempts per URL, the first included.
        #[arg(long, default_value_t = 4, value_parser = RangedU64ValueParser::<u32>::new().range(1..=20))]
        max_attempts: u32,
        /// The first wait, milliseconds; then 2x, 4x, ... with equal jitter.
        #[arg(long, default_value_t = 20, value_parser = millis())]
        base_ms: u64,
    },
    /// The whole robust fetcher: bound + timeout + retries, and a report of errors by kind.
    Errors {
        #[command(flatten)]
        url: UrlArg,
        /// How many URLs to fetch (with --url: how many times to fetch it).
        #[arg(long, default_value_t = 100, value_parser = count(1, 100_000))]
        requests: usize,
        /// Requests in flight at most.
        #[arg(long, default_value_t = 20, value_parser = count(1, 10_000))]
        limit: usize,
        /// Fraction of paths that always answer 500.
        #[arg(long, default_value_t = 0.1, value_parser = rate)]
        fail_rate: f64,
        /// Fraction of paths that never answer.
        #[arg(long, default_value_t = 0.05, value_parser = rate)]
        stall_rate: f64,
        /// Time limit of each attempt, milliseconds.
        #[arg(long, default_value_t = 300, value_parser = millis_min1())]
        timeout_ms: u64,
        /// Attempts per URL, the first included.
        #[arg(long, default_value_t = 3, value_parser = RangedU64ValueParser::<u32>::new().range(1..=20))]
        max_attempts: u32,
        #[command(flatten)]
        latency: Latency,
        /// A server that is down: fetch a closed port on 127.0.0.1 instead.
        #[arg(long, conflicts_with = "url")]
        down: bool,
    },
    /// Blocking the event loop: std::thread::sleep vs tokio::time::sleep vs spawn_blocking.
    Blocking {
        /// How many tasks sleep.
        #[arg(long, default_value_t = 10, value_parser = count(1, 1_000))]
        tasks: usize,
        /// How long each sleeps, milliseconds.
        #[arg(long, default_value_t = 50, value_parser = millis_min1())]
        sleep_ms: u64,
        /// CPU work beside a heartbeat, milliseconds.
        #[arg(long, default_value_t = 200, value_parser = millis_min1())]
        cpu_ms: u64,
    },
    /// Threads vs async tasks at 10 .. 10,000 requests in flight: time and peak memory.
    Threads {
        /// Requests in flight at once, one run per level.
        #[arg(long, value_delimiter = ',', default_values_t = [10, 100, 1_000, 10_000], value_parser = count(1, 50_000))]
        levels: Vec<usize>,
        #[command(flatten)]
        latency: Latency,
    },
    /// The benchmark: 10,000 requests at concurrency 1,000 against a 50 ms server, vs the ideal, and Python.
    Bench {
        /// Requests per round.
        #[arg(long, default_value_t = 10_000, value_parser = count(1, 1_000_000))]
        requests: usize,
        /// Requests in flight at most.
        #[arg(long, default_value_t = 1_000, value_parser = count(1, 20_000))]
        concurrency: usize,
        #[command(flatten)]
        latency: Latency,
        /// Batches of --requests on the same client: the first opens the connections, later ones reuse them.
        #[arg(long, default_value_t = 3, value_parser = count(1, 10))]
        rounds: usize,
        /// Client threads, each with its own current_thread runtime and client [default: cores].
        #[arg(long, value_parser = count(1, 64))]
        client_threads: Option<usize>,
        /// Embedded server threads (1: a current_thread runtime) [default: cores].
        #[arg(long, value_parser = count(1, 64))]
        server_threads: Option<usize>,
        /// Skip the Python side.
        #[arg(long)]
        no_python: bool,
        #[command(flatten)]
        python: PythonArgs,
    },
    /// A child process's role (started by the demos themselves).
    #[command(name = ROLE_COMMAND, hide = true)]
    Child {
        #[command(subcommand)]
        role: Role,
    },
}

#[derive(Debug, Subcommand)]
enum Role {
    /// One client run of threads vs async; prints one JSON line.
    Scale {
        #[arg(long)]
        mode: String,
        #[arg(long)]
        addr: SocketAddr,
        #[arg(long)]
        requests: usize,
        #[arg(long)]
        timeout_ms: u64,
    },
    /// The benchmark's Rust client; prints one JSON line.
    Bench {
        #[arg(long)]
        url: String,
        #[arg(long)]
        requests: usize,
        #[arg(long)]
        concurrency: usize,
        #[arg(long)]
        timeout_ms: u64,
        #[arg(long, default_value_t = 1)]
        rounds: usize,
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
}

/// `--url`: fetch this instead of the embedded server.
#[derive(Debug, Clone, Args)]
struct UrlArg {
    /// Fetch this URL (every request) instead of the embedded server; https needs `--features tls`.
    #[arg(long)]
    url: Option<String>,
}

/// `--latency-ms`: the embedded server's answer time.
#[derive(Debug, Clone, Copy, Args)]
struct Latency {
    /// The embedded server answers after this many milliseconds.
    #[arg(long = "latency-ms", default_value_t = 50, value_parser = millis())]
    ms: u64,
}

impl Latency {
    fn get(self) -> Duration {
        Duration::from_millis(self.ms)
    }
}

fn count(lo: u64, hi: u64) -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::<usize>::new().range(lo..=hi)
}

fn millis() -> RangedU64ValueParser<u64> {
    RangedU64ValueParser::<u64>::new().range(0..=600_000)
}

fn millis_min1() -> RangedU64ValueParser<u64> {
    RangedU64ValueParser::<u64>::new().range(1..=600_000)
}

/// A fraction between 0 and 1.
fn rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("`{text}` is not a fraction between 0 and 1")),
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn main() -> ExitCode {
    quiet_broken_pipe();
    // Every socket is a file: 10,000 connections need more than 1,024.
    raise_nofile();
    let cli = Cli::parse();
    match run(cli.demo.unwrap_or(Demo::Tour)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo run ... | head` closes our stdout early: die quietly like other
/// command-line tools, instead of panicking in `println!`.
fn quiet_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default action of SIGPIPE, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores())
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

fn run(demo: Demo) -> Result<()> {
    match demo {
        Demo::Tour => tour(),
        Demo::Gather {
            url,
            requests,
            latency,
            jitter_ms,
        } => runtime().block_on(show_gather(url.url, requests, latency.get(), ms(jitter_ms))),
        Demo::Bounded {
            url,
            requests,
            limit,
            latency,
        } => runtime().block_on(show_bounded(url.url, requests, limit, latency.get())),
        Demo::Timeouts {
            url,
            requests,
            stall_rate,
            timeout_ms,
            watch_ms,
        } => runtime().block_on(show_timeouts(
            url.url,
            requests,
            stall_rate,
            ms(timeout_ms),
            ms(watch_ms),
        )),
        Demo::Retry {
            url,
            requests,
            fail_first,
            max_attempts,
            base_ms,
        } => runtime().block_on(show_retry(
            url.url,
            requests,
            fail_first,
            max_attempts,
            ms(base_ms),
        )),
        Demo::Errors {
            url,
            requests,
            limit,
            fail_rate,
            stall_rate,
            timeout_ms,
            max_attempts,
            latency,
            down,
        } => {
            let config = ServerConfig::default()
                .latency(latency.get())
                .fail_rate(fail_rate)
                .stall_rate(stall_rate);
            let policy = Policy {
                limit,
                timeout: ms(timeout_ms),
                backoff: backoff(max_attempts, ms(20)),
            };
            if down {
                runtime().block_on(show_refused(requests, policy))
            } else {
                runtime().block_on(show_errors(url.url, requests, config, policy))
            }
        }
        Demo::Blocking {
            tasks,
            sleep_ms,
            cpu_ms,
        } => {
            show_blocking(tasks, ms(sleep_ms), ms(cpu_ms));
            Ok(())
        }
        Demo::Threads { levels, latency } => show_threads(&levels, latency.get()),
        Demo::Bench {
            requests,
            concurrency,
            latency,
            rounds,
            client_threads,
            server_threads,
            no_python,
            python,
        } => bench(BenchArgs {
            requests,
            concurrency,
            latency: latency.get(),
            rounds,
            client_threads: client_threads.unwrap_or_else(cores),
            server_threads: server_threads.unwrap_or_else(cores),
            python: (!no_python).then_some(python),
        }),
        Demo::Child { role } => child(role),
    }
}

fn tour() -> Result<()> {
    println!(
        "Lesson 08: asyncio in Rust, with tokio and reqwest ({} cores here)",
        cores()
    );
    println!("Every request goes to a server inside this program, on 127.0.0.1.");
    let rt = runtime();
    heading("1. gather: everything at once, results in order");
    rt.block_on(show_gather(None, 10, ms(50), ms(50)))?;
    heading("2. Bounded concurrency: at most 10 at once");
    rt.block_on(show_bounded(None, 100, 10, ms(20)))?;
    heading("3. Timeouts against a server that never answers");
    rt.block_on(show_timeouts(None, 10, 0.3, ms(200), ms(500)))?;
    heading("4. Retries with exponential backoff");
    rt.block_on(show_retry(None, 10, 2, 4, ms(20)))?;
    heading("5. Errors collected into a report");
    let config = ServerConfig::default()
        .latency(ms(20))
        .fail_rate(0.1)
        .stall_rate(0.05);
    let policy = Policy {
        limit: 20,
        timeout: ms(300),
        backoff: backoff(3, ms(20)),
    };
    rt.block_on(show_errors(None, 100, config, policy))?;
    println!();
    rt.block_on(show_refused(5, policy))?;
    drop(rt);
    heading("6. Blocking the event loop");
    show_blocking(10, ms(50), ms(200));
    heading("7. Threads vs async");
    show_threads(&[10, 100, 1_000], ms(50))?;
    println!(
        "\n10,000 in flight: `threads`; the benchmark: `cargo run --release -p lesson-08-async-fetch -- bench`."
    );
    println!("Each demo is a subcommand with its own flags (see --help); most take --url URL.");
    Ok(())
}

fn heading(title: &str) {
    println!("\n## {title}\n");
}

fn backoff(max_attempts: u32, base: Duration) -> Backoff {
    Backoff {
        max_attempts,
        base,
        factor: 2.0,
        max_delay: Duration::from_secs(2),
        jitter: Jitter::Equal,
    }
}

/// The target, or a clear error for a URL this build cannot fetch.
async fn target(url: Option<String>, config: ServerConfig) -> Result<Target> {
    let target = Target::new(url, config).await?;
    println!("Fetching from {}.", target.describe());
    Ok(target)
}

fn ok_count(results: &[Result<impl Sized, FetchError>]) -> usize {
    results.iter().filter(|r| r.is_ok()).count()
}

fn millis_of(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1e3)
}

async fn show_gather(
    url: Option<String>,
    n: usize,
    latency: Duration,
    jitter: Duration,
) -> Result<()> {
    let target = target(url, ServerConfig::default().latency(latency).jitter(jitter)).await?;
    let urls = target.urls(n);
    let client = target.client(Some(Duration::from_secs(30)));
    let limit = Some(Duration::from_secs(30));

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
            format!("{}/{}", ok_count(results), urls.len()),
            in_order(results, &urls, embedded),
            millis_of(time),
            course_support::ratio(seq_time.as_secs_f64(), time.as_secs_f64()),
        ]);
    }
    println!("{t}");
    error_note(joined.iter());
    let shown: Vec<String> = completion.iter().take(12).map(|i| i.to_string()).collect();
    println!(
        "The JoinSet's tasks completed in the order {}{}; the results were put back in input order.",
        shown.join(", "),
        if completion.len() > 12 { ", ..." } else { "" }
    );
    Ok(())
}

/// For runs with failures: one line saying what went wrong, by kind, so a
/// bad `--url` is explained, not just counted.
fn error_note<'a>(results: impl IntoIterator<Item = &'a Result<Fetched, FetchError>>) {
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

/// "yes" if answer i is for URL i: the embedded server echoes the path.
fn in_order(results: &[Result<Fetched, FetchError>], urls: &[String], embedded: bool) -> String {
    if !embedded {
        return "n/a".to_owned();
    }
    let ok = results
        .iter()
        .zip(urls)
        .all(|(r, url)| r.as_ref().is_ok_and(|f| url.ends_with(&f.first_line)));
    if ok { "yes" } else { "no" }.to_owned()
}

async fn show_bounded(
    url: Option<String>,
    n: usize,
    limit: usize,
    latency: Duration,
) -> Result<()> {
    let target = target(url, ServerConfig::default().latency(latency)).await?;
    let urls = target.urls(n);
    let client = target.client(Some(Duration::from_secs(30)));
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
            format!("{}/{n}", ok_count(&results)),
            target
                .server()
                .map_or("n/a".to_owned(), |s| s.stats().peak_in_flight.to_string()),
            millis_of(time),
            target
                .server()
                .map_or("n/a".to_owned(), |_| millis_of(latency * rounds)),
        ]);
        last = results;
    }
    println!("{t}");
    error_note(&last);
    if target.server().is_some() {
        println!("The peak is counted by the server: with a bound, it never exceeds the limit.");
    }
    Ok(())
}

async fn show_timeouts(
    url: Option<String>,
    n: usize,
    stall_rate: f64,
    timeout: Duration,
    watch: Duration,
) -> Result<()> {
    let config = ServerConfig::default()
        .latency(ms(20))
        .stall_rate(stall_rate);
    let target = target(url, config).await?;
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
            millis_of(run.elapsed),
        ]);
        last = run.results;
    }
    println!("{t}");
    let others = last
        .iter()
        .flatten()
        .filter(|r| !matches!(r, Err(FetchError::Timeout(_))));
    error_note(others);
    if target.server().is_some() {
        println!("Without a timeout, one stalled answer keeps the whole gather waiting forever.");
    }
    Ok(())
}

async fn show_retry(
    url: Option<String>,
    n: usize,
    fail_first: u32,
    max_attempts: u32,
    base: Duration,
) -> Result<()> {
    let config = ServerConfig::default()
        .latency(ms(5))
        .fail_first(fail_first);
    let first = target(url.clone(), config.clone()).await?;
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
    for (attempts, target) in runs {
        let urls = target.urls(n);
        let client = target.client(None);
        let policy = Policy {
            limit: 10,
            timeout: Duration::from_secs(10),
            backoff: backoff(attempts, base),
        };
        let outcomes = fetch_all(&client, &urls, policy).await;
        let ok = outcomes.iter().filter(|o| o.result.is_ok()).count();
        let waits: Vec<String> = outcomes[0].delays.iter().map(|d| millis_of(*d)).collect();
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
        println!(
            "Each path fails its first {fail_first} requests: {} attempts recover all of them, {fail_first} give up with the last error.",
            fail_first + 1
        );
    }
    println!(
        "Waits double from {} ms, with equal jitter: each is between half and all of its doubling.",
        base.as_millis()
    );
    Ok(())
}

async fn show_errors(
    url: Option<String>,
    n: usize,
    config: ServerConfig,
    policy: Policy,
) -> Result<()> {
    let target = target(url, config).await?;
    let urls = target.urls(n);
    let client = target.client(None);
    let outcomes = fetch_all(&client, &urls, policy).await;
    let report = report_of(&outcomes, &target, policy);
    println!("{}", report.table());
    Ok(())
}

fn report_of(outcomes: &[Retried<Fetched>], target: &Target, policy: Policy) -> ErrorReport {
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

async fn show_refused(n: usize, policy: Policy) -> Result<()> {
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
        millis_of(time)
    );
    Ok(())
}

fn show_blocking(tasks: usize, each: Duration, cpu: Duration) {
    println!(
        "{tasks} tasks each wait {} ms; the runtime's threads run them all.",
        each.as_millis()
    );
    let mut t = table([
        "runtime",
        "how each task waits",
        "ms",
        "ms if serial",
        "most asleep at once",
    ]);
    let runs = [
        (Flavor::CurrentThread, Sleeper::ThreadSleep),
        (Flavor::CurrentThread, Sleeper::TokioSleep),
        (Flavor::CurrentThread, Sleeper::SpawnBlocking),
        (Flavor::MultiThread(2), Sleeper::ThreadSleep),
    ];
    for (flavor, sleeper) in runs {
        let run = sleep_tasks(sleeper, flavor, tasks, each);
        t.add_row([
            flavor.label(),
            sleeper.label().to_owned(),
            millis_of(run.elapsed),
            millis_of(each * tasks as u32),
            run.peak_sleeping.to_string(),
        ]);
    }
    println!("{t}");
    println!(
        "A blocking sleep holds the thread, so tasks on it wait their turn; more workers only divide the damage."
    );
    println!();
    println!(
        "CPU work of {} ms beside a heartbeat task that ticks every 10 ms (current_thread runtime):",
        cpu.as_millis()
    );
    let mut t = table([
        "where the work runs",
        "work ms",
        "heartbeats during the work",
        "longest gap between heartbeats, ms",
    ]);
    for placement in [Placement::Inline, Placement::SpawnBlocking] {
        let run = heartbeat_during(placement, ms(10), move |_| {
            busy_for(cpu);
        });
        t.add_row([
            placement.label().to_owned(),
            millis_of(run.work),
            run.ticks_during.to_string(),
            millis_of(run.max_gap),
        ]);
    }
    println!("{t}");
}

fn show_threads(levels: &[usize], latency: Duration) -> Result<()> {
    let spawner = Spawner::current_exe()?;
    println!(
        "Each level: that many GETs at once, each client in its own process. The server answers nobody until all of"
    );
    println!(
        "them have arrived (so all are in flight together), then each after {} ms.",
        latency.as_millis()
    );
    let mut t = table([
        "in flight",
        "client",
        "ok",
        "server's peak",
        "ms",
        "req/s",
        "peak RSS MiB",
        "KiB per request",
        "OS threads",
    ]);
    let limit = Duration::from_secs(30);
    let mut notes = Vec::new();
    for &n in levels {
        if let Err(why) = check_nofile(n) {
            notes.push(format!("{n}: {why}"));
            continue;
        }
        for mode in Mode::ALL {
            // A fresh server per run: its peak and its connections are this run's.
            let config = ServerConfig::default()
                .latency(latency)
                .workers(cores())
                .hold_until(n);
            let server = TestServer::start_blocking(config)?;
            let args = vec![
                "--mode".to_owned(),
                mode.name().to_owned(),
                "--addr".to_owned(),
                server.addr().to_string(),
                "--requests".to_owned(),
                n.to_string(),
                "--timeout-ms".to_owned(),
                limit.as_millis().to_string(),
            ];
            let run =
                client_in_child(&spawner, "scale", &args, limit * 3).map(|mut runs| runs.remove(0));
            let peak = server.stats().peak_in_flight;
            server.shutdown();
            match run {
                Ok(run) => {
                    if let Some(e) = &run.spawn_error {
                        notes.push(format!("{n}, {}: {e}", mode.name()));
                    }
                    if let Some(e) = &run.first_error {
                        notes.push(format!("{n}, {}: first error: {e}", mode.name()));
                    }
                    t.add_row([
                        grouped(n),
                        mode.label().to_owned(),
                        format!("{}/{}", grouped(run.ok), grouped(n)),
                        grouped(peak),
                        format!("{:.0}", run.elapsed_s * 1e3),
                        grouped(run.per_second().round() as usize),
                        mib(run.peak_rss_kib),
                        run.kib_per_request()
                            .map_or("n/a".to_owned(), |k| format!("{k:.1}")),
                        run.threads_in_flight
                            .map_or("n/a".to_owned(), |t| grouped(t as usize)),
                    ]);
                }
                Err(e) => notes.push(format!("{n}, {}: {e:#}", mode.name())),
            }
        }
    }
    println!("{t}");
    for note in notes {
        println!("note: {note}");
    }
    Ok(())
}

/// The benchmark's settings.
#[derive(Debug, Clone)]
struct BenchArgs {
    requests: usize,
    concurrency: usize,
    latency: Duration,
    rounds: usize,
    client_threads: usize,
    server_threads: usize,
    /// `None`: no Python side.
    python: Option<PythonArgs>,
}

fn bench(b: BenchArgs) -> Result<()> {
    let ideal = ideal_per_second(b.concurrency, b.latency);
    println!(
        "{} requests, at most {} at once, against the embedded server answering after {} ms, {} rounds on one client.",
        grouped(b.requests),
        grouped(b.concurrency),
        b.latency.as_millis(),
        b.rounds
    );
    println!(
        "Ideal: concurrency / latency = {} requests/s. Target: at least 0.80 of it.",
        grouped(ideal.round() as usize)
    );
    println!(
        "Client: {} thread(s), server: {} thread(s), {} cores; round 1 opens the connections, later rounds reuse them.",
        b.client_threads,
        b.server_threads,
        cores()
    );
    if cfg!(debug_assertions) {
        println!("note: this is a debug build; measure with --release.");
    }
    // The client (a child, which inherits our limit) and the server each hold `concurrency` sockets.
    check_nofile(b.concurrency).map_err(anyhow::Error::msg)?;
    let config = ServerConfig::default()
        .latency(b.latency)
        .body_bytes(1_024)
        .workers(b.server_threads);
    let timeout = Duration::from_secs(30);
    let patience = Duration::from_secs(600);
    let spawner = Spawner::current_exe()?;
    // (client, runs, the server's peak in flight, the server's CPU per request in µs)
    let mut rows: Vec<(String, Vec<ClientRun>, usize, Option<f64>)> = Vec::new();
    // The server is the only thing this process does while a client runs.
    let server_cpu = |before: Option<Duration>, runs: &[ClientRun]| {
        let used = cpu_time()?.checked_sub(before?)?;
        let requests: usize = runs.iter().map(|r| r.requests).sum();
        Some(used.as_secs_f64() * 1e6 / requests.max(1) as f64)
    };

    let server = TestServer::start_blocking(config.clone())?;
    let args = vec![
        "--url".to_owned(),
        server.url(),
        "--requests".to_owned(),
        b.requests.to_string(),
        "--concurrency".to_owned(),
        b.concurrency.to_string(),
        "--rounds".to_owned(),
        b.rounds.to_string(),
        "--threads".to_owned(),
        b.client_threads.to_string(),
        "--timeout-ms".to_owned(),
        timeout.as_millis().to_string(),
    ];
    let before = cpu_time();
    let runs = client_in_child(&spawner, "bench", &args, patience)?;
    let cpu = server_cpu(before, &runs);
    let peak = server.stats().peak_in_flight;
    server.shutdown();
    rows.push(("Rust: tokio + reqwest".to_owned(), runs, peak, cpu));

    let mut python_notes = Vec::new();
    if let Some(python) = &b.python {
        match python_with_aiohttp(python.python_bin.as_deref()) {
            Ok(interp) => {
                let uvloop = has_module(&interp.python, "uvloop");
                if !uvloop {
                    python_notes.push(format!(
                        "uvloop is not installed for Python {}: the like-for-like row uses asyncio's loop \
                         (`{} -m pip install uvloop` to use it)",
                        interp.facts.version,
                        interp.python.program().display()
                    ));
                }
                let fair = PythonClient {
                    processes: b.client_threads,
                    uvloop,
                };
                let mut clients = vec![PythonClient::IDIOMATIC];
                if fair != PythonClient::IDIOMATIC {
                    clients.push(fair);
                }
                for client in clients {
                    let server = TestServer::start_blocking(config.clone())?;
                    let before = cpu_time();
                    let batch = Batch {
                        requests: b.requests,
                        concurrency: b.concurrency,
                        rounds: b.rounds,
                        timeout,
                        patience,
                    };
                    let py = run_python(&interp.python, client, &server.url(), &batch);
                    let peak = server.stats().peak_in_flight;
                    server.shutdown();
                    match py {
                        Ok(runs) => {
                            let cpu = server_cpu(before, &runs);
                            rows.push((client.label(&interp.facts.version), runs, peak, cpu));
                        }
                        Err(e) => python_notes.push(format!("the Python side failed: {e:#}")),
                    }
                }
            }
            Err(line) => python_notes.push(line),
        }
    }

    let mut t = table([
        "client",
        "round",
        "ok",
        "seconds",
        "requests/s",
        "of ideal",
        "client CPU µs/request",
        "peak RSS MiB",
        "server's peak",
    ]);
    for (name, runs, peak, _) in &rows {
        for (i, run) in runs.iter().enumerate() {
            t.add_row([
                name.clone(),
                format!("{} ({})", i + 1, if i == 0 { "cold" } else { "warm" }),
                format!("{}/{}", grouped(run.ok), grouped(run.requests)),
                format!("{:.2}", run.elapsed_s),
                grouped(run.per_second().round() as usize),
                format!("{:.2}", run.per_second() / ideal),
                run.cpu_us_per_request()
                    .map_or("n/a".to_owned(), |us| format!("{us:.0}")),
                mib(run.peak_rss_kib),
                grouped(*peak),
            ]);
        }
    }
    println!("{t}");
    // The CPU budget: every request costs the client and the server CPU time,
    // and both share this machine's cores.
    for (name, runs, _, server_us) in &rows {
        let client_us = runs
            .iter()
            .skip(1)
            .chain(runs.first())
            .filter_map(ClientRun::cpu_us_per_request)
            .next();
        if let (Some(c), Some(s)) = (client_us, server_us) {
            println!(
                "{name}: {c:.0} µs of client CPU + {s:.0} µs of server CPU per request: {} cores allow at most {} requests/s ({:.2} of ideal).",
                cores(),
                grouped((cores() as f64 * 1e6 / (c + s)).round() as usize),
                (cores() as f64 * 1e6 / (c + s)) / ideal
            );
        }
    }
    for note in &python_notes {
        println!("{note}");
    }
    let best = |runs: &[ClientRun]| runs.iter().map(ClientRun::per_second).fold(0.0, f64::max);
    let rust = &rows[0].1;
    let (cold, warm) = (rust[0].per_second() / ideal, best(&rust[1..]) / ideal);
    print!("Rust: {cold:.2} of concurrency/latency cold");
    if rust.len() > 1 {
        print!(", {warm:.2} in the best warm round");
    }
    let ratio = cold.max(warm);
    println!(
        " (target >= 0.80): {}.",
        if ratio >= 0.8 { "met" } else { "NOT met" }
    );
    // Each Python row against Rust: the idiomatic one is what most code
    // runs; the like-for-like one uses every core, as the Rust client does.
    for (name, py, _, _) in rows.iter().skip(1) {
        let peak_mem = |runs: &[ClientRun]| runs.iter().filter_map(|r| r.peak_rss_kib).max();
        println!(
            "Rust vs {name}: {} the requests/s (best rounds), {} the peak memory.",
            course_support::ratio(best(rust), best(py)),
            match (peak_mem(rust), peak_mem(py)) {
                (Some(r), Some(p)) if r > 0 => format!("{:.2}x", r as f64 / p as f64),
                _ => "n/a".to_owned(),
            }
        );
    }
    for run in rows.iter().flat_map(|(_, runs, _, _)| runs) {
        if let Some(e) = &run.first_error {
            println!("note: {} failed requests, the first: {e}", run.failed);
            break;
        }
    }
    Ok(())
}

fn child(role: Role) -> Result<()> {
    // A parent killed before it could reap us must not leave us running.
    course_support::child::exit_when_orphaned();
    let runs = match role {
        Role::Scale {
            mode,
            addr,
            requests,
            timeout_ms,
        } => {
            let Some(mode) = Mode::from_name(&mode) else {
                bail!("unknown mode {mode}");
            };
            vec![run_mode(mode, addr, requests, ms(timeout_ms), cores())]
        }
        Role::Bench {
            url,
            requests,
            concurrency,
            timeout_ms,
            rounds,
            threads,
        } => run_reqwest(&url, requests, concurrency, ms(timeout_ms), threads, rounds),
    };
    for run in runs {
        println!(
            "{}",
            serde_json::to_string(&run).context("writing the result")?
        );
    }
    Ok(())
}

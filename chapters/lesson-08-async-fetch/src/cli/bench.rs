//! `bench`: the benchmark, with aiohttp side by side.

use std::time::Duration;

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::usize_in;
use course_support::interpreter::PythonArgs;
use course_support::report::{grouped, met};
use course_support::{cores, table};
use lesson_08_async_fetch::bench::{
    Batch, PythonClient, has_module, ideal_per_second, python_with_aiohttp, run_python,
};
use lesson_08_async_fetch::scale::{ClientRun, client_in_child};
use lesson_08_async_fetch::server::{ServerConfig, TestServer};
use lesson_08_async_fetch::system::{check_nofile, cpu_time, mib};

/// The targets (the book's Targets page): the share of concurrency / latency
/// the Rust client reaches on warm connections and on the first, cold round,
/// and its peak memory against Python's idiomatic client.
const WARM_TARGET: f64 = 0.95;
const COLD_TARGET: f64 = 0.90;
const MEMORY_TARGET: f64 = 0.6;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Requests per round.
    #[arg(long, default_value_t = 10_000, value_parser = usize_in(1..=1_000_000))]
    pub(crate) requests: usize,
    /// Requests in flight at most.
    #[arg(long, default_value_t = 1_000, value_parser = usize_in(1..=20_000))]
    pub(crate) concurrency: usize,
    #[command(flatten)]
    pub(crate) latency: super::shared::Latency,
    /// Batches of --requests on the same client: the first opens the connections, later ones reuse them.
    #[arg(long, default_value_t = 3, value_parser = usize_in(1..=10))]
    pub(crate) rounds: usize,
    /// Client threads, each with its own current_thread runtime and client [default: cores].
    #[arg(long, value_parser = usize_in(1..=64))]
    pub(crate) client_threads: Option<usize>,
    /// Embedded server threads (1: a current_thread runtime) [default: cores].
    #[arg(long, value_parser = usize_in(1..=64))]
    pub(crate) server_threads: Option<usize>,
    /// Skip the Python side.
    #[arg(long)]
    pub(crate) no_python: bool,
    #[command(flatten)]
    pub(crate) python: PythonArgs,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args {
        requests,
        concurrency,
        latency,
        rounds,
        client_threads,
        server_threads,
        no_python,
        python,
    } = args;
    show(BenchPlan {
        requests,
        concurrency,
        latency: latency.get(),
        rounds,
        client_threads: client_threads.unwrap_or_else(cores),
        server_threads: server_threads.unwrap_or_else(cores),
        python: (!no_python).then_some(python),
    })
}

/// The benchmark's settings.
#[derive(Debug, Clone)]
pub(crate) struct BenchPlan {
    pub(crate) requests: usize,
    pub(crate) concurrency: usize,
    pub(crate) latency: Duration,
    pub(crate) rounds: usize,
    pub(crate) client_threads: usize,
    pub(crate) server_threads: usize,
    /// `None`: no Python side.
    pub(crate) python: Option<PythonArgs>,
}

pub(crate) fn show(b: BenchPlan) -> Result<()> {
    let ideal = ideal_per_second(b.concurrency, b.latency);
    println!(
        "{} requests, at most {} at once, against the embedded server answering after {} ms, {} rounds on one client.",
        grouped(b.requests),
        grouped(b.concurrency),
        b.latency.as_millis(),
        b.rounds
    );
    println!(
        "Ideal: concurrency / latency = {} requests/s. Targets: at least {:.0}% of it warm, {:.0}% cold;\n\
         peak memory at most {MEMORY_TARGET:.1}x that of Python's idiomatic asyncio + aiohttp client.",
        grouped(ideal.round() as usize),
        WARM_TARGET * 100.0,
        COLD_TARGET * 100.0,
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
    println!(
        " (targets: cold >= {COLD_TARGET:.2}: {}; warm >= {WARM_TARGET:.2}: {}).",
        met(cold >= COLD_TARGET),
        if rust.len() > 1 {
            met(warm >= WARM_TARGET)
        } else {
            "not measured (one round)"
        }
    );
    // Each Python row against Rust: the idiomatic one is what most code
    // runs (the memory target is judged against it); the like-for-like one
    // uses every core, as the Rust client does.
    for (i, (name, py, _, _)) in rows.iter().enumerate().skip(1) {
        let peak_mem = |runs: &[ClientRun]| runs.iter().filter_map(|r| r.peak_rss_kib).max();
        let memory = match (peak_mem(rust), peak_mem(py)) {
            (Some(r), Some(p)) if r > 0 && p > 0 => Some(r as f64 / p as f64),
            _ => None,
        };
        let verdict = match memory {
            Some(m) if i == 1 => format!(
                " (target <= {MEMORY_TARGET:.1}x: {})",
                met(m <= MEMORY_TARGET)
            ),
            _ => String::new(),
        };
        println!(
            "Rust vs {name}: {} the requests/s (best rounds), {} the peak memory{verdict}.",
            course_support::ratio(best(rust), best(py)),
            memory.map_or("n/a".to_owned(), |m| format!("{m:.2}x")),
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

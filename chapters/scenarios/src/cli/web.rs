//! `web`: the three Rust servers and Python's three under rising load.

use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result};
use course_support::chart;
use course_support::child::Spawner;
use course_support::cli::{u64_in, usize_in};
use course_support::interpreter::PythonArgs;
use course_support::report::grouped;
use course_support::system::mib;
use course_support::{cores, table};
use scenarios::load::{self, LoadPlan, ms};
use scenarios::procs::{MemorySampler, ServerProcess, listener};
use scenarios::python_side::PythonSide;
use scenarios::web::{Endpoint, Model, default_workers};

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// Open connections at each level of the I/O-bound endpoint.
    #[arg(long, value_delimiter = ',', default_value = "10,100,1000,10000")]
    pub(crate) levels: Vec<usize>,
    /// Open connections at each level of the CPU-bound endpoint.
    #[arg(long, value_delimiter = ',', default_value = "10,100")]
    pub(crate) cpu_levels: Vec<usize>,
    /// How long each level runs, ms.
    #[arg(long, default_value_t = 400, value_parser = u64_in(50..=60_000))]
    pub(crate) ms: u64,
    /// How long the I/O-bound endpoint waits, ms.
    #[arg(long, default_value_t = 30, value_parser = u64_in(1..=10_000))]
    pub(crate) io_ms: u64,
    /// The CPU-bound endpoint counts the primes below this.
    #[arg(long, default_value_t = 20_000, value_parser = u64_in(2..=100_000_000))]
    pub(crate) cpu_n: u64,
    /// Pre-forked worker processes (Rust's and gunicorn's) [default: 2 x cores + 1].
    #[arg(long, value_parser = usize_in(1..=256))]
    pub(crate) workers: Option<usize>,
    /// Skip the Python servers.
    #[arg(long)]
    pub(crate) no_python: bool,
    #[command(flatten)]
    pub(crate) python: PythonArgs,
    /// Also draw requests/s and p99 latency over connections (the I/O endpoint), one line per server, into this SVG file
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<std::path::PathBuf>,
}

/// A server's label and, at each level of the I/O-bound endpoint,
/// (connections, requests/s, p99 ms): what the chart draws.
type Curve = (String, Vec<(f64, f64, f64)>);

/// One server to measure: its label and how to start it on descriptor 3.
struct Contender {
    label: String,
    command: Command,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let workers = args.workers.unwrap_or_else(default_workers);
    let soft = course_support::system::nofile_limits().map_or(u64::MAX, |(s, _)| s);
    let fits = |n: &usize| (*n as u64) + 64 <= soft;
    for n in args
        .levels
        .iter()
        .chain(&args.cpu_levels)
        .filter(|n| !fits(n))
    {
        println!(
            "{} connections: skipped, this process may open {soft} files (raise `ulimit -Hn` to run it)",
            grouped(*n)
        );
    }
    let io = Endpoint::Io(Duration::from_millis(args.io_ms));
    let cpu = Endpoint::Cpu(args.cpu_n);
    let mut grid: Vec<(Endpoint, usize)> = args
        .levels
        .iter()
        .filter(|n| fits(n))
        .map(|n| (io, *n))
        .collect();
    grid.extend(
        args.cpu_levels
            .iter()
            .filter(|n| fits(n))
            .map(|n| (cpu, *n)),
    );
    println!(
        "Endpoints: `{}` waits {} ms; `{}` counts the primes below {}. {} ms per level, {} cores, \
         load generator: tokio, keep-alive connections, in this process.",
        io.path(),
        args.io_ms,
        cpu.path(),
        grouped(args.cpu_n),
        args.ms,
        cores()
    );
    println!(
        "Memory: the PSS of all the server's processes, the peak sampled during the level (pre-fork: master + workers)."
    );
    if cfg!(debug_assertions) {
        println!("note: this is a debug build; measure with --release.");
    }
    let spawner = Spawner::current_exe()?;
    let mut contenders: Vec<Contender> = Model::ALL
        .into_iter()
        .map(|m| {
            let w = workers.to_string();
            Contender {
                label: m.label(workers),
                command: spawner.command("web-server", ["--model", m.name(), "--workers", &w]),
            }
        })
        .collect();
    let mut notes = Vec::new();
    let python = match PythonSide::unless_skipped(args.no_python, args.python.python_bin.as_deref())
    {
        Ok(py) => Some(py),
        Err(line) => {
            notes.push(line);
            None
        }
    };
    if let Some(py) = &python {
        let mut c = py.command();
        c.arg(py.script("thread_server.py")).args(["--fd", "3"]);
        contenders.push(Contender {
            label: format!("{}: ThreadingHTTPServer", py.label()),
            command: c,
        });
        match py.require("uvicorn") {
            Ok(()) => {
                let mut c = py.command();
                c.args([
                    "-m",
                    "uvicorn",
                    "--fd",
                    "3",
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ])
                .arg("asgi_app:app");
                contenders.push(Contender {
                    label: format!("{}: uvicorn, 1 process", py.label()),
                    command: c,
                });
            }
            Err(line) => notes.push(line),
        }
        match py.require("gunicorn") {
            Ok(()) => {
                let mut c = py.command();
                c.args([
                    "-m",
                    "gunicorn",
                    "--bind",
                    "fd://3",
                    "-k",
                    "sync",
                    "--log-level",
                    "warning",
                ])
                .args(["-w", &workers.to_string(), "wsgi_app:app"]);
                contenders.push(Contender {
                    label: format!("{}: gunicorn, {workers} sync workers", py.label()),
                    command: c,
                });
            }
            Err(line) => notes.push(line),
        }
    }

    let rt = load::runtime();
    let mut t = table([
        "server",
        "endpoint",
        "connections",
        "requests/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "unserved",
        "memory MiB",
    ]);
    let mut curves: Vec<Curve> = Vec::new();
    // A fresh server for every level: connections a slow server left in its
    // queue at one level must not be served during the next.
    for mut c in contenders {
        curves.push((c.label.clone(), Vec::new()));
        for (endpoint, connections) in &grid {
            let l = listener()?;
            let mut server = ServerProcess::spawn(&c.label, &mut c.command, &l)
                .with_context(|| format!("starting {}", c.label))?;
            drop(l); // the server holds it now
            if let Err(e) = server.wait_ready(Duration::from_secs(20), |a| load::probe(a, "/")) {
                notes.push(format!("{}: {e}", c.label));
                break;
            }
            let sampler = MemorySampler::start(server.group(), Duration::from_millis(100));
            let r = rt.block_on(load::run(&LoadPlan {
                addr: server.addr,
                path: endpoint.path(),
                connections: *connections,
                duration: Duration::from_millis(args.ms),
            }));
            let memory = sampler.finish();
            let died = server.exited();
            drop(server);
            if let (true, Some((_, points))) = (*endpoint == io, curves.last_mut()) {
                let p99 = r.p99().map_or(f64::NAN, |us| us as f64 / 1e3);
                points.push((*connections as f64, r.per_second(), p99));
            }
            t.add_row([
                c.label.clone(),
                endpoint.path(),
                grouped(*connections),
                grouped(r.per_second().round() as u64),
                ms(r.p50()),
                ms(r.p99()),
                grouped(r.errors),
                grouped(r.unserved),
                mib(memory),
            ]);
            if let Some(status) = died {
                notes.push(format!(
                    "{} at {connections} connections: the server died ({status})",
                    c.label
                ));
            } else if let Some(e) = &r.first_error {
                notes.push(format!(
                    "{} at {connections} connections, first error: {e}",
                    c.label
                ));
            }
        }
    }
    println!("{t}");
    println!(
        "unserved: connections that got no answer in the whole level (waiting in the listen queue, or for a thread)."
    );
    for note in notes {
        println!("{note}");
    }
    if let Some(path) = &args.svg {
        draw(path, &io.path(), &curves)?;
    }
    Ok(())
}

/// Requests per second and p99 latency over connections, a line per server,
/// Python's in their own colours.
fn draw(path: &std::path::Path, endpoint: &str, curves: &[Curve]) -> Result<()> {
    let line = |i: usize, label: &str, points: Vec<(f64, f64)>| {
        let color = if label.starts_with("Python") {
            chart::PYTHON - i % 3
        } else {
            i
        };
        chart::Line::new(label, points, color)
    };
    let mut rate = chart::LinePanel::new(
        format!("`{endpoint}`: requests per second"),
        "open connections (log scale)",
        "requests per second",
    )
    .log_x();
    let mut p99 = chart::LinePanel::new(
        format!("`{endpoint}`: p99 latency"),
        "open connections (log scale)",
        "p99 ms (log scale)",
    )
    .log_x()
    .log_y();
    for (i, (label, points)) in curves.iter().enumerate() {
        rate = rate.line(line(i, label, points.iter().map(|p| (p.0, p.1)).collect()));
        let finite = points
            .iter()
            .filter(|p| p.2.is_finite())
            .map(|p| (p.0, p.2))
            .collect();
        p99 = p99.line(line(i, label, finite));
    }
    chart::lines(
        path,
        &[rate, p99],
        &chart::Caption::this_run(env!("CARGO_PKG_NAME")),
    )?;
    println!("Wrote the chart to {}.", path.display());
    Ok(())
}

//! `threads`: threads vs async tasks at 10 to 10,000 requests in flight.

use std::time::Duration;

use anyhow::Result;
use course_support::chart;
use course_support::child::Spawner;
use course_support::cli::usize_in;
use course_support::report::grouped;
use course_support::{cores, table};
use lesson_08_async_fetch::scale::{Mode, client_in_child};
use lesson_08_async_fetch::server::{ServerConfig, TestServer};
use lesson_08_async_fetch::system::{check_nofile, mib};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Requests in flight at once, one run per level.
    #[arg(long, value_delimiter = ',', default_values_t = [10, 100, 1_000, 10_000], value_parser = usize_in(1..=50_000))]
    pub(crate) levels: Vec<usize>,
    #[command(flatten)]
    pub(crate) latency: super::shared::Latency,
    #[command(flatten)]
    pub(crate) request_timeout: super::shared::RequestTimeout,
    /// Also draw time and memory over requests in flight, one line per client, into this SVG file
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<std::path::PathBuf>,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args {
        levels,
        latency,
        request_timeout,
        svg,
    } = args;
    let points = show(&levels, latency.get(), request_timeout.get())?;
    if let Some(path) = svg {
        chart(&path, &points)?;
    }
    Ok(())
}

/// Per client: (in flight, ms, peak RSS MiB) of each level that ran.
type Points = Vec<(Mode, Vec<(f64, f64, f64)>)>;

pub(crate) fn show(levels: &[usize], latency: Duration, limit: Duration) -> Result<Points> {
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
    let mut notes = Vec::new();
    let mut points: Points = Mode::ALL.iter().map(|&m| (m, Vec::new())).collect();
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
                    if let (Some(line), Some(kib)) = (
                        points.iter_mut().find(|(m, _)| *m == mode),
                        run.peak_rss_kib,
                    ) {
                        line.1
                            .push((n as f64, run.elapsed_s * 1e3, kib as f64 / 1024.0));
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
    Ok(points)
}

/// Time and memory over requests in flight (log scale), one line per client.
fn chart(path: &std::path::Path, points: &Points) -> Result<()> {
    let mut time = chart::LinePanel::new(
        "Time for all requests in flight at once",
        "requests in flight (log scale)",
        "milliseconds",
    )
    .log_x();
    let mut memory = chart::LinePanel::new(
        "Peak memory of the client process",
        "requests in flight (log scale)",
        "peak RSS (MiB)",
    )
    .log_x();
    for (k, (mode, runs)) in points.iter().enumerate() {
        let color = [1, 4, 5][k % 3];
        let xy = |f: fn(&(f64, f64, f64)) -> f64| runs.iter().map(|p| (p.0, f(p))).collect();
        time = time.line(chart::Line::new(mode.label(), xy(|p| p.1), color));
        memory = memory.line(chart::Line::new(mode.label(), xy(|p| p.2), color));
    }
    let caption = chart::Caption::this_run(env!("CARGO_PKG_NAME"));
    chart::lines(path, &[time, memory], &caption)?;
    println!("Wrote the chart to {}.", path.display());
    Ok(())
}

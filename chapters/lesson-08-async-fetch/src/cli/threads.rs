//! `threads`: threads vs async tasks at 10 to 10,000 requests in flight.

use std::time::Duration;

use anyhow::Result;
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
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args {
        levels,
        latency,
        request_timeout,
    } = args;
    show(&levels, latency.get(), request_timeout.get())
}

pub(crate) fn show(levels: &[usize], latency: Duration, limit: Duration) -> Result<()> {
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

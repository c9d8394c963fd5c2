//! `shutdown`: graceful shutdown of a service whose jobs are child processes.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use lesson_10_cancellation::shutdown::{Config, Event, Report, exit_code, forward_signals, serve};
use tokio::sync::mpsc;

#[derive(Debug, clap::Parser)]
pub struct Args {
    /// Jobs in the queue.
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..=10_000))]
    jobs: u16,
    /// Jobs (child processes) running at once.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,
    /// Job k works for --job-ms * (1 + k % 3), milliseconds.
    #[arg(long, default_value_t = 100)]
    job_ms: u64,
    /// After the stop, running jobs get this long to finish, milliseconds.
    #[arg(long, default_value_t = 100)]
    grace_ms: u64,
    /// Simulate a Ctrl-C after this many milliseconds; 0: wait for a real one (or SIGTERM).
    #[arg(long, default_value_t = 250)]
    stop_after_ms: u64,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let program = std::env::current_exe().context("finding this program to start its jobs")?;
    let config = Config {
        jobs: args.jobs as usize,
        concurrency: args.concurrency as usize,
        job_ms: args.job_ms,
        grace: Duration::from_millis(args.grace_ms),
    };
    println!(
        "{} jobs, {} at a time, each a child process working {}, {} or {} ms; grace period {} ms.",
        config.jobs,
        config.concurrency,
        config.job_ms(0),
        config.job_ms(1),
        config.job_ms(2),
        args.grace_ms
    );
    if args.stop_after_ms == 0 {
        println!(
            "Waiting for Ctrl-C or SIGTERM (pid {}).",
            std::process::id()
        );
    } else {
        println!(
            "A simulated Ctrl-C comes after {} ms; a real one works too.",
            args.stop_after_ms
        );
    }
    let _ = std::io::stdout().flush();
    let report = super::runtime()?.block_on(async {
        let (stop_tx, stop_rx) = mpsc::channel(4);
        forward_signals(stop_tx.clone())?;
        if args.stop_after_ms > 0 {
            let after = Duration::from_millis(args.stop_after_ms);
            tokio::spawn(async move {
                tokio::time::sleep(after).await;
                let _ = stop_tx.send("a simulated Ctrl-C".to_owned()).await;
            });
        }
        let (events_tx, mut events_rx) = mpsc::unbounded_channel();
        let printer = tokio::spawn(async move {
            while let Some(event) = events_rx.recv().await {
                print_event(&event);
            }
        });
        let report = serve(&program, &config, stop_rx, events_tx).await;
        printer.await?; // every event printed before the report
        anyhow::Ok(report)
    })?;
    print_report(&report);
    Ok(ExitCode::from(exit_code(report.stopped_by.as_deref())))
}

fn print_event(event: &Event) {
    match event {
        Event::Started { job, pid } => println!("  started job {job} as pid {pid}"),
        Event::Finished { job } => println!("  job {job} finished"),
        Event::Stop { why } => {
            println!("-> {why}: stop taking work; running jobs have the grace period")
        }
        Event::GraceOver => println!("-> grace period over: cancel what still runs"),
        Event::Cancelled { job, pid } => {
            println!("  job {job} cancelled: pid {pid} killed and reaped")
        }
    }
    let _ = std::io::stdout().flush(); // a pipe or file sees each line at once
}

fn list(ids: &[usize]) -> String {
    if ids.is_empty() {
        return "none".to_owned();
    }
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn print_report(report: &Report) {
    println!("Report (flushed at exit):");
    println!(
        "  stopped by:    {}",
        report
            .stopped_by
            .as_deref()
            .unwrap_or("nothing: every job ran")
    );
    println!(
        "  finished:      {} ({} of them during the grace period)",
        list(&report.finished),
        report.finished_in_grace.len()
    );
    println!("  cancelled:     {}", list(&report.cancelled));
    println!("  never started: {}", list(&report.never_started));
    let left: Vec<u32> = report
        .pids
        .iter()
        .copied()
        .filter(|&p| course_support::child::exists(p))
        .collect();
    println!(
        "  child processes started: {}; still running: {}",
        report.pids.len(),
        left.len()
    );
    println!(
        "  exit code:     {}",
        exit_code(report.stopped_by.as_deref())
    );
}

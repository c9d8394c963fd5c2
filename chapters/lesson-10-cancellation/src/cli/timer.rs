//! `timer`: what a 1 ms wait really takes, in tokio and in asyncio.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use course_support::python::{MISSING, Python};
use course_support::report::table;
use lesson_10_cancellation::timer::measure;

/// The Python side, printed as `mean_us <number>`.
const TIMER_PY: &str = include_str!("../../python/timer_resolution.py");

#[derive(Debug, clap::Parser)]
pub struct Args {
    /// Waits per way.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    waits: u32,
    /// The wait asked for, microseconds.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    wait_us: u64,
    /// Skip the asyncio row.
    #[arg(long)]
    no_python: bool,
}

fn us(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1e6)
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let wait = Duration::from_micros(args.wait_us);
    println!(
        "{} waits of {} µs, one after another; the mean of one:",
        args.waits, args.wait_us
    );
    let mut t = table(["how", "what rounds it", "mean µs"]);
    for w in measure(args.waits, wait)? {
        t.add_row([w.way.to_owned(), w.rounding.to_owned(), us(w.mean)]);
    }
    if !args.no_python {
        let python = Python::python3();
        let version = python.version();
        let limit = Duration::from_secs(30);
        let run = python.run_script(
            "timer_resolution.py",
            TIMER_PY,
            [args.waits.to_string(), args.wait_us.to_string()],
            limit,
        );
        match (version, run) {
            (Some(version), Ok(out)) => {
                let mean = out
                    .lines()
                    .find_map(|l| l.strip_prefix("mean_us "))
                    .unwrap_or("?")
                    .trim()
                    .to_owned();
                t.add_row([
                    format!("asyncio.sleep (Python {version})"),
                    "epoll timeout rounded up to the next 1 ms".to_owned(),
                    mean,
                ]);
            }
            (None, _) => println!("{MISSING}"),
            (Some(_), Err(e)) => println!("the asyncio row failed: {e}"),
        }
    }
    println!("{t}");
    println!(
        "Every way waits at least what was asked; tokio's wheel of 1 ms ticks adds up to a tick more."
    );
    Ok(ExitCode::SUCCESS)
}

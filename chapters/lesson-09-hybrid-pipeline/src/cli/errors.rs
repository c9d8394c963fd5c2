//! `errors`: item errors counted, fatal errors stop the job.

use anyhow::Result;
use course_support::cli::{fraction, usize_in};
use course_support::table;
use lesson_09_hybrid_pipeline::pipeline::{self};
use lesson_09_hybrid_pipeline::scenario::Scenario;
use lesson_09_hybrid_pipeline::stop::StopSignal;

use crate::Flow;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) knobs: super::shared::Knobs,
    /// URLs to fetch.
    #[arg(long, default_value_t = 100, value_parser = usize_in(1..=100_000))]
    pub(crate) items: usize,
    /// Fraction of paths that answer 500 in the first run.
    #[arg(long, default_value_t = 0.1, value_parser = fraction)]
    pub(crate) fail_rate: f64,
    /// The item whose URL answers 403 in the second run.
    #[arg(long, default_value_t = 30, value_parser = usize_in(0..=10_000_000))]
    pub(crate) fatal_at: usize,
    /// The item whose URL never answers in the second run (still in flight when the 403 comes).
    #[arg(long, default_value_t = 25, value_parser = usize_in(0..=10_000_000))]
    pub(crate) stall_at: usize,
}

pub(crate) fn run(stop: &StopSignal, args: Args) -> Result<Flow> {
    let Args {
        knobs,
        items,
        fail_rate,
        fatal_at,
        stall_at,
    } = args;
    show(&knobs, items, fail_rate, (fatal_at, stall_at), stop)
}

pub(crate) fn show(
    knobs: &super::shared::Knobs,
    items: usize,
    fail_rate: f64,
    (fatal_at, stall_at): (usize, usize),
    stop: &StopSignal,
) -> Result<Flow> {
    // 1. Non-fatal errors: counted and skipped.
    let soft = Scenario {
        fail_rate,
        ..super::shared::scenario(knobs, items)
    };
    let p = super::shared::prepare(knobs, soft.clone())?;
    super::shared::describe(&p, &soft);
    println!("\n1. Non-fatal: a 500 loses one item; the pipeline counts it and goes on.\n");
    match pipeline::run(&p.running.urls, &p.config, stop) {
        Ok(report) => {
            super::shared::print_report(&report);
            let mut t = table(["error", "count"]);
            for (kind, n) in &report.errors.by_kind {
                t.add_row([kind.to_string(), n.to_string()]);
            }
            println!("{t}");
            for e in &report.errors.examples {
                println!("  e.g. {e}");
            }
            if report.stopped_early {
                return Ok(Flow::Interrupted);
            }
        }
        Err(failed) => {
            super::shared::print_failure(&failed);
            return Err(anyhow::Error::new(failed.error));
        }
    }
    drop(p);

    // 2. A fatal error: stops everything, and comes back as the run's result.
    let hard = Scenario {
        fatal_at: Some(fatal_at),
        stall_at: Some(stall_at),
        ..super::shared::scenario(knobs, items)
    };
    let p = super::shared::prepare(knobs, hard.clone())?;
    println!(
        "\n2. Fatal: item {fatal_at} answers 403 (our credentials are refused: every other request\n\
         would be too), while item {stall_at} never answers (its time limit is {} s). The fetch stage\n\
         stops and cancels its fetches in flight, the stalled one too; the CPU stage drains what\n\
         was already fetched; every thread is joined; `run` returns the error at once.\n",
        p.config.fetch_timeout.as_secs()
    );
    match pipeline::run(&p.running.urls, &p.config, stop) {
        Ok(report) => {
            super::shared::print_report(&report);
            println!(
                "no fatal error: item {fatal_at} is not in the list of {items} (use --fatal-at below {items})"
            );
        }
        Err(failed) => {
            super::shared::print_failure(&failed);
            if failed.partial.wall < p.config.fetch_timeout {
                println!(
                    "returned after {} ms, not after the stalled fetch's {} s time limit: it was cancelled",
                    failed.partial.wall.as_millis(),
                    p.config.fetch_timeout.as_secs()
                );
            } else {
                println!(
                    "returned after {} ms, no sooner than the stalled fetch's {} s time limit: it was NOT cancelled",
                    failed.partial.wall.as_millis(),
                    p.config.fetch_timeout.as_secs()
                );
            }
        }
    }
    Ok(Flow::Done)
}

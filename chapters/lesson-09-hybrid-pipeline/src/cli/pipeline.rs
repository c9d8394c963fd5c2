//! `pipeline`: one run of the hybrid pipeline, with faults and a stop if asked.

use anyhow::Result;
use course_support::cli::usize_in;
use lesson_09_hybrid_pipeline::bridge::Capacity;
use lesson_09_hybrid_pipeline::pipeline::{self};
use lesson_09_hybrid_pipeline::scenario::Scenario;
use lesson_09_hybrid_pipeline::stop::StopSignal;
use lesson_09_hybrid_pipeline::variants::Variant;

use crate::Flow;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) knobs: super::shared::Knobs,
    /// URLs to fetch.
    #[arg(long, default_value_t = 200, value_parser = usize_in(1..=10_000_000))]
    pub(crate) items: usize,
    #[command(flatten)]
    pub(crate) faults: super::shared::Faults,
    /// Raise the stop signal (as Ctrl-C does) once this many items are aggregated.
    #[arg(long, value_parser = usize_in(1..=10_000_000))]
    pub(crate) stop_after: Option<usize>,
    /// An unbounded channel instead of a bounded one.
    #[arg(long)]
    pub(crate) unbounded: bool,
}

pub(crate) fn run(stop: &StopSignal, args: Args) -> Result<Flow> {
    let Args {
        knobs,
        items,
        faults,
        stop_after,
        unbounded,
    } = args;
    show(&knobs, items, &faults, stop_after, unbounded, stop)
}

pub(crate) fn show(
    knobs: &super::shared::Knobs,
    items: usize,
    faults: &super::shared::Faults,
    stop_after: Option<usize>,
    unbounded: bool,
    stop: &StopSignal,
) -> Result<Flow> {
    let scenario = Scenario {
        fail_rate: faults.fail_rate,
        fatal_at: faults.fatal_at,
        ..super::shared::scenario(knobs, items)
    };
    let mut p = super::shared::prepare(knobs, scenario.clone())?;
    if unbounded {
        p.config.capacity = Capacity::Unbounded;
    }
    p.config.stop_after = stop_after;
    super::shared::describe(&p, &scenario);
    let limits = Variant::Pipeline.limits(&p.config, &p.service);
    println!("{}", super::shared::limits_line(&limits));
    println!("started: fetching {items} items (Ctrl-C stops it gracefully)");
    // --stop-after raises this child; Ctrl-C raises its parent, `stop`.
    let local = stop.child();
    match pipeline::run(&p.running.urls, &p.config, &local) {
        Ok(report) => {
            super::shared::print_report(&report);
            super::shared::print_achieved(&report, &limits);
            if report.stopped_early {
                println!(
                    "stopped early: {} of {} URLs never requested; every item fetched before the stop was crunched and aggregated",
                    report.not_started, report.urls
                );
                // Ctrl-C (not --stop-after) ends the program with 130.
                if stop.is_triggered() {
                    return Ok(Flow::Interrupted);
                }
            }
            Ok(Flow::Done)
        }
        Err(failed) => {
            super::shared::print_failure(&failed);
            Err(anyhow::Error::new(failed.error))
        }
    }
}

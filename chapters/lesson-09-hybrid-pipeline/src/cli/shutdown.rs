//! `shutdown`: a graceful stop, and exact partial results.

use std::time::Duration;

use anyhow::Result;
use course_support::cli::usize_in;
use lesson_09_hybrid_pipeline::pipeline::{self, threads_left};
use lesson_09_hybrid_pipeline::stop::{EXIT_INTERRUPTED, StopSignal};

use crate::Flow;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) knobs: super::shared::Knobs,
    /// URLs to fetch.
    #[arg(long, default_value_t = 400, value_parser = usize_in(1..=10_000_000))]
    pub(crate) items: usize,
    /// Raise the stop signal once this many items are aggregated.
    #[arg(long, default_value_t = 40, value_parser = usize_in(1..=10_000_000))]
    pub(crate) stop_after: usize,
}

pub(crate) fn run(stop: &StopSignal, args: Args) -> Result<Flow> {
    let Args {
        knobs,
        items,
        stop_after,
    } = args;
    show(&knobs, items, stop_after, stop)
}

pub(crate) fn show(
    knobs: &super::shared::Knobs,
    items: usize,
    stop_after: usize,
    stop: &StopSignal,
) -> Result<Flow> {
    let scenario = super::shared::scenario(knobs, items);
    let mut p = super::shared::prepare(knobs, scenario.clone())?;
    super::shared::describe(&p, &scenario);
    // A child signal: the pipeline stopping itself does not look like Ctrl-C to the
    // program, while Ctrl-C (which raises the parent) still reaches the run.
    let local = stop.child();
    p.config.stop_after = Some(stop_after);
    println!(
        "The aggregate raises the stop signal after {stop_after} items: the same StopSignal::trigger\n\
         that Ctrl-C calls. Then: no new fetches, fetches in flight finish, the channel drains.\n"
    );
    let result = pipeline::run(&p.running.urls, &p.config, &local);
    match result {
        Ok(report) => {
            super::shared::print_report(&report);
            if let Some(q) = &report.queue {
                println!(
                    "drained: {} items were in the channel or in flight when the signal came; all were crunched \
                     (sent {} = taken out {} = aggregated {})",
                    report.aggregate.items.saturating_sub(stop_after),
                    q.sent,
                    q.received,
                    report.aggregate.items
                );
            }
            println!(
                "stopped early: {}; {} URLs never requested; fetches cancelled: {}; threads of run {} still alive: {}",
                report.stopped_early,
                report.not_started,
                report.cancelled,
                report.tag,
                threads_left(&report.tag, Duration::from_secs(2))
            );
            println!(
                "Press Ctrl-C during `cargo run -p lesson-09-hybrid-pipeline -- pipeline --items 100000`\n\
                 for the real thing: the same drain, then exit code {EXIT_INTERRUPTED}."
            );
        }
        Err(failed) => {
            super::shared::print_failure(&failed);
            return Err(anyhow::Error::new(failed.error));
        }
    }
    Ok(if stop.is_triggered() {
        Flow::Interrupted
    } else {
        Flow::Done
    })
}

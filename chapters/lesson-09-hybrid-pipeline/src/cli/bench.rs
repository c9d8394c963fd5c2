//! `bench`: the variants and the pipeline at bench sizes.

use anyhow::Result;
use course_support::cli::usize_in;
use course_support::tour;
use lesson_09_hybrid_pipeline::pipeline::{self};
use lesson_09_hybrid_pipeline::stats::percent;
use lesson_09_hybrid_pipeline::stop::StopSignal;
use lesson_09_hybrid_pipeline::variants::Variant;

use crate::Flow;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) knobs: super::shared::Knobs,
    /// URLs per variant in the four-variant table.
    #[arg(long, default_value_t = 300, value_parser = usize_in(1..=1_000_000))]
    pub(crate) items: usize,
    /// URLs in the long pipeline run whose ratio is reported.
    #[arg(long, default_value_t = 2_000, value_parser = usize_in(1..=10_000_000))]
    pub(crate) pipeline_items: usize,
}

pub(crate) fn run(stop: &StopSignal, args: Args) -> Result<Flow> {
    let Args {
        knobs,
        items,
        pipeline_items,
    } = args;
    show(&knobs, items, pipeline_items, stop)
}

pub(crate) fn show(
    knobs: &super::shared::Knobs,
    items: usize,
    pipeline_items: usize,
    stop: &StopSignal,
) -> Result<Flow> {
    tour::section(&format!("The four variants ({items} items each)"));
    if super::compare::show(knobs, items, stop)? == Flow::Interrupted {
        return Ok(Flow::Interrupted);
    }

    tour::section(&format!("The pipeline, {pipeline_items} items"));
    let scenario = super::shared::scenario(knobs, pipeline_items);
    let p = super::shared::prepare(knobs, scenario.clone())?;
    super::shared::describe(&p, &scenario);
    let limits = Variant::Pipeline.limits(&p.config, &p.service);
    println!("{}", super::shared::limits_line(&limits));
    let report = pipeline::run(&p.running.urls, &p.config, stop).map_err(|f| {
        super::shared::print_failure(&f);
        anyhow::Error::new(f.error)
    })?;
    super::shared::print_report(&report);
    if report.stopped_early {
        return Ok(Flow::Interrupted);
    }
    println!();
    super::shared::print_achieved(&report, &limits);
    println!(
        "utilisation: fetch {}, CPU {}, aggregate {}",
        percent(report.fetch().utilisation()),
        percent(report.cpu().utilisation()),
        percent(report.aggregator().utilisation())
    );

    tour::section("Backpressure");
    let bp = super::shared::Knobs {
        latency_ms: 1,
        concurrency: Some(16),
        cpu_workers: Some(1),
        body_kib: 256,
        ..knobs.clone()
    };
    super::backpressure::show(&bp, 400, stop, None)
}

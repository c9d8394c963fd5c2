//! `compare`: the four variants on the same items.

use anyhow::Result;
use course_support::cli::usize_in;
use course_support::{ratio, table};
use lesson_09_hybrid_pipeline::stats::{percent, rate};
use lesson_09_hybrid_pipeline::stop::StopSignal;
use lesson_09_hybrid_pipeline::variants::Variant;

use crate::Flow;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) knobs: super::shared::Knobs,
    /// URLs to fetch in each variant.
    #[arg(long, default_value_t = 60, value_parser = usize_in(1..=100_000))]
    pub(crate) items: usize,
}

pub(crate) fn run(stop: &StopSignal, args: Args) -> Result<Flow> {
    let Args { knobs, items } = args;
    show(&knobs, items, stop)
}

pub(crate) fn show(knobs: &super::shared::Knobs, items: usize, stop: &StopSignal) -> Result<Flow> {
    let scenario = super::shared::scenario(knobs, items);
    let p = super::shared::prepare(knobs, scenario.clone())?;
    super::shared::describe(&p, &scenario);
    let mut rows = table([
        "variant",
        "in flight",
        "CPU threads",
        "ms",
        "items/s",
        "speed-up",
        "slowest stage",
        "its limit/s",
        "achieved/limit",
    ]);
    let mut stages = table([
        "variant",
        "fetch busy",
        "fetch blocked",
        "CPU busy",
        "aggregate busy",
    ]);
    let mut first: Option<(f64, lesson_09_hybrid_pipeline::aggregate::Aggregate)> = None;
    let mut identical = true;
    for variant in Variant::ALL {
        let config = variant.config(&p.config);
        let limits = variant.limits(&p.config, &p.service);
        let report = variant.run(&p.running.urls, &p.config, stop).map_err(|f| {
            super::shared::print_failure(&f);
            anyhow::Error::new(f.error)
        })?;
        if report.stopped_early {
            super::shared::print_report(&report);
            return Ok(Flow::Interrupted);
        }
        let wall_ms = report.wall.as_secs_f64() * 1e3;
        let (base_ms, base) = first.get_or_insert_with(|| (wall_ms, report.aggregate.clone()));
        identical &= *base == report.aggregate && report.check_flow().is_ok();
        let slowest = limits.slowest();
        rows.add_row([
            variant.label().to_owned(),
            config.concurrency.to_string(),
            format!(
                "{}{}",
                config.cpu_workers,
                if variant.inline() { " (inline)" } else { "" }
            ),
            format!("{wall_ms:.0}"),
            rate(super::shared::achieved(&report)),
            ratio(*base_ms, wall_ms),
            slowest.stage.to_owned(),
            rate(slowest.per_second),
            format!(
                "{:.2}",
                super::shared::achieved(&report) / slowest.per_second
            ),
        ]);
        stages.add_row([
            variant.label().to_owned(),
            percent(report.fetch().utilisation()),
            percent(report.fetch().blocked_share()),
            percent(report.cpu().utilisation()),
            percent(report.aggregator().utilisation()),
        ]);
    }
    println!("{rows}");
    println!("Per-stage utilisation (busy worker-time / available worker-time):");
    println!("{stages}");
    println!(
        "All four variants, same aggregate, every item once: {}.",
        if identical { "identical" } else { "MISMATCH" }
    );
    println!("In Python:");
    for v in Variant::ALL {
        println!("  {:<20} {}", v.label(), v.python());
    }
    Ok(Flow::Done)
}

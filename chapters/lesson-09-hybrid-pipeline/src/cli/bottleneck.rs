//! `bottleneck`: the slowest stage bounds throughput.

use anyhow::Result;
use course_support::cli::usize_in;
use course_support::table;
use lesson_09_hybrid_pipeline::pipeline::{self, Config};
use lesson_09_hybrid_pipeline::stats::{percent, rate};
use lesson_09_hybrid_pipeline::stop::StopSignal;
use lesson_09_hybrid_pipeline::variants::Variant;

use crate::Flow;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) knobs: super::shared::Knobs,
    /// URLs to fetch at each level.
    #[arg(long, default_value_t = 60, value_parser = usize_in(1..=100_000))]
    pub(crate) items: usize,
    /// Fetches in flight, one run per level.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 2, 4, 8, 16], value_parser = usize_in(1..=10_000))]
    pub(crate) levels: Vec<usize>,
}

pub(crate) fn run(stop: &StopSignal, args: Args) -> Result<Flow> {
    let Args {
        knobs,
        items,
        levels,
    } = args;
    show(&knobs, items, &levels, stop)
}

pub(crate) fn show(
    knobs: &super::shared::Knobs,
    items: usize,
    levels: &[usize],
    stop: &StopSignal,
) -> Result<Flow> {
    let scenario = super::shared::scenario(knobs, items);
    let p = super::shared::prepare(knobs, scenario.clone())?;
    super::shared::describe(&p, &scenario);
    let mut t = table([
        "in flight",
        "fetch limit/s",
        "CPU limit/s",
        "slowest",
        "achieved/s",
        "achieved/limit",
        "fetch busy",
        "fetch blocked",
        "CPU busy",
        "max queue",
    ]);
    let mut shares = Vec::new();
    for &c in levels {
        let config = Config {
            concurrency: c,
            ..p.config.clone()
        };
        let limits = Variant::Pipeline.limits(&config, &p.service);
        let report = pipeline::run(&p.running.urls, &config, stop).map_err(|f| {
            super::shared::print_failure(&f);
            anyhow::Error::new(f.error)
        })?;
        if report.stopped_early {
            super::shared::print_report(&report);
            return Ok(Flow::Interrupted);
        }
        let slowest = limits.slowest();
        shares.push(super::shared::achieved(&report) / slowest.per_second);
        t.add_row([
            c.to_string(),
            rate(limits.fetch.per_second),
            rate(limits.cpu.per_second),
            slowest.stage.to_owned(),
            rate(super::shared::achieved(&report)),
            format!(
                "{:.2}",
                super::shared::achieved(&report) / slowest.per_second
            ),
            percent(report.fetch().utilisation()),
            percent(report.fetch().blocked_share()),
            percent(report.cpu().utilisation()),
            report.queue.as_ref().map_or(0, |q| q.max_depth).to_string(),
        ]);
    }
    println!("{t}");
    let lowest = shares.iter().copied().fold(f64::INFINITY, f64::min);
    if lowest >= 0.6 {
        println!(
            "Throughput follows the lower of the two limits (at least {lowest:.2} of it at every level).\n\
             Below the crossing, the fetch stage is the bottleneck and the CPU threads idle; above it,\n\
             the CPU stage is, and fetch slots spend their time blocked on a full channel: more\n\
             concurrency buys nothing."
        );
    } else {
        println!(
            "Throughput fell to {lowest:.2} of the lower limit at some level: this run did not follow the\n\
             limits (a busy machine slows every stage)."
        );
    }
    Ok(Flow::Done)
}

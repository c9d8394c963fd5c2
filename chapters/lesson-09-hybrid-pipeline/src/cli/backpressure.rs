//! `backpressure`: a bounded channel vs an unbounded one, in memory.

use anyhow::Result;
use course_support::cli::{f64_in, u64_in, usize_in};
use course_support::{chart, table};
use lesson_09_hybrid_pipeline::bridge::{Capacity, sparkline};
use lesson_09_hybrid_pipeline::memory::{mib, peak_rss_kib, reset_peak_rss, rss_kib};
use lesson_09_hybrid_pipeline::pipeline::{self, Config};
use lesson_09_hybrid_pipeline::stats::{ms, rate};
use lesson_09_hybrid_pipeline::stop::StopSignal;

use crate::Flow;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// URLs to fetch.
    #[arg(long, default_value_t = 200, value_parser = usize_in(1..=100_000))]
    pub(crate) items: usize,
    /// Server latency, milliseconds (small: fetching is fast here).
    #[arg(long, default_value_t = 1, value_parser = u64_in(0..=10_000))]
    pub(crate) latency_ms: u64,
    /// CPU milliseconds per item (large: crunching is slow here).
    #[arg(long, default_value_t = 5.0, value_parser = f64_in(0.01..=10_000.0))]
    pub(crate) cpu_ms: f64,
    /// Fetches in flight.
    #[arg(long, default_value_t = 16, value_parser = usize_in(1..=10_000))]
    pub(crate) concurrency: usize,
    /// CPU threads.
    #[arg(long, default_value_t = 1, value_parser = usize_in(1..=256))]
    pub(crate) cpu_workers: usize,
    /// Room in the bounded channel.
    #[arg(long, default_value_t = 8, value_parser = usize_in(1..=1_000_000))]
    pub(crate) capacity: usize,
    /// KiB per body.
    #[arg(long, default_value_t = 256, value_parser = usize_in(1..=16_384))]
    pub(crate) body_kib: usize,
    /// Also draw the items waiting in each channel over time into this SVG file
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<std::path::PathBuf>,
}

pub(crate) fn run(stop: &StopSignal, args: Args) -> Result<Flow> {
    let Args {
        items,
        latency_ms,
        cpu_ms,
        concurrency,
        cpu_workers,
        capacity,
        body_kib,
        svg,
    } = args;
    let knobs = super::shared::Knobs {
        latency_ms,
        cpu_ms,
        concurrency: Some(concurrency),
        cpu_workers: Some(cpu_workers),
        capacity,
        body_kib,
    };
    show(&knobs, items, stop, svg.as_deref())
}

pub(crate) fn show(
    knobs: &super::shared::Knobs,
    items: usize,
    stop: &StopSignal,
    svg: Option<&std::path::Path>,
) -> Result<Flow> {
    let scenario = super::shared::scenario(knobs, items);
    let p = super::shared::prepare(knobs, scenario.clone())?;
    super::shared::describe(&p, &scenario);
    println!(
        "The CPU stage is the slow one here: {} thread(s) at {} ms per item, against fetches of {} ms.",
        p.config.cpu_workers,
        ms(p.service.crunch),
        ms(p.service.fetch)
    );
    let mut t = table([
        "channel",
        "max waiting",
        "ms",
        "items/s",
        "fetching done at ms",
        "peak RSS MiB",
        "peak - start MiB",
    ]);
    let mut lines = Vec::new();
    let mut fetch_done = Vec::new();
    let resettable = reset_peak_rss();
    for capacity in [p.config.capacity, Capacity::Unbounded] {
        let config = Config {
            capacity,
            ..p.config.clone()
        };
        reset_peak_rss();
        let start = rss_kib();
        let report = pipeline::run(&p.running.urls, &config, stop).map_err(|f| {
            super::shared::print_failure(&f);
            anyhow::Error::new(f.error)
        })?;
        let peak = peak_rss_kib();
        if report.stopped_early {
            super::shared::print_report(&report);
            return Ok(Flow::Interrupted);
        }
        let q = report
            .queue
            .clone()
            .unwrap_or_else(|| unreachable!("the pipeline has a channel"));
        t.add_row([
            capacity.to_string(),
            q.max_depth.to_string(),
            format!("{:.0}", report.wall.as_secs_f64() * 1e3),
            rate(super::shared::achieved(&report)),
            format!("{:.0}", report.fetch_finished.as_secs_f64() * 1e3),
            mib(peak),
            match (peak, start) {
                (Some(peak), Some(start)) if resettable => mib(Some(peak.saturating_sub(start))),
                _ => "n/a".to_owned(),
            },
        ]);
        fetch_done.push(report.fetch_finished);
        lines.push((capacity, q, report.wall));
    }
    println!("{t}");
    let scale = lines.iter().map(|(_, q, _)| q.max_depth).max().unwrap_or(1);
    let span = lines
        .iter()
        .map(|(_, _, wall)| *wall)
        .max()
        .unwrap_or_default();
    println!(
        "Items waiting in the channel over time (full height = {scale} items; · = no sample):"
    );
    for (capacity, q, _) in &lines {
        println!(
            "  {:<12} |{}|",
            capacity.to_string(),
            sparkline(&q.trace, span, scale, 60)
        );
    }
    if let Some(path) = svg {
        let mut panel = chart::LinePanel::new(
            format!("Items waiting in the channel, {items} URLs, a slow CPU stage"),
            "milliseconds since the start",
            "items waiting",
        );
        for (k, (capacity, q, _)) in lines.iter().enumerate() {
            let points = q
                .trace
                .iter()
                .map(|(at, depth)| (at.as_secs_f64() * 1e3, *depth as f64))
                .collect();
            panel = panel.line(chart::Line::new(
                capacity.to_string(),
                points,
                [2, 1][k % 2],
            ));
        }
        let caption = chart::Caption::this_run(env!("CARGO_PKG_NAME"));
        chart::lines(path, &[panel], &caption)?;
        println!("Wrote the chart to {}.", path.display());
    }
    let (bounded_wall, unbounded_wall) = (lines[0].2.as_secs_f64(), lines[1].2.as_secs_f64());
    if (bounded_wall - unbounded_wall).abs() <= 0.25 * bounded_wall.max(unbounded_wall) {
        println!("Both take as long as the CPU stage needs.");
    } else {
        println!(
            "The two took different times this run ({:.0} ms and {:.0} ms): something besides the CPU\n\
             stage slowed one of them.",
            bounded_wall * 1e3,
            unbounded_wall * 1e3
        );
    }
    // Row 0 is the bounded channel, row 1 the unbounded one.
    let held = lines[0].1.max_depth;
    match lines[0].0 {
        Capacity::Bounded(cap) if held <= cap => println!(
            "The bounded channel never held more than its capacity ({held} of {cap}): when it is full\n\
             the fetch tasks wait, so at most capacity + in flight + CPU threads bodies exist."
        ),
        Capacity::Bounded(cap) => {
            println!("The bounded channel held {held} items, MORE than its capacity of {cap}.")
        }
        Capacity::Unbounded => {}
    }
    if fetch_done[1] < fetch_done[0] {
        println!(
            "The unbounded one let fetching run ahead and finish early ({} ms instead of {} ms), and\n\
             every body it ran ahead with sat in memory until the CPU stage got to it.",
            fetch_done[1].as_millis(),
            fetch_done[0].as_millis()
        );
    } else {
        println!(
            "The unbounded one did not finish fetching earlier this run ({} ms vs {} ms): the fetches\n\
             were no faster than the CPU stage.",
            fetch_done[1].as_millis(),
            fetch_done[0].as_millis()
        );
    }
    if !resettable {
        println!("(This system cannot reset the peak-memory counter: peaks are cumulative.)");
    }
    Ok(Flow::Done)
}

//! What several demos share: the pipeline's flags (`Knobs`, `Faults`), the
//! scenario they start, and the printers of its report.

use std::time::Duration;

use anyhow::{Context, Result};
use course_support::cli::{f64_in, fraction, u64_in, usize_in};
use course_support::cores;
use lesson_09_hybrid_pipeline::bridge::Capacity;
use lesson_09_hybrid_pipeline::pipeline::{Config, Failed, Report, threads_left};
use lesson_09_hybrid_pipeline::scenario::{Running, Scenario};
use lesson_09_hybrid_pipeline::stats::{ms, per_second, rate, stage_table};
use lesson_09_hybrid_pipeline::variants::{Limits, ServiceTimes};
use lesson_09_hybrid_pipeline::work::Work;

/// The shape of the pipeline: latency, CPU per item, workers, channel.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Knobs {
    /// Server latency, milliseconds: the fetch stage's time per item.
    #[arg(long, default_value_t = 20, value_parser = u64_in(0..=10_000))]
    pub(crate) latency_ms: u64,
    /// CPU milliseconds per item, calibrated on this machine: the CPU stage's time per item.
    #[arg(long, default_value_t = 5.0, value_parser = f64_in(0.01..=10_000.0))]
    pub(crate) cpu_ms: f64,
    /// Fetches in flight [default: cpu-workers x latency / cpu-ms, so both stages have the same limit].
    #[arg(long, value_parser = usize_in(1..=10_000))]
    pub(crate) concurrency: Option<usize>,
    /// CPU threads in the rayon pool [default: cores].
    #[arg(long, value_parser = usize_in(1..=256))]
    pub(crate) cpu_workers: Option<usize>,
    /// Room in the channel between fetch and CPU.
    #[arg(long, default_value_t = 8, value_parser = usize_in(1..=1_000_000))]
    pub(crate) capacity: usize,
    /// KiB per body.
    #[arg(long, default_value_t = 4, value_parser = usize_in(1..=16_384))]
    pub(crate) body_kib: usize,
}

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Faults {
    /// Fraction of paths that answer 500 (non-fatal: counted and skipped).
    #[arg(long, default_value_t = 0.0, value_parser = fraction)]
    pub(crate) fail_rate: f64,
    /// This item's URL answers 403 (fatal: stops the pipeline).
    #[arg(long, value_parser = usize_in(0..=10_000_000))]
    pub(crate) fatal_at: Option<usize>,
}

/// A started server, the pipeline's configuration, and the service times measured alone.
pub(crate) struct Prepared {
    pub(crate) running: Running,
    pub(crate) config: Config,
    pub(crate) service: ServiceTimes,
}

pub(crate) fn scenario(knobs: &Knobs, items: usize) -> Scenario {
    Scenario {
        latency: Duration::from_millis(knobs.latency_ms),
        body_bytes: knobs.body_kib << 10,
        ..Scenario::new(items)
    }
}

/// Starts the server, calibrates the CPU work, and measures one fetch and one crunch alone.
pub(crate) fn prepare(knobs: &Knobs, scenario: Scenario) -> Result<Prepared> {
    let running = scenario
        .start()
        .context("could not start the embedded server on 127.0.0.1")?;
    let cpu_workers = knobs.cpu_workers.unwrap_or_else(cores);
    let concurrency = knobs.concurrency.unwrap_or_else(|| {
        // Balanced: c / latency = k / cpu time.
        let c = cpu_workers as f64 * knobs.latency_ms as f64 / knobs.cpu_ms;
        (c.ceil() as usize).clamp(1, 10_000)
    });
    let work = Work::calibrate(Duration::from_secs_f64(knobs.cpu_ms / 1e3));
    let config = Config {
        concurrency,
        capacity: Capacity::Bounded(knobs.capacity),
        cpu_workers,
        ..Config::new(work)
    };
    let service =
        ServiceTimes::measure(&running.samples(8), &config).context("measuring one fetch alone")?;
    Ok(Prepared {
        running,
        config,
        service,
    })
}

pub(crate) fn describe(p: &Prepared, scenario: &Scenario) {
    let c = &p.config;
    println!(
        "{} URLs on {} (latency {} ms, {} KiB bodies{})",
        scenario.items,
        p.running.server.url(),
        scenario.latency.as_millis(),
        scenario.body_bytes >> 10,
        if scenario.fail_rate > 0.0 {
            format!(", {:.0}% answer 500", scenario.fail_rate * 100.0)
        } else {
            String::new()
        }
    );
    println!(
        "fetch: {} in flight | channel: {} | CPU: {} rayon thread(s), {} numbers per item",
        c.concurrency, c.capacity, c.cpu_workers, c.work.numbers
    );
    println!(
        "Measured alone: one fetch {} ms, one crunch {} ms.",
        ms(p.service.fetch),
        ms(p.service.crunch)
    );
}

pub(crate) fn limits_line(limits: &Limits) -> String {
    let slowest = limits.slowest();
    let other = if slowest.stage == "fetch" {
        limits.cpu
    } else {
        limits.fetch
    };
    format!(
        "slowest stage: {} = {} worker(s) / {} ms = {} items/s (the other, {}: {} / {} ms = {} items/s)",
        slowest.stage,
        slowest.workers,
        ms(slowest.per_item),
        rate(slowest.per_second),
        other.stage,
        other.workers,
        ms(other.per_item),
        rate(other.per_second)
    )
}

pub(crate) fn achieved(report: &Report) -> f64 {
    per_second(report.aggregate.items, report.wall)
}

pub(crate) fn print_report(report: &Report) {
    println!("{}", stage_table(&report.stages));
    if let Some(q) = &report.queue {
        println!(
            "channel {}: at most {} waiting; {} sent, {} taken out",
            q.capacity, q.max_depth, q.sent, q.received
        );
    }
    match report.check_flow() {
        Ok(()) => println!(
            "flow: every item accounted for: {} URLs = {} requested + {} not started; \
             {} passed on, {} failed, {} cancelled; {} aggregated once each",
            report.urls,
            report.fetch().items_in,
            report.not_started,
            report.fetch().items_out,
            report.fetch().failed,
            report.cancelled,
            report.aggregate.items
        ),
        Err(why) => println!("flow: MISMATCH: {why}"),
    }
    let a = &report.aggregate;
    println!(
        "aggregate: {} items, {} bytes, {} primes, checksum {:016x}",
        a.items, a.bytes, a.primes, a.checksum
    );
}

/// Throughput against the slowest stage's limit: as predicted from the
/// times measured alone, and as the stages really ran (other programs, and
/// the stages themselves, share the cores).
pub(crate) fn print_achieved(report: &Report, limits: &Limits) {
    let got = achieved(report);
    let slowest = limits.slowest();
    println!(
        "pipeline: {} items/s in {} ms = {:.2} of its slowest stage's limit measured alone ({}: {} / {} ms = {} items/s)",
        rate(got),
        ms(report.wall),
        got / slowest.per_second,
        slowest.stage,
        slowest.workers,
        ms(slowest.per_item),
        rate(slowest.per_second)
    );
    if let Some(s) = report.slowest_in_run() {
        println!(
            "          = {:.2} of its slowest stage's limit during the run ({}: {} / {:.2} ms = {} items/s)",
            got / s.limit(),
            s.name,
            s.workers,
            s.per_item().as_secs_f64() * 1e3,
            rate(s.limit())
        );
    }
}

pub(crate) fn print_failure(failed: &Failed) {
    print_report(&failed.partial);
    println!("run returned Err: {}", failed.error);
    let left = threads_left(&failed.partial.tag, Duration::from_secs(2));
    println!(
        "threads of run {} still alive: {left} ({})",
        failed.partial.tag,
        if left == 0 {
            "every stage was joined"
        } else {
            "NOT every stage was joined"
        }
    );
}

//! `cargo run -p lesson-09-hybrid-pipeline [DEMO]`: with no demo, the guided tour.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand};
use course_support::{cores, ratio, table};
use lesson_09_hybrid_pipeline::bridge::{Capacity, sparkline};
use lesson_09_hybrid_pipeline::memory::{mib, peak_rss_kib, reset_peak_rss, rss_kib};
use lesson_09_hybrid_pipeline::pipeline::{self, Config, Failed, Report, threads_left};
use lesson_09_hybrid_pipeline::scenario::{Running, Scenario};
use lesson_09_hybrid_pipeline::stats::{ms, per_second, percent, rate, stage_table};
use lesson_09_hybrid_pipeline::stop::{EXIT_INTERRUPTED, StopSignal, install_ctrl_c};
use lesson_09_hybrid_pipeline::variants::{Limits, ServiceTimes, Variant};
use lesson_09_hybrid_pipeline::work::Work;

/// The hybrid pattern: an async fetch stage (tokio + reqwest) feeds a rayon
/// CPU stage through a bounded channel, and an aggregate folds the results.
/// Everything runs against an HTTP server embedded in the program, on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "lesson-09-hybrid-pipeline")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// Run the pipeline once: per-stage utilisation, the queue, achieved vs the slowest stage. Ctrl-C stops it gracefully.
    Pipeline {
        #[command(flatten)]
        knobs: Knobs,
        /// URLs to fetch.
        #[arg(long, default_value_t = 200, value_parser = count(1, 10_000_000))]
        items: usize,
        #[command(flatten)]
        faults: Faults,
        /// Raise the stop signal (as Ctrl-C does) once this many items are aggregated.
        #[arg(long, value_parser = count(1, 10_000_000))]
        stop_after: Option<usize>,
        /// An unbounded channel instead of a bounded one.
        #[arg(long)]
        unbounded: bool,
    },
    /// Sequential vs I/O-concurrent only vs CPU-parallel only vs the pipeline, in one table.
    Compare {
        #[command(flatten)]
        knobs: Knobs,
        /// URLs to fetch in each variant.
        #[arg(long, default_value_t = 60, value_parser = count(1, 100_000))]
        items: usize,
    },
    /// The slowest stage sets the pace: raise the fetches in flight until the CPU stage is the bottleneck.
    Bottleneck {
        #[command(flatten)]
        knobs: Knobs,
        /// URLs to fetch at each level.
        #[arg(long, default_value_t = 60, value_parser = count(1, 100_000))]
        items: usize,
        /// Fetches in flight, one run per level.
        #[arg(long, value_delimiter = ',', default_values_t = [1, 2, 4, 8, 16], value_parser = count(1, 10_000))]
        levels: Vec<usize>,
    },
    /// Backpressure: a slow CPU stage behind a bounded vs an unbounded channel: queue depth and peak memory.
    Backpressure {
        /// URLs to fetch.
        #[arg(long, default_value_t = 200, value_parser = count(1, 100_000))]
        items: usize,
        /// Server latency, milliseconds (small: fetching is fast here).
        #[arg(long, default_value_t = 1, value_parser = millis(0, 10_000))]
        latency_ms: u64,
        /// CPU milliseconds per item (large: crunching is slow here).
        #[arg(long, default_value_t = 5.0, value_parser = cpu_ms)]
        cpu_ms: f64,
        /// Fetches in flight.
        #[arg(long, default_value_t = 16, value_parser = count(1, 10_000))]
        concurrency: usize,
        /// CPU threads.
        #[arg(long, default_value_t = 1, value_parser = count(1, 256))]
        cpu_workers: usize,
        /// Room in the bounded channel.
        #[arg(long, default_value_t = 8, value_parser = count(1, 1_000_000))]
        capacity: usize,
        /// KiB per body.
        #[arg(long, default_value_t = 256, value_parser = count(1, 16_384))]
        body_kib: usize,
    },
    /// Errors: non-fatal ones are counted and skipped; a fatal one stops the pipeline and is returned.
    Errors {
        #[command(flatten)]
        knobs: Knobs,
        /// URLs to fetch.
        #[arg(long, default_value_t = 100, value_parser = count(1, 100_000))]
        items: usize,
        /// Fraction of paths that answer 500 in the first run.
        #[arg(long, default_value_t = 0.1, value_parser = rate_arg)]
        fail_rate: f64,
        /// The item whose URL answers 403 in the second run.
        #[arg(long, default_value_t = 30, value_parser = count(0, 10_000_000))]
        fatal_at: usize,
        /// The item whose URL never answers in the second run (still in flight when the 403 comes).
        #[arg(long, default_value_t = 25, value_parser = count(0, 10_000_000))]
        stall_at: usize,
    },
    /// Graceful shutdown: raise the stop signal mid-run (the path Ctrl-C takes) and watch the pipeline drain.
    Shutdown {
        #[command(flatten)]
        knobs: Knobs,
        /// URLs to fetch.
        #[arg(long, default_value_t = 400, value_parser = count(1, 10_000_000))]
        items: usize,
        /// Raise the stop signal once this many items are aggregated.
        #[arg(long, default_value_t = 40, value_parser = count(1, 10_000_000))]
        stop_after: usize,
    },
    /// The benchmark: the four variants, and the pipeline's throughput as a share of its slowest stage's limit.
    Bench {
        #[command(flatten)]
        knobs: Knobs,
        /// URLs per variant in the four-variant table.
        #[arg(long, default_value_t = 300, value_parser = count(1, 1_000_000))]
        items: usize,
        /// URLs in the long pipeline run whose ratio is reported.
        #[arg(long, default_value_t = 2_000, value_parser = count(1, 10_000_000))]
        pipeline_items: usize,
    },
}

/// The shape of the pipeline: latency, CPU per item, workers, channel.
#[derive(Debug, Clone, Args)]
struct Knobs {
    /// Server latency, milliseconds: the fetch stage's time per item.
    #[arg(long, default_value_t = 20, value_parser = millis(0, 10_000))]
    latency_ms: u64,
    /// CPU milliseconds per item, calibrated on this machine: the CPU stage's time per item.
    #[arg(long, default_value_t = 5.0, value_parser = cpu_ms)]
    cpu_ms: f64,
    /// Fetches in flight [default: cpu-workers x latency / cpu-ms, so both stages have the same limit].
    #[arg(long, value_parser = count(1, 10_000))]
    concurrency: Option<usize>,
    /// CPU threads in the rayon pool [default: cores].
    #[arg(long, value_parser = count(1, 256))]
    cpu_workers: Option<usize>,
    /// Room in the channel between fetch and CPU.
    #[arg(long, default_value_t = 8, value_parser = count(1, 1_000_000))]
    capacity: usize,
    /// KiB per body.
    #[arg(long, default_value_t = 4, value_parser = count(1, 16_384))]
    body_kib: usize,
}

#[derive(Debug, Clone, Args)]
struct Faults {
    /// Fraction of paths that answer 500 (non-fatal: counted and skipped).
    #[arg(long, default_value_t = 0.0, value_parser = rate_arg)]
    fail_rate: f64,
    /// This item's URL answers 403 (fatal: stops the pipeline).
    #[arg(long, value_parser = count(0, 10_000_000))]
    fatal_at: Option<usize>,
}

fn count(min: u64, max: u64) -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(min..=max)
}

fn millis(min: u64, max: u64) -> RangedU64ValueParser<u64> {
    RangedU64ValueParser::new().range(min..=max)
}

fn cpu_ms(text: &str) -> Result<f64, String> {
    let x: f64 = text.parse().map_err(|e| format!("{e}"))?;
    if (0.01..=10_000.0).contains(&x) {
        Ok(x)
    } else {
        Err("must be between 0.01 and 10000 ms".into())
    }
}

fn rate_arg(text: &str) -> Result<f64, String> {
    let x: f64 = text.parse().map_err(|e| format!("{e}"))?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err("must be between 0.0 and 1.0".into())
    }
}

/// Did the demo run to its end, or was it stopped by Ctrl-C?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Done,
    Interrupted,
}

fn main() -> ExitCode {
    let demo = Cli::parse().demo.unwrap_or(Demo::Tour);
    let stop = StopSignal::new();
    if let Err(e) = install_ctrl_c(&stop) {
        eprintln!("warning: Ctrl-C will kill the program at once ({e})");
    }
    match dispatch(demo, &stop) {
        Ok(Flow::Done) => ExitCode::SUCCESS,
        Ok(Flow::Interrupted) => {
            println!(
                "\ninterrupted by Ctrl-C: the partial results above are exact for the items they cover"
            );
            ExitCode::from(EXIT_INTERRUPTED)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(demo: Demo, stop: &StopSignal) -> Result<Flow> {
    match demo {
        Demo::Tour => tour(stop),
        Demo::Pipeline {
            knobs,
            items,
            faults,
            stop_after,
            unbounded,
        } => pipeline_demo(&knobs, items, &faults, stop_after, unbounded, stop),
        Demo::Compare { knobs, items } => compare(&knobs, items, stop),
        Demo::Bottleneck {
            knobs,
            items,
            levels,
        } => bottleneck(&knobs, items, &levels, stop),
        Demo::Backpressure {
            items,
            latency_ms,
            cpu_ms,
            concurrency,
            cpu_workers,
            capacity,
            body_kib,
        } => {
            let knobs = Knobs {
                latency_ms,
                cpu_ms,
                concurrency: Some(concurrency),
                cpu_workers: Some(cpu_workers),
                capacity,
                body_kib,
            };
            backpressure(&knobs, items, stop)
        }
        Demo::Errors {
            knobs,
            items,
            fail_rate,
            fatal_at,
            stall_at,
        } => errors(&knobs, items, fail_rate, (fatal_at, stall_at), stop),
        Demo::Shutdown {
            knobs,
            items,
            stop_after,
        } => shutdown(&knobs, items, stop_after, stop),
        Demo::Bench {
            knobs,
            items,
            pipeline_items,
        } => bench(&knobs, items, pipeline_items, stop),
    }
}

/// Runs one subcommand with its default flags, showing the command that does it.
fn section(title: &str, args: &[&str], stop: &StopSignal) -> Result<Flow> {
    println!("\n== {title} ==\n");
    println!(
        "$ cargo run -p lesson-09-hybrid-pipeline -- {}\n",
        args.join(" ")
    );
    let cli =
        Cli::parse_from(std::iter::once("lesson-09-hybrid-pipeline").chain(args.iter().copied()));
    dispatch(cli.demo.expect("the tour runs subcommands"), stop)
}

const IDEA: &str = "\
A job that fetches and then computes has two kinds of work: waiting (I/O) and
computing (CPU). Python's answer is the hybrid pattern: asyncio or threads for the
waiting, a ProcessPoolExecutor for the computing. In Rust:

  fetch (tokio, c requests in flight) -> bounded channel -> CPU (rayon, k threads) -> aggregate

Every stage runs at the same time as the others, each on its own threads. A stage
with w workers and t seconds per item can finish at most w / t items per second:
its limit. The pipeline can go no faster than its slowest stage's limit.";

fn tour(stop: &StopSignal) -> Result<Flow> {
    println!(
        "Lesson 09: the hybrid pipeline. This machine has {} cores.\n",
        cores()
    );
    println!("{IDEA}");
    let sections: [(&str, &[&str]); 6] = [
        (
            "The pipeline, stage by stage",
            &["pipeline", "--items", "120"],
        ),
        (
            "Four ways to fetch and crunch",
            &["compare", "--items", "40"],
        ),
        (
            "The slowest stage sets the pace",
            &["bottleneck", "--items", "48", "--levels", "2,4,8,16"],
        ),
        (
            "Backpressure: bounded vs unbounded channel",
            &["backpressure", "--items", "120"],
        ),
        ("Errors: counted, or fatal", &["errors", "--items", "60"]),
        (
            "Graceful shutdown",
            &["shutdown", "--items", "200", "--stop-after", "30"],
        ),
    ];
    for (title, args) in sections {
        if section(title, args, stop)? == Flow::Interrupted {
            return Ok(Flow::Interrupted);
        }
    }
    println!(
        "\nEvery section is a subcommand with more flags: see `--help`. In release mode,\n\
         `cargo run --release -p lesson-09-hybrid-pipeline -- bench` runs the benchmark."
    );
    Ok(Flow::Done)
}

/// A started server, the pipeline's configuration, and the service times measured alone.
struct Prepared {
    running: Running,
    config: Config,
    service: ServiceTimes,
}

fn scenario(knobs: &Knobs, items: usize) -> Scenario {
    Scenario {
        latency: Duration::from_millis(knobs.latency_ms),
        body_bytes: knobs.body_kib << 10,
        ..Scenario::new(items)
    }
}

/// Starts the server, calibrates the CPU work, and measures one fetch and one crunch alone.
fn prepare(knobs: &Knobs, scenario: Scenario) -> Result<Prepared> {
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

fn describe(p: &Prepared, scenario: &Scenario) {
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

fn limits_line(limits: &Limits) -> String {
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

fn achieved(report: &Report) -> f64 {
    per_second(report.aggregate.items, report.wall)
}

fn print_report(report: &Report) {
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
fn print_achieved(report: &Report, limits: &Limits) {
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

fn print_failure(failed: &Failed) {
    print_report(&failed.partial);
    println!("run returned Err: {}", failed.error);
    println!(
        "threads of run {} still alive: {} (every stage was joined)",
        failed.partial.tag,
        threads_left(&failed.partial.tag, Duration::from_secs(2))
    );
}

fn pipeline_demo(
    knobs: &Knobs,
    items: usize,
    faults: &Faults,
    stop_after: Option<usize>,
    unbounded: bool,
    stop: &StopSignal,
) -> Result<Flow> {
    let scenario = Scenario {
        fail_rate: faults.fail_rate,
        fatal_at: faults.fatal_at,
        ..scenario(knobs, items)
    };
    let mut p = prepare(knobs, scenario.clone())?;
    if unbounded {
        p.config.capacity = Capacity::Unbounded;
    }
    p.config.stop_after = stop_after;
    describe(&p, &scenario);
    let limits = Variant::Pipeline.limits(&p.config, &p.service);
    println!("{}", limits_line(&limits));
    println!("started: fetching {items} items (Ctrl-C stops it gracefully)");
    // --stop-after raises this child; Ctrl-C raises its parent, `stop`.
    let local = stop.child();
    match pipeline::run(&p.running.urls, &p.config, &local) {
        Ok(report) => {
            print_report(&report);
            print_achieved(&report, &limits);
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
            print_failure(&failed);
            Err(anyhow::Error::new(failed.error))
        }
    }
}

fn compare(knobs: &Knobs, items: usize, stop: &StopSignal) -> Result<Flow> {
    let scenario = scenario(knobs, items);
    let p = prepare(knobs, scenario.clone())?;
    describe(&p, &scenario);
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
            print_failure(&f);
            anyhow::Error::new(f.error)
        })?;
        if report.stopped_early {
            print_report(&report);
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
            rate(achieved(&report)),
            ratio(*base_ms, wall_ms),
            slowest.stage.to_owned(),
            rate(slowest.per_second),
            format!("{:.2}", achieved(&report) / slowest.per_second),
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

fn bottleneck(knobs: &Knobs, items: usize, levels: &[usize], stop: &StopSignal) -> Result<Flow> {
    let scenario = scenario(knobs, items);
    let p = prepare(knobs, scenario.clone())?;
    describe(&p, &scenario);
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
    for &c in levels {
        let config = Config {
            concurrency: c,
            ..p.config.clone()
        };
        let limits = Variant::Pipeline.limits(&config, &p.service);
        let report = pipeline::run(&p.running.urls, &config, stop).map_err(|f| {
            print_failure(&f);
            anyhow::Error::new(f.error)
        })?;
        if report.stopped_early {
            print_report(&report);
            return Ok(Flow::Interrupted);
        }
        let slowest = limits.slowest();
        t.add_row([
            c.to_string(),
            rate(limits.fetch.per_second),
            rate(limits.cpu.per_second),
            slowest.stage.to_owned(),
            rate(achieved(&report)),
            format!("{:.2}", achieved(&report) / slowest.per_second),
            percent(report.fetch().utilisation()),
            percent(report.fetch().blocked_share()),
            percent(report.cpu().utilisation()),
            report.queue.as_ref().map_or(0, |q| q.max_depth).to_string(),
        ]);
    }
    println!("{t}");
    println!(
        "Throughput follows the lower of the two limits. Below the crossing, the fetch stage is\n\
         the bottleneck and the CPU threads idle; above it, the CPU stage is, and fetch slots\n\
         spend their time blocked on a full channel: more concurrency buys nothing."
    );
    Ok(Flow::Done)
}

fn backpressure(knobs: &Knobs, items: usize, stop: &StopSignal) -> Result<Flow> {
    let scenario = scenario(knobs, items);
    let p = prepare(knobs, scenario.clone())?;
    describe(&p, &scenario);
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
    let resettable = reset_peak_rss();
    for capacity in [p.config.capacity, Capacity::Unbounded] {
        let config = Config {
            capacity,
            ..p.config.clone()
        };
        reset_peak_rss();
        let start = rss_kib();
        let report = pipeline::run(&p.running.urls, &config, stop).map_err(|f| {
            print_failure(&f);
            anyhow::Error::new(f.error)
        })?;
        let peak = peak_rss_kib();
        if report.stopped_early {
            print_report(&report);
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
            rate(achieved(&report)),
            format!("{:.0}", report.fetch_finished.as_secs_f64() * 1e3),
            mib(peak),
            match (peak, start) {
                (Some(peak), Some(start)) if resettable => mib(Some(peak.saturating_sub(start))),
                _ => "n/a".to_owned(),
            },
        ]);
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
    println!(
        "Both take as long as the CPU stage needs. The bounded channel never holds more than its\n\
         capacity: when it is full the fetch tasks wait, so at most capacity + in flight + CPU\n\
         threads bodies exist. The unbounded one lets fetching run ahead and finish early, and\n\
         every body it ran ahead with sits in memory until the CPU stage gets to it."
    );
    if !resettable {
        println!("(This system cannot reset the peak-memory counter: peaks are cumulative.)");
    }
    Ok(Flow::Done)
}

fn errors(
    knobs: &Knobs,
    items: usize,
    fail_rate: f64,
    (fatal_at, stall_at): (usize, usize),
    stop: &StopSignal,
) -> Result<Flow> {
    // 1. Non-fatal errors: counted and skipped.
    let soft = Scenario {
        fail_rate,
        ..scenario(knobs, items)
    };
    let p = prepare(knobs, soft.clone())?;
    describe(&p, &soft);
    println!("\n1. Non-fatal: a 500 loses one item; the pipeline counts it and goes on.\n");
    match pipeline::run(&p.running.urls, &p.config, stop) {
        Ok(report) => {
            print_report(&report);
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
            print_failure(&failed);
            return Err(anyhow::Error::new(failed.error));
        }
    }
    drop(p);

    // 2. A fatal error: stops everything, and comes back as the run's result.
    let hard = Scenario {
        fatal_at: Some(fatal_at),
        stall_at: Some(stall_at),
        ..scenario(knobs, items)
    };
    let p = prepare(knobs, hard.clone())?;
    println!(
        "\n2. Fatal: item {fatal_at} answers 403 (our credentials are refused: every other request\n\
         would be too), while item {stall_at} never answers (its time limit is {} s). The fetch stage\n\
         stops and cancels its fetches in flight, the stalled one too; the CPU stage drains what\n\
         was already fetched; every thread is joined; `run` returns the error at once.\n",
        p.config.fetch_timeout.as_secs()
    );
    match pipeline::run(&p.running.urls, &p.config, stop) {
        Ok(report) => {
            print_report(&report);
            println!(
                "no fatal error: item {fatal_at} is not in the list of {items} (use --fatal-at below {items})"
            );
        }
        Err(failed) => {
            print_failure(&failed);
            println!(
                "returned after {} ms, not after the stalled fetch's {} s time limit: it was cancelled",
                failed.partial.wall.as_millis(),
                p.config.fetch_timeout.as_secs()
            );
        }
    }
    Ok(Flow::Done)
}

fn shutdown(knobs: &Knobs, items: usize, stop_after: usize, stop: &StopSignal) -> Result<Flow> {
    let scenario = scenario(knobs, items);
    let mut p = prepare(knobs, scenario.clone())?;
    describe(&p, &scenario);
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
            print_report(&report);
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
            print_failure(&failed);
            return Err(anyhow::Error::new(failed.error));
        }
    }
    Ok(if stop.is_triggered() {
        Flow::Interrupted
    } else {
        Flow::Done
    })
}

fn bench(knobs: &Knobs, items: usize, pipeline_items: usize, stop: &StopSignal) -> Result<Flow> {
    println!("== The four variants ({items} items each) ==\n");
    if compare(knobs, items, stop)? == Flow::Interrupted {
        return Ok(Flow::Interrupted);
    }

    println!("\n== The pipeline, {pipeline_items} items ==\n");
    let scenario = scenario(knobs, pipeline_items);
    let p = prepare(knobs, scenario.clone())?;
    describe(&p, &scenario);
    let limits = Variant::Pipeline.limits(&p.config, &p.service);
    println!("{}", limits_line(&limits));
    let report = pipeline::run(&p.running.urls, &p.config, stop).map_err(|f| {
        print_failure(&f);
        anyhow::Error::new(f.error)
    })?;
    print_report(&report);
    if report.stopped_early {
        return Ok(Flow::Interrupted);
    }
    println!();
    print_achieved(&report, &limits);
    println!(
        "utilisation: fetch {}, CPU {}, aggregate {}",
        percent(report.fetch().utilisation()),
        percent(report.cpu().utilisation()),
        percent(report.aggregator().utilisation())
    );

    println!("\n== Backpressure ==\n");
    let bp = Knobs {
        latency_ms: 1,
        concurrency: Some(16),
        cpu_workers: Some(1),
        body_kib: 256,
        ..knobs.clone()
    };
    backpressure(&bp, 400, stop)
}

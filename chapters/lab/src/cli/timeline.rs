//! `timeline`: who ran when, under the simulated lock and free.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::ValueEnum;
use course_support::cli::{f64_in, usize_in};
use lab::gil_timeline;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// cpu: count primes; io: wait, then parse
    #[arg(long, value_enum, default_value_t = GilWorkload::Cpu)]
    pub(crate) workload: GilWorkload,
    /// Lanes (workers) per group
    #[arg(long, default_value_t = 4, value_parser = usize_in(1..=16))]
    pub(crate) lanes: usize,
    /// Numbers each cpu task tests (one task per lane)
    #[arg(long, default_value_t = 300_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub(crate) numbers: u64,
    /// The simulated GIL's switch interval in ms
    #[arg(long, default_value = "5", value_parser = f64_in(0.0..=1_000.0))]
    pub(crate) switch_ms: f64,
    /// Width of the text bars
    #[arg(long, default_value_t = 60, value_parser = usize_in(10..=400))]
    pub(crate) width: usize,
    /// Where to write the SVG [default: target/lab/timeline-WORKLOAD.svg]
    #[arg(long)]
    pub(crate) svg: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> Result<()> {
    let workload = match args.workload {
        GilWorkload::Cpu => gil_sim::workload::Workload::Cpu,
        GilWorkload::Io => gil_sim::workload::Workload::Io,
    };
    let name = match args.workload {
        GilWorkload::Cpu => "cpu",
        GilWorkload::Io => "io",
    };
    let rec = gil_timeline::record(
        workload,
        args.lanes,
        args.numbers,
        Duration::from_secs_f64(args.switch_ms / 1e3),
    );
    println!(
        "{} lanes, one {name} task each, recorded by lesson 01's recorder; █ running, ░ waiting for I/O, · idle or waiting for the lock.\n",
        args.lanes
    );
    print!("{}", gil_timeline::text(&rec, args.width));
    let svg = args
        .svg
        .clone()
        .unwrap_or_else(|| super::paths::lab_dir().join(format!("timeline-{name}.svg")));
    gil_timeline::svg(&rec, &svg)?;
    println!("Wrote the SVG timeline to {}.", super::paths::shown(&svg));
    Ok(())
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum GilWorkload {
    Cpu,
    Io,
}

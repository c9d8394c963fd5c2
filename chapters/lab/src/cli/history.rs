//! `history`: earlier bench runs, as a table and a chart.

use std::path::PathBuf;

use anyhow::Result;
use course_support::cli::usize_in;
use course_support::table;
use lab::bench::{self};
use lab::task::Workload;
use lab::{chart, history};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The history file [default: target/lab/history.jsonl, or $LAB_HISTORY]
    #[arg(long)]
    pub(crate) history: Option<PathBuf>,
    /// Show only this workload
    #[arg(long, value_enum)]
    pub(crate) workload: Option<Workload>,
    /// Runs to list (the most recent)
    #[arg(long, default_value_t = 10, value_parser = usize_in(1..=10_000))]
    pub(crate) last: usize,
    /// Chart the runs comparable with the most recent one (shown) to this SVG
    #[arg(long)]
    pub(crate) svg: Option<PathBuf>,
}

pub(crate) fn run(args: &Args) -> Result<()> {
    let path = args.history.clone().unwrap_or_else(history::default_path);
    let (records, skipped) = history::read(&path)?;
    let records: Vec<_> = records
        .into_iter()
        .filter(|r| args.workload.is_none_or(|w| r.workload == w.name()))
        .collect();
    println!(
        "{}: {} run(s){}.",
        super::paths::shown(&path),
        records.len(),
        if skipped > 0 {
            format!(", {skipped} unreadable line(s) skipped")
        } else {
            String::new()
        }
    );
    let Some(latest) = records.last() else {
        println!("Nothing recorded yet: run `cargo run --release -p lab -- bench` first.");
        return Ok(());
    };
    let mut t = table([
        "time (UTC)",
        "workload",
        "tasks",
        "workers",
        "cores",
        "build",
        "ms per mode",
    ]);
    for r in records.iter().rev().take(args.last).rev() {
        let ms: Vec<String> = r
            .results
            .iter()
            .map(|m| format!("{} {:.0}", m.mode, m.ms))
            .collect();
        t.add_row([
            r.time.clone(),
            r.workload.clone(),
            r.tasks.to_string(),
            r.workers.to_string(),
            r.cores.to_string(),
            r.profile.clone(),
            ms.join(", "),
        ]);
    }
    println!("{t}");
    if let Some(svg) = &args.svg {
        let series = history::series(&records, latest);
        let mut panel = chart::LinePanel::new(
            format!(
                "{} {} tasks, {} workers: each run in the history",
                latest.tasks, latest.workload, latest.workers
            ),
            "run (oldest first)",
            "ms",
        );
        panel.lines = bench::history_lines(&series);
        let caption = chart::Caption::this_run(env!("CARGO_PKG_NAME"));
        chart::lines(svg, &[panel], &caption)?;
        println!(
            "Wrote a chart of the {} run(s) comparable with the latest to {}.",
            series.len(),
            super::paths::shown(svg)
        );
    }
    Ok(())
}

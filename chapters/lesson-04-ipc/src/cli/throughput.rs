//! `throughput`: messages per second through each channel, Python beside.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::u64_in;
use course_support::cli::usize_in;
use course_support::report::grouped;
use course_support::{chart, cores};
use course_support::{ratio, table};
use lesson_04_ipc::{python, throughput};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = super::tour::TOUR_MESSAGES, value_parser = u64_in(2..=100_000_000))]
    pub(crate) messages: u64,
    #[arg(long, default_value_t = cores().clamp(2, 8), value_parser = usize_in(1..=64))]
    pub(crate) producers: usize,
    #[arg(long, default_value_t = 64, value_parser = usize_in(1..=100_000))]
    pub(crate) batch: usize,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args {
        messages,
        producers,
        batch,
    } = args;
    show(spawner, messages, producers, batch, None).map(|_| ())
}

/// The rows the targets compare: one producer process, one message per
/// send, and the same in batches.
#[derive(Debug, Clone, Default)]
pub(crate) struct IpcRates {
    pub(crate) one_by_one: f64,
    pub(crate) batched: f64,
    pub(crate) buffered: f64,
    /// Every row of the table as a bar (Python's in its colour), for a chart.
    pub(crate) bars: Vec<chart::Bar>,
}

/// Prints the throughput table.
pub(crate) fn show(
    spawner: &Spawner,
    messages: u64,
    producers: usize,
    batch: usize,
    py: Option<&python::PythonRun>,
) -> Result<IpcRates> {
    let rows = throughput::measure(spawner, messages, producers, batch)?;
    let rate_of = |kind: throughput::Kind| {
        rows.iter()
            .find(|r| r.kind == kind)
            .map_or(0.0, |r| r.per_second())
    };
    let base = rate_of(throughput::Kind::Mpsc);
    println!(
        "{} small messages per row, timed from the first received to the last (fastest of {} runs):",
        grouped(messages),
        throughput::ROUNDS
    );
    let mut headers = vec![
        "channel",
        "messages/s",
        "ns per message",
        "time vs std mpsc",
    ];
    if py.is_some() {
        headers.extend(["vs Python Queue (idiomatic)", "vs like-for-like Python"]);
    }
    let mut t = table(headers);
    let mut bars = Vec::new();
    let mut add = |label: &str, rate: f64, like: Option<(&str, f64)>| {
        let color = if label.starts_with("Python") {
            chart::PYTHON
        } else if label.contains("thread -> thread") {
            2
        } else {
            3
        };
        bars.push(chart::Bar::new(label, rate, color));
        let mut row = vec![
            label.to_owned(),
            grouped(rate as u64),
            format!("{:.0}", 1e9 / rate.max(1e-9)),
            ratio(base, rate),
        ];
        if let Some(py) = py {
            row.push(ratio(rate, py.queue));
            row.push(like.map_or("-".to_owned(), |(what, py_rate)| {
                format!("{} ({what})", ratio(rate, py_rate))
            }));
        }
        t.add_row(row);
    };
    for r in &rows {
        add(
            &r.label,
            r.per_second(),
            py.and_then(|py| like_for_like(r.kind, py)),
        );
    }
    if let Some(py) = py {
        add("Python multiprocessing.Queue, 1 process", py.queue, None);
        add("Python multiprocessing.Pipe, 1 process", py.pipe, None);
        add(
            &format!("Python Queue, 1 process, lists of {batch}"),
            py.queue_batched,
            None,
        );
        add(
            &format!("Python Pipe, 1 process, lists of {batch}"),
            py.pipe_batched,
            None,
        );
        add(
            "Python byte pipe + BufferedWriter + struct, 1 process",
            py.byte_pipe,
            None,
        );
    }
    println!("{t}");
    Ok(IpcRates {
        one_by_one: rate_of(throughput::Kind::IpcOneProcess),
        batched: rate_of(throughput::Kind::IpcBatched),
        buffered: rate_of(throughput::Kind::StreamOneProcess),
        bars,
    })
}

/// The Python row that does what a Rust row does, the same way: one pickled
/// message per call through a pipe, lists through a pipe, or frames through a
/// buffered byte pipe. `None` for the rows Python has no counterpart run for.
pub(crate) fn like_for_like(
    kind: throughput::Kind,
    py: &python::PythonRun,
) -> Option<(&'static str, f64)> {
    use throughput::Kind;
    match kind {
        Kind::IpcOneProcess => Some(("Pipe", py.pipe)),
        Kind::IpcBatched => Some(("Pipe, lists", py.pipe_batched)),
        Kind::StreamOneProcess => Some(("byte pipe", py.byte_pipe)),
        _ => None,
    }
}

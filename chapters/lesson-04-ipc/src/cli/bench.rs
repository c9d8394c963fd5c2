//! `bench`: startup and throughput at bench sizes, with Python side by side.

use anyhow::Result;
use course_support::chart;
use course_support::child::Spawner;
use course_support::cli::u64_in;
use course_support::cli::usize_in;
use course_support::interpreter::{self, PythonArgs};
use course_support::report::{grouped, met};
use course_support::{cores, ratio, table, tour};
use lesson_04_ipc::python;

use crate::BENCH_MESSAGES;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = BENCH_MESSAGES, value_parser = u64_in(2..=100_000_000))]
    pub(crate) messages: u64,
    #[arg(long, default_value_t = cores().clamp(2, 8), value_parser = usize_in(1..=64))]
    pub(crate) producers: usize,
    #[arg(long, default_value_t = 64, value_parser = usize_in(1..=100_000))]
    pub(crate) batch: usize,
    /// Threads and processes to start for the start-up table.
    #[arg(long, default_value_t = 100, value_parser = usize_in(1..=100_000))]
    pub(crate) starts: usize,
    #[command(flatten)]
    pub(crate) python: PythonArgs,
    /// Also draw the messages per second of every channel (Python's beside) into this SVG file
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<std::path::PathBuf>,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args {
        messages,
        producers,
        batch,
        starts,
        python,
        svg,
    } = args;
    show(
        spawner,
        messages,
        producers,
        batch,
        starts,
        &python,
        svg.as_deref(),
    )
}

pub(crate) fn show(
    spawner: &Spawner,
    messages: u64,
    producers: usize,
    batch: usize,
    starts: usize,
    python: &PythonArgs,
    svg: Option<&std::path::Path>,
) -> Result<()> {
    println!(
        "Lesson 04 bench: {} messages per row, {starts} starts per start-up row, {} cores.",
        grouped(messages),
        cores()
    );
    if cfg!(debug_assertions) {
        println!("(debug build: use --release for numbers worth comparing)");
    }
    let py = match interpreter::announce(python.python_bin.as_deref()) {
        None => None,
        Some(interp) => {
            println!(
                "Running the same work in Python (multiprocessing, start method {})...",
                interp.facts.start_method
            );
            match python::run(&interp, messages, starts.min(20), batch) {
                Ok(run) => Some(run),
                Err(e) => {
                    println!("The Python run failed, going on without it: {e:#}");
                    None
                }
            }
        }
    };
    tour::section("Start-up: threads vs processes");
    super::startup::show(spawner, starts * 10, starts, py.as_ref())?;
    tour::section("Throughput: messages per second");
    let ipc = super::throughput::show(spawner, messages, producers, batch, py.as_ref())?;
    if let Some(path) = svg {
        let panel = chart::BarPanel {
            bars: ipc.bars.clone(),
            ..chart::BarPanel::new(
                format!("{} small messages: messages per second", grouped(messages)),
                "messages per second (log scale, longer is faster)",
                "/s",
            )
            .log()
        };
        chart::bars(
            path,
            &[panel],
            &chart::Caption::this_run(env!("CARGO_PKG_NAME")),
        )?;
        println!("Wrote the chart to {}.", path.display());
    }
    tour::section("Targets (see the book's Targets page)");
    let Some(py) = &py else {
        println!("IPC >= 5x Python's Queue: not measured (no python3).");
        return Ok(());
    };
    println!(
        "IPC messages/s >= 5x Python, 1 producer process each. Each Rust way is judged against\n\
         the Python that does the same thing the same way (like-for-like); the ratio to\n\
         multiprocessing.Queue, what most Python code uses, is shown beside it."
    );
    let mut t = table([
        "Rust",
        "like-for-like Python",
        "ratio",
        "target 5x",
        "vs Queue (idiomatic)",
    ]);
    for (rust, rust_rate, python, py_rate) in [
        (
            "ipc-channel, one message per send",
            ipc.one_by_one,
            "Pipe, one per send",
            py.pipe,
        ),
        (
            "byte pipe + BufWriter, one message per write",
            ipc.buffered,
            "byte pipe + BufferedWriter, one per write",
            py.byte_pipe,
        ),
        (
            &*format!("ipc-channel, batches of {batch}"),
            ipc.batched,
            &*format!("Pipe, lists of {batch}"),
            py.pipe_batched,
        ),
    ] {
        let r = rust_rate / py_rate.max(1e-9);
        t.add_row([
            format!("{rust}: {}/s", grouped(rust_rate as u64)),
            format!("{python}: {}/s", grouped(py_rate as u64)),
            format!("{r:.2}x"),
            met(r >= 5.0).to_owned(),
            ratio(rust_rate, py.queue),
        ]);
    }
    println!("{t}");
    Ok(())
}

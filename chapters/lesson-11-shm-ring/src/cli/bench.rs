//! `bench`: one message per send, process to process, every way in one run.

use anyhow::Result;
use course_support::chart;
use course_support::child::Spawner;
use course_support::cli::{u64_in, usize_in};
use course_support::interpreter::{self, PythonArgs};
use course_support::report::{grouped, met};
use course_support::{cores, table, tour};
use lesson_11_shm_ring::transfer::SLOTS;
use lesson_11_shm_ring::{baseline, python};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Messages per row (Python's rows too).
    #[arg(long, default_value_t = 200_000, value_parser = u64_in(2..=1_000_000_000))]
    pub(crate) messages: u64,
    /// Runs per Rust row; the fastest counts.
    #[arg(long, default_value_t = 3, value_parser = usize_in(1..=20))]
    pub(crate) runs: usize,
    /// Round trips of the cache-line ping-pong.
    #[arg(long, default_value_t = 200_000, value_parser = u64_in(1001..=1_000_000_000))]
    pub(crate) rounds: u64,
    #[command(flatten)]
    pub(crate) python: PythonArgs,
    /// Also draw the messages per second of every way (Python's beside) into this SVG file
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<std::path::PathBuf>,
}

/// The best of `runs` calls of `f` (messages per second).
fn best(runs: usize, mut f: impl FnMut() -> Result<f64>) -> Result<f64> {
    let mut top: f64 = 0.0;
    for _ in 0..runs {
        top = top.max(f()?);
    }
    Ok(top)
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args {
        messages,
        runs,
        rounds,
        python,
        svg,
    } = args;
    println!(
        "Lesson 11 bench: {} messages per row, one producer process sending one message per\n\
         send to this process, timed from the first message received to the last; {} cores.",
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
                "Running the same in Python (multiprocessing, start method {})...",
                interp.facts.start_method
            );
            match python::run(&interp, messages) {
                Ok(run) => Some(run),
                Err(e) => {
                    println!("The Python run failed, going on without it: {e:#}");
                    None
                }
            }
        }
    };

    tour::section("One cache line between two processes");
    let hop = baseline::ping_pong(spawner, rounds)?;
    println!(
        "Two processes pass one cache line back and forth {} times: {hop:.1} ns per hop\n\
         (one write on one core seen by the other) in the fastest batch of {} round trips.\n\
         No message between processes on different cores can cost less than about one hop.",
        grouped(rounds),
        grouped(baseline::BATCH)
    );

    tour::section("One message per send, process to process");
    let waits = super::waits::measure(spawner, messages, SLOTS, runs)?;
    let mut rows: Vec<(String, f64)> = waits
        .iter()
        .map(|(wait, run)| (format!("Rust ring, {} wait", wait.name()), run.per_second()))
        .collect();
    rows.push((
        "Rust ipc-channel, one send each".to_owned(),
        best(runs, || baseline::ipc_channel(spawner, messages))?,
    ));
    rows.push((
        "Rust pipe, one write(2) each".to_owned(),
        best(runs, || baseline::pipe(spawner, messages))?,
    ));
    #[cfg(feature = "iceoryx2")]
    rows.push((
        "Rust iceoryx2 publish-subscribe, send_copy each".to_owned(),
        best(runs, || {
            lesson_11_shm_ring::iceoryx::rate(spawner, messages)
        })?,
    ));
    #[cfg(not(feature = "iceoryx2"))]
    println!(
        "iceoryx2 row skipped: built without it (a large dependency, off by default);\n\
         to run it: cargo run --release -p lesson-11-shm-ring --features iceoryx2 -- bench"
    );
    if let Some(py) = &py {
        rows.push(("Python multiprocessing.Queue".to_owned(), py.queue));
        rows.push(("Python multiprocessing.Pipe".to_owned(), py.pipe));
        rows.push(("Python ring in shared_memory".to_owned(), py.shm_ring));
    } else {
        println!("Python rows skipped: no Python (see the line above).");
    }
    let queue = py.as_ref().map(|p| p.queue);
    let mut t = table([
        "way",
        "messages/s",
        "ns/message",
        "vs Python Queue",
        "cache-line hops per message",
    ]);
    for (way, rate) in &rows {
        let ns = 1e9 / rate.max(1e-9);
        t.add_row([
            way.clone(),
            grouped(*rate as u64),
            format!("{ns:.1}"),
            queue.map_or("n/a".to_owned(), |q| format!("{:.2}x", rate / q)),
            format!("{:.2}", ns / hop),
        ]);
    }
    println!("{t}");
    println!(
        "Each Rust row is the fastest of {runs} runs; each Python row is one run of python/ring.py."
    );
    if let Some(path) = &svg {
        draw(path, messages, &rows)?;
    }

    tour::section("Targets (see the book's Targets page)");
    let Some(queue) = queue else {
        println!("Ring >= 10x Python's Queue per message: not measured (no Python).");
        return Ok(());
    };
    let mut t = table(["ring", "messages/s", "vs Python Queue", "target 10x"]);
    for (wait, run) in &waits {
        let r = run.per_second() / queue;
        t.add_row([
            wait.name().to_owned(),
            grouped(run.per_second() as u64),
            format!("{r:.2}x"),
            met(r >= 10.0).to_owned(),
        ]);
    }
    println!("{t}");
    let (fastest, run) = waits
        .iter()
        .max_by(|a, b| a.1.per_second().total_cmp(&b.1.per_second()))
        .expect("three strategies");
    println!(
        "Fastest ring ({}): {:.1} ns per message, {:.2} cache-line hops of {hop:.1} ns.",
        fastest.name(),
        run.ns_per_message(),
        run.ns_per_message() / hop
    );
    Ok(())
}

/// The table's messages per second as bars, Python's in their own colour.
fn draw(path: &std::path::Path, messages: u64, rows: &[(String, f64)]) -> Result<()> {
    let bars = rows
        .iter()
        .map(|(way, rate)| {
            let color = if way.starts_with("Python") {
                chart::PYTHON
            } else {
                0
            };
            chart::Bar::new(way.clone(), *rate, color)
        })
        .collect();
    let panel = chart::BarPanel {
        bars,
        ..chart::BarPanel::new(
            format!(
                "{} messages, one per send: messages per second",
                grouped(messages)
            ),
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
    Ok(())
}

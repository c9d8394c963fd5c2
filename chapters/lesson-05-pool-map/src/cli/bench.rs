//! `bench`: scaling at bench sizes, the target, and Python side by side.

use anyhow::Result;
use course_support::chart;
use course_support::child::Spawner;
use course_support::cli::usize_in;
use course_support::interpreter::{self, PythonArgs};
use course_support::report::met;
use course_support::tour;
use course_support::{cores, ratio, table};
use lesson_05_pool_map::python;
use lesson_05_pool_map::scaling::{self, Mode};

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// Count the primes below this number
    #[arg(long, default_value_t = 3_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub(crate) limit: u64,
    /// Blocks the range is cut into
    #[arg(long, default_value_t = 300, value_parser = usize_in(1..=1_000_000))]
    pub(crate) blocks: usize,
    /// Blocks per chunk (Python gets the same)
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=1_000_000))]
    pub(crate) chunk: usize,
    /// Chunks a worker process may hold at once (1: the next only when done)
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=1_000))]
    pub(crate) prefetch: usize,
    /// Worker counts [default: 1..=cores, cores + 1, 2 x cores]
    #[arg(long, value_delimiter = ',', value_parser = usize_in(1..=256))]
    pub(crate) workers: Vec<usize>,
    /// Rounds over every row; each row keeps its fastest run
    #[arg(long, default_value_t = 3, value_parser = usize_in(1..=100))]
    pub(crate) repeat: usize,
    /// Skip the Python side (it takes the longest)
    #[arg(long)]
    pub(crate) no_python: bool,
    #[command(flatten)]
    pub(crate) python: PythonArgs,
    /// Also draw this run's speed-up and efficiency over workers (Python's beside Rust's) into this SVG file
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<std::path::PathBuf>,
}

pub(crate) fn run(spawner: &Spawner, a: &Args) -> Result<()> {
    println!("Lesson 05 bench: the prime count, {} cores.", cores());
    if cfg!(debug_assertions) {
        println!("(debug build: use --release for numbers worth comparing)");
    }
    let scaling_args = super::scaling::Args {
        limit: a.limit,
        blocks: a.blocks,
        chunk: a.chunk,
        prefetch: a.prefetch,
        workers: a.workers.clone(),
        repeat: a.repeat,
    };
    tour::section("Scaling: sequential, threads, rayon, processes");
    let runs = super::scaling::run(spawner, &scaling_args)?;
    let base = runs[0];
    let n = cores();
    let at_cores = |mode: Mode| runs.iter().find(|r| r.mode == mode && r.workers == n);

    tour::section("Target (see the book's Targets page): parallel efficiency >= 97% of cores");
    let mut t = table([
        "mode",
        "workers = cores",
        "speed-up",
        "efficiency",
        "target 97%",
    ]);
    for mode in Mode::PARALLEL {
        match at_cores(mode) {
            Some(r) => {
                let s = scaling::speedup(base.total(), r.total());
                let e = scaling::efficiency(s, n);
                t.add_row([
                    mode.label().to_owned(),
                    n.to_string(),
                    format!("{s:.2}x"),
                    format!("{:.1}%", 100.0 * e),
                    met(e >= 0.97).to_owned(),
                ]);
            }
            None => {
                t.add_row([mode.label(), "not measured (see --workers)", "", "", ""]);
            }
        }
    }
    println!("{t}");
    println!(
        "Simulated-GIL threads (about 1x) are lesson 01's: cargo run --release -p lesson-01-gil -- gil"
    );

    tour::section("Python side by side: the same blocks, the same chunks");
    if a.no_python {
        println!("Skipped (--no-python).");
        return chart(a, &runs, &[]);
    }
    let Some(py) = interpreter::announce(a.python.python_bin.as_deref()) else {
        return chart(a, &runs, &[]);
    };
    let f = &py.facts;
    let mut modes = vec!["sequential", "threads", "processes"];
    py.offers("free-threaded ThreadPool row", &f.free_threads());
    if py.offers("InterpreterPoolExecutor row", &f.interpreter_pool()) {
        modes.push("interpreters");
    }
    println!(
        "Running the prime count in Python: {} with {n} workers, the fastest of {} runs each...",
        modes.join(", "),
        a.repeat
    );
    let run = match python::run(&py, a.limit, a.blocks, a.chunk, n, a.repeat, &modes) {
        Ok(run) => run,
        Err(e) => {
            println!("The Python run failed, going on without it: {e:#}");
            return chart(a, &runs, &[]);
        }
    };
    let threads = if run.gil_on {
        format!("{n} threads (Python: ThreadPool, GIL on: one at a time)")
    } else {
        format!("{n} threads (Python: ThreadPool, free-threaded, GIL off)")
    };
    let rows = [
        ("sequential", "one worker".to_owned(), Some(base)),
        ("threads", threads, at_cores(Mode::Threads).copied()),
        (
            "processes",
            format!("{n} processes (Python: multiprocessing.Pool)"),
            at_cores(Mode::Processes).copied(),
        ),
        (
            "interpreters",
            format!("{n} interpreters (Python: InterpreterPoolExecutor; Rust: threads)"),
            at_cores(Mode::Threads).copied(),
        ),
    ];
    let mut t = table([
        "",
        "Rust ms",
        "Python ms",
        "ratio Rust/Python (time)",
        "Rust is faster by",
        "same answer",
    ]);
    for (mode, label, rust) in rows {
        let (Some(rust), Some(py_row)) = (rust, run.rows.get(mode)) else {
            continue;
        };
        t.add_row([
            label,
            format!("{:.1}", rust.ms()),
            format!("{:.1}", py_row.ms),
            format!("{:.4}", rust.ms() / py_row.ms.max(1e-9)),
            ratio(py_row.ms, rust.ms()),
            if rust.primes == py_row.primes {
                "yes"
            } else {
                "NO"
            }
            .to_owned(),
        ]);
    }
    println!("{t}");
    let seq = run.rows["sequential"].ms;
    let speedups: Vec<String> = ["threads", "processes", "interpreters"]
        .into_iter()
        .filter_map(|m| run.rows.get(m).map(|r| format!("{m} {}", ratio(seq, r.ms))))
        .collect();
    println!(
        "Python's own speed-ups over one worker: {} (both sides: the fastest of {} runs).",
        speedups.join(", "),
        a.repeat
    );
    let python: Vec<(&str, f64)> = ["threads", "processes", "interpreters"]
        .into_iter()
        .filter_map(|m| run.rows.get(m).map(|r| (m, seq / r.ms.max(1e-9))))
        .collect();
    chart(a, &runs, &python)
}

// ANCHOR: chart
/// With `--svg`: this run's speed-up and efficiency over workers, one line per
/// Rust mode, the ideal dashed, and Python's speed-ups at `cores()` workers.
fn chart(a: &Args, runs: &[scaling::Run], python: &[(&str, f64)]) -> Result<()> {
    let Some(path) = &a.svg else {
        return Ok(());
    };
    let base = runs[0].total();
    let series = |mode: Mode, f: &dyn Fn(&scaling::Run) -> f64| -> Vec<(f64, f64)> {
        runs.iter()
            .filter(|r| r.mode == mode)
            .map(|r| (r.workers as f64, f(r)))
            .collect()
    };
    let speedup = |r: &scaling::Run| scaling::speedup(base, r.total());
    let efficiency = |r: &scaling::Run| 100.0 * scaling::efficiency(speedup(r), r.workers);
    let most = runs.iter().map(|r| r.workers).max().unwrap_or(1);
    let ideal = (1..=most)
        .map(|w| (w as f64, w.min(cores()) as f64))
        .collect();
    let mut up = chart::LinePanel::new(
        format!("Speed-up over one worker, {} cores", cores()),
        "workers",
        "speed-up (x)",
    )
    .line(chart::Line::new("ideal: min(workers, cores)", ideal, chart::BASELINE).dashed());
    let mut eff = chart::LinePanel::new(
        "Efficiency: speed-up / workers",
        "workers",
        "efficiency (%)",
    );
    for (k, mode) in Mode::PARALLEL.into_iter().enumerate() {
        let color = [2, 4, 3][k];
        up = up.line(chart::Line::new(
            mode.label(),
            series(mode, &speedup),
            color,
        ));
        eff = eff.line(chart::Line::new(
            mode.label(),
            series(mode, &efficiency),
            color,
        ));
    }
    for (mode, s) in python {
        let points = vec![(1.0, 1.0), (cores() as f64, *s)];
        // Python's threads in the GIL threads' red, its interpreters in brown.
        let color = match *mode {
            "threads" => 1,
            "interpreters" => 6,
            _ => chart::PYTHON,
        };
        up = up.line(chart::Line::new(format!("Python {mode}"), points, color));
    }
    let caption = chart::Caption::this_run(env!("CARGO_PKG_NAME"));
    chart::lines(path, &[up, eff], &caption)?;
    println!("Wrote the chart to {}.", path.display());
    Ok(())
}
// ANCHOR_END: chart

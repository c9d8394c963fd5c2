//! `bench`: overhead and CPU work at bench sizes, with Python side by side.

use std::time::Duration;

use anyhow::Result;
use course_support::chart;
use course_support::child::Spawner;
use course_support::cli::u64_in;
use course_support::cli::usize_in;
use course_support::interpreter::{self, PythonArgs};
use course_support::tour;
use course_support::{cores, ratio, table};
use lesson_07_executors::measure;
use lesson_07_executors::python;

use crate::BENCH_LIMIT;
use crate::BENCH_PROCESS_TASKS;
use crate::BENCH_TASKS;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = cores(), value_parser = usize_in(1..=256))]
    pub(crate) workers: usize,
    #[arg(long, default_value_t = BENCH_TASKS, value_parser = usize_in(1..=10_000_000))]
    pub(crate) tasks: usize,
    #[arg(long, default_value_t = BENCH_PROCESS_TASKS, value_parser = usize_in(1..=1_000_000))]
    pub(crate) process_tasks: usize,
    #[arg(long, default_value_t = BENCH_LIMIT, value_parser = u64_in(1..=1_000_000_000))]
    pub(crate) limit: u64,
    /// Primes limit for Python's (slower) run of the CPU batch.
    #[arg(long, default_value_t = 1_000_000, value_parser = u64_in(1..=1_000_000_000))]
    pub(crate) python_limit: u64,
    /// Run each CPU batch this many times and keep the fastest.
    #[arg(long, default_value_t = 3, value_parser = usize_in(1..=100))]
    pub(crate) repeats: usize,
    #[command(flatten)]
    pub(crate) python: PythonArgs,
    /// Also draw the cost per task of every executor (Python's beside) into this SVG file
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<std::path::PathBuf>,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args {
        workers,
        tasks,
        process_tasks,
        limit,
        python_limit,
        repeats,
        python,
        svg,
    } = args;
    let svg = svg.as_deref();
    show(
        spawner,
        Sizes {
            workers,
            tasks,
            process_tasks,
            limit,
            python_limit,
            repeats,
        },
        &python,
        svg,
    )
}

/// What `bench` measures with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    pub(crate) workers: usize,
    pub(crate) tasks: usize,
    pub(crate) process_tasks: usize,
    pub(crate) limit: u64,
    pub(crate) python_limit: u64,
    pub(crate) repeats: usize,
}

pub(crate) fn show(
    spawner: &Spawner,
    sizes: Sizes,
    python: &PythonArgs,
    svg: Option<&std::path::Path>,
) -> Result<()> {
    let Sizes {
        workers,
        tasks,
        process_tasks,
        limit,
        python_limit,
        repeats,
    } = sizes;
    println!("Lesson 07 bench: {workers} workers on {} cores.", cores());
    super::cpu::print_load();
    tour::section("Per-task overhead");
    let o = super::overhead::show(spawner, workers, tasks, process_tasks)?;
    tour::section("CPU-bound batch");
    let blocks = 8 * workers;
    let runs = super::cpu::show(spawner, limit, blocks, workers, repeats)?;
    tour::section("Python's executors, same machine");
    let py = interpreter::announce(python.python_bin.as_deref()).and_then(|interp| {
        let interpreters = interp.offers(
            "InterpreterPoolExecutor rows",
            &interp.facts.interpreter_pool(),
        );
        interp.offers(
            "free-threaded ThreadPoolExecutor row",
            &interp.facts.free_threads(),
        );
        println!(
            "The same tasks on ThreadPoolExecutor, ProcessPoolExecutor and multiprocessing.Pool{} \
             ({workers} workers), primes below {python_limit}; per-task costs from one run, \
             CPU batches the fastest of {repeats}, on both sides.",
            if interpreters {
                " and InterpreterPoolExecutor"
            } else {
                ""
            }
        );
        let sizes = python::PythonSizes {
            workers,
            tasks: tasks.min(20_000),
            process_tasks,
            limit: python_limit,
            blocks,
            repeats,
            interpreters,
        };
        match python::run(&interp, sizes, Duration::from_secs(900)) {
            Ok(r) => Some(r),
            Err(e) => {
                println!("The Python run failed, going on without it: {e:#}");
                None
            }
        }
    });
    tour::section("Targets, as ratios measured in this run");
    let thread_us = o.rows[1].us_each();
    let process_us = o.rows[3].us_each();
    let base = runs[0].elapsed.as_secs_f64();
    let mut t = table(["measure", "Rust", "Python", "note"]);
    // Each Rust pool against the Python it is compared with, and why.
    type PerTask = fn(&python::PythonRun) -> f64;
    let per_task: [(&str, f64, PerTask, &str); 4] = [
        (
            "thread pool, us per task (Python: ThreadPoolExecutor.submit)",
            thread_us,
            |p| p.threads_us,
            "like-for-like",
        ),
        (
            "process pool, us per task (Python: Pool.apply_async)",
            process_us,
            |p| p.pool_apply_async_us,
            "like-for-like",
        ),
        (
            "process pool, us per task (Python: Pool.map, chunksize=1)",
            process_us,
            |p| p.pool_map_chunk1_us,
            "one task per message",
        ),
        (
            "process pool, us per task (Python: ProcessPoolExecutor.submit)",
            process_us,
            |p| p.processes_us,
            "idiomatic, not like-for-like",
        ),
    ];
    for (label, rust, python_us, what) in per_task {
        t.add_row([
            label.to_owned(),
            format!("{rust:.2}"),
            py.as_ref()
                .map_or("-".into(), |p| format!("{:.2}", python_us(p))),
            py.as_ref().map_or(String::new(), |p| {
                format!("Rust {} cheaper ({what})", ratio(python_us(p), rust))
            }),
        ]);
    }
    t.add_row([
        "process task / thread task".to_owned(),
        ratio(process_us, thread_us),
        py.as_ref()
            .map_or("-".into(), |p| ratio(p.pool_apply_async_us, p.threads_us)),
        "what crossing a process boundary costs (Python: apply_async / submit)".to_owned(),
    ]);
    let efficiency = |s: f64| format!("{s:.2}x ({:.0}% efficiency)", 100.0 * s / workers as f64);
    for (i, label) in [(1, "thread pool"), (2, "process pool")] {
        let s = base / runs[i].elapsed.as_secs_f64();
        let py_s = py.as_ref().map(|p| {
            let t = if i == 1 {
                p.cpu_threads_s
            } else {
                p.cpu_processes_s
            };
            p.cpu_sequential_s / t
        });
        let gil = py.as_ref().is_some_and(|p| p.gil_on);
        t.add_row([
            format!("CPU speed-up, {label}"),
            efficiency(s),
            py_s.map_or("-".into(), efficiency),
            match (i, gil) {
                (1, true) => "target: >= 97% efficiency; Python's threads: ~1x (the GIL is on)",
                (1, false) => "target: >= 97% efficiency; Python's threads: free-threaded, GIL off",
                _ => "target: >= 97% efficiency",
            }
            .to_owned(),
        ]);
    }
    for row in measure::interpreter_targets(&o, &runs, py.as_ref()) {
        t.add_row(row);
    }
    println!("{t}");
    if let Some(path) = svg {
        chart(path, &o, py.as_ref())?;
    }
    Ok(())
}

/// The cost per task of each Rust pool and each Python executor, one bar each.
fn chart(
    path: &std::path::Path,
    o: &measure::Overhead,
    py: Option<&python::PythonRun>,
) -> Result<()> {
    let mut panel = chart::BarPanel::new(
        format!(
            "Cost per task, {} workers: an empty task, submitted and collected",
            o.workers
        ),
        "microseconds per task (log scale, shorter is cheaper)",
        "µs",
    )
    .log();
    for row in &o.rows {
        let color = if row.label.contains("process") { 3 } else { 2 };
        panel = panel.bar(chart::Bar::new(row.label, row.us_each(), color));
    }
    if let Some(p) = py {
        let mut rows = vec![
            ("Python ThreadPoolExecutor.submit", p.threads_us),
            ("Python Pool.apply_async", p.pool_apply_async_us),
            ("Python Pool.map, chunksize=1", p.pool_map_chunk1_us),
            ("Python ProcessPoolExecutor.submit", p.processes_us),
        ];
        if let Some(us) = p.interpreters_us {
            rows.push(("Python InterpreterPoolExecutor.submit", us));
        }
        for (label, us) in rows {
            panel = panel.bar(chart::Bar::new(label, us, chart::PYTHON));
        }
    }
    let caption = chart::Caption::this_run(env!("CARGO_PKG_NAME"));
    chart::bars(path, &[panel], &caption)?;
    println!("Wrote the chart to {}.", path.display());
    Ok(())
}

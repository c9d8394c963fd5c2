//! `primes`: the prime count on every engine, one table.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::usize_in;
use course_support::{cores, time};
use lesson_12_distributed::cluster::{self, JobSpec};
use lesson_12_distributed::jobs::prime_tasks;
use lesson_12_distributed::python::{self, Answer, PyJob};
use lesson_12_distributed::single;

use super::shared::{CLUSTER_LIMIT, Line, PythonSide, Shapes, print_lines};

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// Count the primes below this number
    #[arg(long, default_value_t = 300_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub(crate) limit: u64,
    /// Tasks the range is cut into (the same cut everywhere)
    #[arg(long, default_value_t = 32, value_parser = usize_in(1..=1_000_000))]
    pub(crate) tasks: usize,
    #[command(flatten)]
    pub(crate) shapes: Shapes,
    #[command(flatten)]
    pub(crate) python: PythonSide,
}

/// The table's rows; the first is the plain loop.
pub(crate) fn run(spawner: &Spawner, a: &Args) -> Result<Vec<Line>> {
    println!(
        "The primes below {} in {} tasks, {} cores.",
        course_support::report::grouped(a.limit),
        a.tasks,
        cores()
    );
    let tasks = prime_tasks(a.limit, a.tasks);
    let base = time(|| single::primes_loop(&tasks));
    let expected = base.value;
    let mut lines = vec![Line::local("loop", 1, base.ms(), true)];
    let r = time(|| single::primes_rayon(&tasks));
    lines.push(Line::local("rayon", cores(), r.ms(), r.value == expected));
    for shape in a.shapes.all() {
        let job = JobSpec::Primes {
            limit: a.limit,
            tasks: a.tasks,
        };
        let run = cluster::run(spawner, shape, &job, CLUSTER_LIMIT)?;
        lines.push(Line::timely(&run, run.primes == expected));
    }
    if let Some(py) = a.python.find() {
        let run = python::jobs(
            &py,
            &PyJob::Primes {
                limit: a.limit,
                tasks: &[a.tasks],
            },
            cores(),
            &["pool", "dask"],
        )?;
        lines.extend(
            run.rows
                .iter()
                .map(|r| python_line(r, r.answer == Answer::Primes(expected))),
        );
        if let Some(line) = run.skipped {
            println!("{line}");
        }
    }
    println!("primes: {}", course_support::report::grouped(expected));
    print_lines(&lines);
    println!(
        "start-up: starting the processes and connecting them (timely), or the LocalCluster (dask).\n\
         bytes sent: timely counts every message its processes wrote to each other (data and progress);\n\
         dask: the pickled tasks and results plus what its workers report they sent each other."
    );
    Ok(lines)
}

/// A Python row as a table line.
pub(crate) fn python_line(r: &python::Row, right: bool) -> Line {
    Line {
        engine: r.engine.clone(),
        place: if r.engine == "dask" {
            "LocalCluster".into()
        } else {
            "1 machine".into()
        },
        workers: r.workers,
        start_ms: r.start_ms,
        job_ms: r.job_ms,
        bytes: r.bytes,
        messages: None,
        right,
    }
}

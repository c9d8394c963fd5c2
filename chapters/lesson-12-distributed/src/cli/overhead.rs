//! `overhead`: the same prime count cut into few big tasks and many tiny
//! ones. The work is the same; what grows with the number of tasks is the
//! engine's cost per task, and a straight line through the times gives it.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::usize_in;
use course_support::report::grouped;
use course_support::{cores, table, time};
use lesson_12_distributed::cluster::{self, JobSpec, Shape};
use lesson_12_distributed::jobs::prime_tasks;
use lesson_12_distributed::model::{self, Fit};
use lesson_12_distributed::python::{self, PyJob};
use lesson_12_distributed::single;

use super::shared::{CLUSTER_LIMIT, PythonSide};

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// Count the primes below this number...
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub(crate) limit: u64,
    /// ... cut into each of these numbers of tasks
    #[arg(long, value_delimiter = ',', default_values_t = [4, 64, 1024], value_parser = usize_in(1..=1_000_000))]
    pub(crate) tasks: Vec<usize>,
    #[command(flatten)]
    pub(crate) python: PythonSide,
}

/// One engine's sweep and its fitted line.
#[derive(Debug, Clone)]
pub(crate) struct Sweep {
    pub(crate) engine: String,
    pub(crate) workers: usize,
    /// `(tasks, job ms)`.
    pub(crate) points: Vec<(usize, f64)>,
    pub(crate) fit: Option<Fit>,
}

pub(crate) fn run(spawner: &Spawner, a: &Args) -> Result<Vec<Sweep>> {
    let n = cores();
    println!(
        "The primes below {} cut into {:?} tasks: same work, more and smaller tasks.",
        grouped(a.limit),
        a.tasks
    );
    let mut sweeps = Vec::new();
    let mut rayon = Vec::new();
    for &k in &a.tasks {
        let tasks = prime_tasks(a.limit, k);
        rayon.push((k, time(|| single::primes_rayon(&tasks)).ms()));
    }
    sweeps.push(sweep("rayon", n, rayon));
    let shape = Shape {
        processes: n,
        threads: 1,
    };
    let mut timely = Vec::new();
    for &k in &a.tasks {
        let run = cluster::run(
            spawner,
            shape,
            &JobSpec::Primes {
                limit: a.limit,
                tasks: k,
            },
            CLUSTER_LIMIT,
        )?;
        timely.push((k, run.job_ms));
    }
    sweeps.push(sweep(&format!("timely {}", shape.label()), n, timely));
    if let Some(py) = a.python.find() {
        let run = python::jobs(
            &py,
            &PyJob::Primes {
                limit: a.limit,
                tasks: &a.tasks,
            },
            n,
            &["pool", "dask"],
        )?;
        for engine in ["ProcessPoolExecutor", "dask"] {
            let points: Vec<(usize, f64)> = run
                .rows
                .iter()
                .filter(|r| r.engine == engine)
                .map(|r| (r.tasks, r.job_ms))
                .collect();
            if !points.is_empty() {
                sweeps.push(sweep(engine, n, points));
            }
        }
        if let Some(line) = run.skipped {
            println!("{line}");
        }
    }
    print_sweeps(&a.tasks, &sweeps);
    Ok(sweeps)
}

fn sweep(engine: &str, workers: usize, points: Vec<(usize, f64)>) -> Sweep {
    let xy: Vec<(f64, f64)> = points.iter().map(|&(k, ms)| (k as f64, ms)).collect();
    Sweep {
        engine: engine.to_owned(),
        workers,
        fit: model::fit(&xy),
        points,
    }
}

/// The job times, then the fitted cost per task and the break-even task size.
pub(crate) fn print_sweeps(tasks: &[usize], sweeps: &[Sweep]) {
    let mut headers = vec!["engine".to_owned(), "workers".to_owned()];
    headers.extend(tasks.iter().map(|k| format!("{} tasks ms", grouped(k))));
    let mut t = table(headers);
    for s in sweeps {
        let mut row = vec![s.engine.clone(), s.workers.to_string()];
        row.extend(s.points.iter().map(|(_, ms)| format!("{ms:.1}")));
        t.add_row(row);
    }
    println!("{t}");
    let mut t = table([
        "engine",
        "each extra task adds (us)",
        "= worker time per task (us)",
        "task must compute (ms) for < 10% overhead",
    ]);
    for s in sweeps {
        match s.fit {
            Some(f) => {
                let us = f.per_task_ms * 1e3;
                t.add_row([
                    s.engine.clone(),
                    format!("{us:.1}"),
                    format!("{:.1}", us * s.workers as f64),
                    format!(
                        "{:.2}",
                        model::break_even_task_ms(f.per_task_ms, s.workers, 0.10)
                    ),
                ]);
            }
            None => {
                t.add_row([
                    s.engine.clone(),
                    "needs two task counts".into(),
                    "-".into(),
                    "-".into(),
                ]);
            }
        }
    }
    println!("{t}");
    println!(
        "The slope of job time against the number of tasks (least squares); a negative or tiny slope\n\
         means the cost per task is lost in the noise at these sizes. Each task costs some worker\n\
         slope x workers of its time; under 10% overhead needs tasks of at least 9x that."
    );
}

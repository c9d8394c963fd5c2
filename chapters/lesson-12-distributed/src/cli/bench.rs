//! `bench`: both jobs at bench sizes, the per-task sweep, and the model for
//! 10 and 100 machines built from them, in one run.

use anyhow::Result;
use course_support::chart;
use course_support::child::Spawner;
use course_support::{cores, table, tour};
use lesson_12_distributed::model::{Model, Prediction};

use super::overhead::Sweep;
use super::shared::{Line, PythonSide, Shapes};

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// The prime count below this number
    #[arg(long, default_value_t = 2_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub(crate) limit: u64,
    /// ... in this many tasks
    #[arg(long, default_value_t = 64, value_parser = course_support::cli::usize_in(1..=1_000_000))]
    pub(crate) tasks: usize,
    /// Word count: files, and words in each
    #[arg(long, default_value_t = 32, value_parser = course_support::cli::usize_in(1..=10_000))]
    pub(crate) files: usize,
    #[arg(long, default_value_t = 100_000, value_parser = course_support::cli::usize_in(1..=10_000_000))]
    pub(crate) words: usize,
    /// ASSUMED for the model: each machine's network link, in Gbit/s
    #[arg(long, default_value_t = 1.0, value_parser = course_support::cli::f64_in(0.001..=1000.0))]
    pub(crate) link_gbit: f64,
    /// ASSUMED for the model: one round trip between machines, in ms
    #[arg(long, default_value_t = 0.5, value_parser = course_support::cli::f64_in(0.001..=1000.0))]
    pub(crate) rtt_ms: f64,
    #[command(flatten)]
    pub(crate) python: PythonSide,
    /// Also draw each job's time (start-up included) per engine into this SVG file
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<std::path::PathBuf>,
}

pub(crate) fn run(spawner: &Spawner, a: &Args) -> Result<()> {
    println!(
        "Lesson 12 bench: {} cores, timely on loopback, dask LocalCluster.",
        cores()
    );
    if cfg!(debug_assertions) {
        println!("(debug build: use --release for numbers worth comparing)");
    }
    let shapes = Shapes {
        processes: vec![1, 2],
        threads: vec![1, 2],
    };
    tour::section("The prime count");
    let primes = super::primes::run(
        spawner,
        &super::primes::Args {
            limit: a.limit,
            tasks: a.tasks,
            shapes: shapes.clone(),
            python: a.python.clone(),
        },
    )?;
    tour::section("The word count");
    let words = super::words::run(
        spawner,
        &super::words::Args {
            files: a.files,
            words: a.words,
            shapes,
            python: a.python.clone(),
        },
    )?;
    tour::section("Cost per task: the same count in 4 to 2,048 tasks");
    let sweeps = super::overhead::run(
        spawner,
        &super::overhead::Args {
            limit: a.limit / 6,
            tasks: vec![4, 64, 512, 2048],
            python: a.python.clone(),
        },
    )?;
    tour::section("Model, not measured: the same jobs on 10 and 100 machines");
    print_model(a, &primes, a.tasks, &words, a.files, &sweeps);
    if let Some(path) = &a.svg {
        draw(
            path,
            &[("The prime count", &primes), ("The word count", &words)],
        )?;
    }
    Ok(())
}

/// Each job's time as a user waits for it (start-up plus job), one bar per
/// engine and place; Python's engines in their own colour.
fn draw(path: &std::path::Path, jobs: &[(&str, &[Line])]) -> Result<()> {
    let panels: Vec<chart::BarPanel> = jobs
        .iter()
        .map(|(title, lines)| chart::BarPanel {
            bars: lines
                .iter()
                .map(|l| {
                    let rust = ["loop", "rayon", "timely"].contains(&l.engine.as_str());
                    let color = if rust { 0 } else { chart::PYTHON };
                    let label = format!("{}, {}, {} workers", l.engine, l.place, l.workers);
                    chart::Bar::new(label, l.total_ms(), color)
                })
                .collect(),
            ..chart::BarPanel::new(
                format!("{title}: start-up plus job"),
                "milliseconds (log scale, shorter is faster)",
                "ms",
            )
            .log()
        })
        .collect();
    chart::bars(
        path,
        &panels,
        &chart::Caption::this_run(env!("CARGO_PKG_NAME")),
    )?;
    println!("Wrote the chart to {}.", path.display());
    Ok(())
}

/// The model's table for each job and engine that was measured.
fn print_model(
    a: &Args,
    primes: &[Line],
    primes_tasks: usize,
    words: &[Line],
    files: usize,
    sweeps: &[Sweep],
) {
    let link = a.link_gbit * 1e9 / 8.0 / 1e3; // bytes per ms
    println!(
        "ASSUMED: {} Gbit/s per machine, {} ms round trip, 3 round trips per job, machines like this\n\
         one ({} cores). MEASURED here: each job's time on one core, the engine's cost per task (the\n\
         sweep above), its start-up and its bytes sent. dask's cost per task is paid by its one\n\
         scheduler, so it does not shrink with machines; timely has no central scheduler.",
        a.link_gbit,
        a.rtt_ms,
        cores()
    );
    let mut t = table([
        "job",
        "engine",
        "machines",
        "compute ms",
        "task overhead ms",
        "network ms",
        "start-up ms",
        "total ms",
        "speed-up vs rayon here",
        "pays from (1-core ms)",
    ]);
    for (job, lines, tasks) in [("primes", primes, primes_tasks), ("words", words, files)] {
        let Some(work) = lines.first().map(|l| l.job_ms) else {
            continue;
        };
        let rayon = lines
            .iter()
            .find(|l| l.engine == "rayon")
            .map_or(work, |l| l.job_ms);
        for (engine, central) in [("timely", false), ("dask", true)] {
            let Some(line) = lines.iter().rfind(|l| l.engine == engine) else {
                continue;
            };
            let Some(fit) = sweeps
                .iter()
                .find(|s| s.engine.starts_with(engine))
                .and_then(|s| s.fit)
            else {
                continue;
            };
            let model = Model {
                work_ms: work,
                cores: cores(),
                tasks,
                slope_ms: fit.per_task_ms.max(0.0),
                measured_workers: cores(),
                central,
                bytes: line.bytes.unwrap_or(0) as f64,
                start_ms: line.start_ms.unwrap_or(0.0),
                link_bytes_per_ms: link,
                rtt_ms: a.rtt_ms,
                rounds: 3.0,
            };
            for machines in [1, 10, 100] {
                let p: Prediction = model.predict(machines);
                t.add_row([
                    job.to_owned(),
                    engine.to_owned(),
                    machines.to_string(),
                    format!("{:.1}", p.compute_ms),
                    format!("{:.1}", p.overhead_ms),
                    format!("{:.2}", p.network_ms),
                    format!("{:.0}", p.start_ms),
                    format!("{:.0}", p.total_ms()),
                    course_support::ratio(rayon, p.total_ms()),
                    model
                        .pays_from_ms(machines)
                        .map_or_else(|| "never".to_owned(), |ms| format!("{ms:.0}")),
                ]);
            }
        }
    }
    println!("{t}");
    println!(
        "(model, not measured) The compute column divides the one-core time by every core, in whole\n\
         waves of tasks: with fewer tasks than cores, more machines stop helping. The start-up is\n\
         this machine's; a real cluster's is larger (machines, containers, a scheduler to reach).\n\
         \"pays from\": how much one-core work the same job (same tasks, same bytes) needs before the\n\
         cluster beats this machine's cores, perfectly used."
    );
}

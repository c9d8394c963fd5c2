//! `advise`: the decision assistant, and `--check` that runs its advice for real.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use course_support::child::Spawner;
use course_support::cli::{f64_in, fraction, u64_in, usize_in};
use course_support::table;
use lab::advise::{self, Checked};
use lab::model::{self, Advice, Calibration, Profile, PythonBuild, Sizes};
use lab::modes::Mode;
use lab::progress::Bars;
use lab::scenarios::{self, Scenario};
use lab::{calibrate, chart};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A named workload (`all` for every one): see `lab matrix`
    #[arg(long, conflicts_with_all = ["cpu_share", "task_ms", "cpu_ms", "io_ms"])]
    pub(crate) scenario: Option<String>,
    /// Share of each task spent computing, 0..1 (with --task-ms)
    #[arg(long, value_parser = fraction, requires = "task_ms")]
    pub(crate) cpu_share: Option<f64>,
    /// Milliseconds per task, computing + waiting (with --cpu-share)
    #[arg(long, value_parser = f64_in(0.0..=60_000.0), requires = "cpu_share")]
    pub(crate) task_ms: Option<f64>,
    /// Milliseconds of computing per task (instead of --cpu-share/--task-ms)
    #[arg(long, value_parser = f64_in(0.0..=60_000.0), conflicts_with_all = ["cpu_share", "task_ms"])]
    pub(crate) cpu_ms: Option<f64>,
    /// Milliseconds of waiting per task (instead of --cpu-share/--task-ms)
    #[arg(long, value_parser = f64_in(0.0..=60_000.0), conflicts_with_all = ["cpu_share", "task_ms"])]
    pub(crate) io_ms: Option<f64>,
    /// Number of tasks
    #[arg(long, default_value_t = 1_000, value_parser = u64_in(1..=100_000_000))]
    pub(crate) tasks: u64,
    /// Input per task, in KB (a process must receive it; a thread reads it in place)
    #[arg(long, default_value = "0", value_parser = f64_in(0.0..=1_048_576.0))]
    pub(crate) data_kb: f64,
    /// Do tasks read and update state shared by all of them?
    #[arg(long, value_enum, default_value_t = YesNo::No)]
    pub(crate) shared_memory: YesNo,
    /// At most this many tasks in progress at once (a connection pool, a rate limit)
    #[arg(long, value_parser = usize_in(1..=1_000_000))]
    pub(crate) max_concurrency: Option<usize>,
    /// Run each option for real (scaled down) and print predicted vs measured
    #[arg(long)]
    pub(crate) check: bool,
    /// With --check: about how long the sequential run may take, in ms
    #[arg(long, default_value = "1500", value_parser = f64_in(0.0..=600_000.0))]
    pub(crate) budget_ms: f64,
    /// With --check: run every option this many times, in rounds, and keep the median
    /// (checks of a few milliseconds repeat more on their own)
    #[arg(long, default_value_t = 1, value_parser = usize_in(1..=100), requires = "check")]
    pub(crate) repeat: usize,
    /// With --check: chart predicted vs measured to this SVG (one scenario only)
    #[arg(long, requires = "check")]
    pub(crate) svg: Option<PathBuf>,
    /// Use the book's fixed reference calibration instead of measuring this machine
    #[arg(long, conflicts_with = "check")]
    pub(crate) reference: bool,
    /// The Python that runs the workload: gil (any default build), subinterpreters
    /// (3.14+: InterpreterPoolExecutor), free-threaded (python3.13t, python3.14t)
    /// [default: gil, or the scenario's]
    #[arg(long, value_enum)]
    pub(crate) python: Option<PythonBuild>,
    /// More than one machine: compare a distributed engine on this many
    /// machines like this one with all of this machine's cores (lesson 12)
    #[arg(long, default_value_t = 1, value_parser = usize_in(1..=100_000))]
    pub(crate) machines: usize,
    /// With --machines: the engine's cost per task, in ms (lesson 12's bench
    /// measures it: "each extra task adds")
    #[arg(long, value_parser = f64_in(0.0..=60_000.0))]
    pub(crate) task_overhead_ms: Option<f64>,
    /// With --machines: the cluster's start-up, in ms (lesson 12's "start-up ms")
    #[arg(long, default_value = "0", value_parser = f64_in(0.0..=3_600_000.0))]
    pub(crate) start_ms: f64,
}

pub(crate) fn run(args: &Args, spawner: &Spawner) -> Result<()> {
    let chosen: Vec<(Option<Scenario>, Profile)> = match args.scenario.as_deref() {
        Some("all") => scenarios::all()
            .into_iter()
            .map(|s| {
                let p = with_python(&s.profile, args.python);
                (Some(s), p)
            })
            .collect(),
        Some(key) => {
            let s = scenarios::find(key).with_context(|| {
                format!("unknown scenario '{key}'; choose from {}", scenario_keys())
            })?;
            let p = with_python(&s.profile, args.python);
            vec![(Some(s), p)]
        }
        None => vec![(None, profile_from(args)?)],
    };
    if args.svg.is_some() && chosen.len() > 1 {
        bail!("--svg charts one scenario; name one with --scenario");
    }
    let cal = if args.reference {
        println!("Using the fixed reference calibration (a 2-core laptop), not this machine.");
        Calibration::reference()
    } else {
        println!("Calibrating on this machine (short measurements with the lab's own code)...");
        calibrate::measure(spawner, Duration::from_millis(5))?
    };
    println!("{}", calibrate::table(&cal));
    let mut summary = Vec::new();
    for (scenario, profile) in &chosen {
        println!();
        if let Some(s) = scenario {
            println!("Scenario {}: {} ({})", s.key, s.title, s.task);
        }
        let advice = advise_one(profile, &cal);
        if let Some(run) = scenario
            .as_ref()
            .and_then(|s| scenarios::measured_by(s.key))
        {
            println!(
                "Measured as a running system, three ways: `{run}` (the book's \"Three systems, three ways\")."
            );
        }
        if args.machines > 1 {
            beyond_one_machine(profile, cal.cores, args)?;
        }
        if args.check {
            let rows = check_one(profile, &cal, spawner, args)?;
            let worst = rows.iter().map(|r| r.error().abs()).fold(0.0, f64::max);
            summary.push((
                scenario.as_ref().map_or("(flags)", |s| s.key).to_owned(),
                model::model_name(advice.model),
                rows,
                worst,
            ));
        }
    }
    if args.check && summary.len() > 1 {
        println!("\nThe model against real runs, every scenario:");
        let mut t = table([
            "scenario",
            "recommended",
            "options run",
            "mean |error|",
            "worst |error|",
            "within 25%",
        ]);
        for (key, model, rows, worst) in &summary {
            let mean = rows.iter().map(|r| r.error().abs()).sum::<f64>() / rows.len() as f64;
            let within = rows.iter().filter(|r| r.error().abs() <= 0.25).count();
            t.add_row([
                key.clone(),
                (*model).to_owned(),
                rows.len().to_string(),
                format!("{:.1}%", mean * 100.0),
                format!("{:.1}%", worst * 100.0),
                format!("{within}/{}", rows.len()),
            ]);
        }
        println!("{t}");
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum YesNo {
    Yes,
    No,
}

/// The workload the advise flags describe.
pub(crate) fn profile_from(args: &Args) -> Result<Profile> {
    let (cpu_ms, io_ms) = match (args.cpu_share, args.task_ms, args.cpu_ms, args.io_ms) {
        (Some(s), Some(ms), None, None) => (ms * s, ms * (1.0 - s)),
        (None, None, cpu, io) if cpu.is_some() || io.is_some() => {
            (cpu.unwrap_or(0.0), io.unwrap_or(0.0))
        }
        _ => bail!(
            "describe the workload: --scenario NAME, or --cpu-share S --task-ms MS, or --cpu-ms MS --io-ms MS\n\
             scenarios: {}",
            scenario_keys()
        ),
    };
    if cpu_ms + io_ms <= 0.0 {
        bail!("a task must compute or wait for some time: --task-ms, --cpu-ms or --io-ms above 0");
    }
    Ok(Profile {
        tasks: args.tasks,
        cpu_ms,
        io_ms,
        data_kb: args.data_kb,
        shared_memory: args.shared_memory == YesNo::Yes,
        max_concurrency: args.max_concurrency,
        python: args.python.unwrap_or_default(),
    })
}

/// A scenario's profile, run by the Python `--python` names, if it names one.
pub(crate) fn with_python(profile: &Profile, python: Option<PythonBuild>) -> Profile {
    Profile {
        python: python.unwrap_or(profile.python),
        ..profile.clone()
    }
}

pub(crate) fn scenario_keys() -> String {
    let mut keys: Vec<&str> = scenarios::all().iter().map(|s| s.key).collect();
    keys.push("all");
    keys.join(", ")
}

/// Prints the assistant's answer for one workload.
pub(crate) fn advise_one(profile: &Profile, cal: &Calibration) -> Advice {
    let sizes = Sizes::for_profile(profile, cal.cores);
    println!(
        "Workload: {} tasks x ({:.2} ms computing + {:.2} ms waiting), {:.0} KB input each, shared state: {}{}; Python: {}.",
        profile.tasks,
        profile.cpu_ms,
        profile.io_ms,
        profile.data_kb,
        if profile.shared_memory { "yes" } else { "no" },
        profile
            .max_concurrency
            .map_or(String::new(), |m| format!(", at most {m} at once")),
        profile.python.describe()
    );
    let advice = model::recommend(profile, &sizes, cal);
    let seq = advice.predicted(Mode::Sequential);
    let mut t = table([
        "option",
        "Python tool",
        "workers",
        "predicted ms",
        "speed-up",
    ]);
    for p in &advice.predictions {
        let tool = match p.mode {
            Mode::Threads => "(no GIL: Rust threads, free-threaded Python)",
            m => model::python_tool(m),
        };
        let workers = match p.mode {
            Mode::Async => format!("{} in flight", sizes.in_flight),
            Mode::Hybrid => format!(
                "{} in flight + {} processes",
                sizes.in_flight, sizes.processes
            ),
            m => sizes.workers(m).to_string(),
        };
        let mark = if p.mode == advice.model {
            " <- recommended"
        } else {
            ""
        };
        t.add_row([
            format!("{}{mark}", p.mode.label()),
            tool.to_owned(),
            workers,
            format!("{:.1}", p.ms),
            format!("{:.2}x", seq / p.ms),
        ]);
    }
    println!("{t}");
    println!(
        "Recommendation: {} (Python: {}; Rust: {}).",
        model::model_name(advice.model),
        model::python_tool(advice.model),
        model::rust_tool(advice.model)
    );
    println!("Why:");
    for line in &advice.why {
        println!("  - {line}");
    }
    advice
}

/// Runs every option on a scaled-down copy and prints predicted vs measured.
pub(crate) fn check_one(
    profile: &Profile,
    cal: &Calibration,
    spawner: &Spawner,
    args: &Args,
) -> Result<Vec<Checked>> {
    let small = advise::scaled(profile, cal, args.budget_ms);
    let sizes = Sizes::for_profile(&small, cal.cores);
    let rounds = advise::rounds_for(&small, cal, args.repeat);
    println!(
        "Check: {} of the {} tasks ({:.3} ms computing each, as {} numbers), every option for real{}:",
        small.tasks,
        profile.tasks,
        small.cpu_ms,
        advise::numbers_for(small.cpu_ms, cal),
        if rounds > 1 {
            format!(" (median of {rounds} rounds)")
        } else {
            String::new()
        }
    );
    let bars = Bars::new(true);
    let rows = advise::check(&small, cal, spawner, &Mode::ALL, rounds, &|mode, tasks| {
        let bar = bars.bar(mode.label(), tasks);
        Box::new(move |n| bar.inc(n))
    })?;
    let mut t = table(["option", "workers", "predicted ms", "measured ms", "error"]);
    for r in &rows {
        let workers = match r.mode {
            Mode::Async => format!("{} in flight", sizes.in_flight),
            Mode::Hybrid => format!("{} + {}", sizes.in_flight, sizes.processes),
            _ => r.workers.to_string(),
        };
        t.add_row([
            r.mode.label().to_owned(),
            workers,
            format!("{:.1}", r.predicted_ms),
            format!("{:.1}", r.measured_ms),
            format!("{:+.1}%", r.error() * 100.0),
        ]);
    }
    println!("{t}");
    let worst = rows.iter().map(|r| r.error().abs()).fold(0.0, f64::max);
    println!(
        "Largest error {:.1}% (error = (predicted - measured) / measured).",
        worst * 100.0
    );
    if let Some(svg) = &args.svg {
        let pairs: Vec<(String, f64, f64)> = rows
            .iter()
            .map(|r| (r.mode.key().to_owned(), r.predicted_ms, r.measured_ms))
            .collect();
        chart::predicted_vs_measured(
            svg,
            &format!("Predicted vs measured, {} tasks", small.tasks),
            &pairs,
            &chart::Caption::this_run(env!("CARGO_PKG_NAME")),
        )?;
        println!("Wrote the chart to {}.", super::paths::shown(svg));
    }
    Ok(rows)
}

// ANCHOR: beyond
/// The "more than one machine" branch: this machine's cores against
/// `machines` like it behind a central scheduler that pays `overhead_ms` per
/// task (Dask's design; lesson 12 measures it) and `start_ms` to start.
/// Returns (this machine's ms, the cluster's ms), both best cases.
pub(crate) fn cluster_vs_here(
    profile: &Profile,
    cores: usize,
    machines: usize,
    overhead_ms: f64,
    start_ms: f64,
) -> (f64, f64) {
    let per_task = profile.cpu_ms + profile.io_ms;
    let tasks = profile.tasks as f64;
    let waves = |slots: usize| (tasks / slots.max(1) as f64).ceil();
    let here = waves(cores) * per_task;
    let cluster = start_ms + waves(machines * cores) * per_task + tasks * overhead_ms;
    (here, cluster)
}
// ANCHOR_END: beyond

fn beyond_one_machine(profile: &Profile, cores: usize, args: &Args) -> Result<()> {
    let Some(overhead) = args.task_overhead_ms else {
        bail!(
            "--machines needs --task-overhead-ms (and --start-ms): \
             `cargo run --release -p lesson-12-distributed -- bench` measures both"
        );
    };
    let (here, cluster) = cluster_vs_here(profile, cores, args.machines, overhead, args.start_ms);
    println!(
        "More than one machine (model, not measured): {} machines of {cores} cores with a central \
         scheduler at {overhead} ms per task and {} ms to start: {cluster:.0} ms; this machine alone: \
         {here:.0} ms.",
        args.machines, args.start_ms
    );
    if cluster < here {
        println!(
            "Recommendation beyond one machine: distributed (Python: dask.distributed; Rust: timely \
             dataflow, lesson 12)."
        );
    } else {
        println!(
            "Recommendation beyond one machine: stay on one machine: start-up and the cost per task \
             eat the extra cores (tasks of at least {:.1} ms keep that cost under 10%).",
            9.0 * overhead * (args.machines * cores) as f64
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(tasks: u64, cpu_ms: f64) -> Profile {
        Profile {
            tasks,
            cpu_ms,
            io_ms: 0.0,
            data_kb: 0.0,
            shared_memory: false,
            max_concurrency: None,
            python: PythonBuild::default(),
        }
    }

    #[test]
    fn big_tasks_pay_on_a_cluster_tiny_ones_do_not() {
        // 10,000 tasks of 100 ms on 2 cores vs 10 machines, 1 ms per task, 3 s start.
        let (here, cluster) = cluster_vs_here(&profile(10_000, 100.0), 2, 10, 1.0, 3_000.0);
        assert!(cluster < here, "{cluster} vs {here}");
        // The same count of 0.1 ms tasks: the scheduler alone takes longer.
        let (here, cluster) = cluster_vs_here(&profile(10_000, 0.1), 2, 10, 1.0, 3_000.0);
        assert!(cluster > here, "{cluster} vs {here}");
    }
}

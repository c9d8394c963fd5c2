//! `kill-worker`: SIGKILL one worker process mid-job, for real, on both
//! engines. dask's scheduler re-runs the dead worker's tasks elsewhere and
//! the job finishes; a timely cluster has no scheduler to do that, so the
//! job fails on every process and the lesson starts it again from scratch.

use std::thread;
use std::time::Duration;

use anyhow::{Result, bail};
use course_support::child::Spawner;
use course_support::report::grouped;
use course_support::{count_primes, table, tour};
use lesson_12_distributed::cluster::{self, Cluster, Ending, JobSpec, Shape};
use lesson_12_distributed::python;

use super::shared::PythonSide;

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// The prime count below this number (big enough to be killed mid-way)...
    #[arg(long, default_value_t = 8_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub(crate) limit: u64,
    /// ... in this many tasks
    #[arg(long, default_value_t = 64, value_parser = course_support::cli::usize_in(1..=1_000_000))]
    pub(crate) tasks: usize,
    /// Kill process 1 this long after every process is running
    #[arg(long, default_value = "200", value_parser = course_support::cli::positive_ms(60_000.0))]
    pub(crate) after_ms: Duration,
    /// Time limit for the survivors to end, and for dask's job, in seconds
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub(crate) deadline: u64,
    /// dask's job: the prime count below this number (Python is slower)...
    #[arg(long, default_value_t = 600_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub(crate) dask_limit: u64,
    /// ... in this many tasks
    #[arg(long, default_value_t = 8, value_parser = course_support::cli::usize_in(2..=10_000))]
    pub(crate) dask_tasks: usize,
    #[command(flatten)]
    pub(crate) python: PythonSide,
}

pub(crate) fn run(spawner: &Spawner, a: &Args) -> Result<()> {
    let deadline = Duration::from_secs(a.deadline);
    let expected = count_primes(0..a.limit);
    tour::section("timely: 2 processes, SIGKILL to process 1 mid-job");
    let shape = Shape {
        processes: 2,
        threads: 1,
    };
    let job = JobSpec::Primes {
        limit: a.limit,
        tasks: a.tasks,
    };
    // ANCHOR: timely_kill
    let mut c = Cluster::start(spawner, shape, &job)?;
    if !c.wait_running(deadline) {
        bail!("the cluster did not start within {deadline:?}");
    }
    thread::sleep(a.after_ms);
    let pid = c.kill(1)?;
    let killed_at = c.elapsed();
    let endings = c.endings(deadline); // survivors: wait, at most `deadline`
    // ANCHOR_END: timely_kill
    println!(
        "Killed process 1 (pid {pid}) {:.0} ms after start; waited up to {deadline:?} for the rest.",
        killed_at.as_secs_f64() * 1e3
    );
    print_endings(&endings);
    let finished_anyway = endings.iter().any(|e| e.report.is_some());
    if finished_anyway {
        println!(
            "A process finished its part before the kill landed: the job was too short (raise --limit)."
        );
    }
    let hung = endings.iter().filter(|e| e.hung).count();
    if hung > 0 {
        println!(
            "{hung} process(es) were still running at the time limit and were killed by the lesson."
        );
    } else {
        println!(
            "No survivor hung: when a peer's connection breaks, timely's receive thread panics, the\n\
             panic poisons the worker's queues, and the worker panics too (exit code 101 is a Rust panic)."
        );
    }
    println!(
        "timely keeps no copy of a lost worker's state: the answer is to run the whole job again."
    );
    let run = cluster::run(spawner, shape, &job, deadline * 3)?;
    println!(
        "Restarted on a new cluster: {} primes ({}) in {:.0} ms including start-up.",
        grouped(run.primes),
        if run.primes == expected {
            "right"
        } else {
            "WRONG"
        },
        run.wall.as_secs_f64() * 1e3
    );
    tour::section("dask: LocalCluster of 2 worker processes, SIGKILL to a busy worker");
    let Some(py) = a.python.find() else {
        return Ok(());
    };
    let (kill, pids) = python::kill(&py, a.dask_tasks, a.dask_limit, deadline)?;
    match kill {
        Ok(k) => {
            let expected = count_primes(0..a.dask_limit);
            println!(
                "Killed worker pid {} {:.0} ms after submitting {} tasks.",
                k.killed_pid, k.killed_after_ms, k.tasks
            );
            let mut t = table([
                "finished",
                "answer",
                "right",
                "tasks re-run",
                "workers after",
                "total ms",
            ]);
            t.add_row([
                if k.finished {
                    "yes".into()
                } else {
                    format!("no: {} tasks left", k.unfinished)
                },
                k.answer.map_or_else(|| "-".into(), grouped),
                if k.answer == Some(expected) {
                    "yes".into()
                } else {
                    "NO".into()
                },
                k.rerun_tasks.to_string(),
                k.workers_after.to_string(),
                format!("{:.0}", k.total_ms),
            ]);
            println!("{t}");
            println!(
                "dask's scheduler saw the connection drop, put the dead worker's tasks back in the\n\
                 queue (\"suspicious\" tasks, re-run up to 3 times by default) and the nanny started a\n\
                 new worker process."
            );
            let left = pids
                .iter()
                .filter(|&&p| course_support::child::exists(p))
                .count();
            println!(
                "dask's worker processes still alive after the script: {left} of {}.",
                pids.len()
            );
        }
        Err(line) => println!("{line}"),
    }
    Ok(())
}

fn print_endings(endings: &[Ending]) {
    let mut t = table(["process", "pid", "how it ended", "what it said (stderr)"]);
    for (p, e) in endings.iter().enumerate() {
        t.add_row([
            p.to_string(),
            e.pid.to_string(),
            if e.hung {
                format!("hung: {}", e.status)
            } else {
                e.status.clone()
            },
            gist(&e.stderr),
        ]);
    }
    println!("{t}");
}

/// The lines of a stderr that say what happened (panics, errors), shortened.
pub(crate) fn gist(stderr: &str) -> String {
    let lines: Vec<String> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| {
            l.contains("timely communication error")
                || l.contains("poisoned")
                || l.starts_with("timely process")
        })
        .map(|l| l.chars().take(110).collect())
        .collect();
    if lines.is_empty() {
        return "(nothing)".into();
    }
    let mut seen = Vec::new();
    for l in lines {
        if !seen.contains(&l) {
            seen.push(l);
        }
    }
    seen.join("\n")
}

//! The Python side: `python/dask_jobs.py` (ProcessPoolExecutor and a dask
//! LocalCluster) and `python/dask_kill.py` (a worker killed mid-job), run
//! with the course's `primes.py` beside them.

use std::time::Duration;

use anyhow::{Context, Result};
use course_support::interpreter::Interpreter;
use course_support::python::Program;
use serde::Deserialize;

use crate::jobs::WordSummary;

pub const JOBS: Program<'static> = Program {
    name: "dask_jobs",
    main: include_str!("../python/dask_jobs.py"),
    modules: &[("primes.py", course_support::interpreter::PRIMES_PY)],
};

pub const KILL: Program<'static> = Program {
    name: "dask_kill",
    main: include_str!("../python/dask_kill.py"),
    modules: &[("primes.py", course_support::interpreter::PRIMES_PY)],
};

/// The line the scripts print without dask.
pub const MISSING_DASK: &str = "dask is not installed";

/// A job's answer, as the script prints it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Primes(u64),
    Words(WordSummary),
}

/// One `row {json}` of `dask_jobs.py`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Row {
    /// `ProcessPoolExecutor` or `dask`.
    pub engine: String,
    pub job: String,
    pub workers: usize,
    pub tasks: usize,
    /// Starting the cluster (dask only; 0 after its first row).
    pub start_ms: Option<f64>,
    pub job_ms: f64,
    pub answer: Answer,
    /// Bytes pickled to cross between processes (dask only).
    pub bytes: Option<u64>,
}

/// What a run of `dask_jobs.py` printed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Run {
    pub rows: Vec<Row>,
    /// The line saying dask is missing, if it is.
    pub skipped: Option<String>,
    /// The dask worker processes it started (gone when it returns).
    pub pids: Vec<u32>,
}

/// Which job for the script.
#[derive(Debug, Clone)]
pub enum PyJob<'a> {
    Primes { limit: u64, tasks: &'a [usize] },
    Words { dir: &'a std::path::Path },
}

/// Runs `job` on `engines` (`pool`, `dask`) with `workers` processes.
pub fn jobs(
    python: &Interpreter,
    job: &PyJob<'_>,
    workers: usize,
    engines: &[&str],
) -> Result<Run> {
    let mut args = vec![
        "--workers".to_owned(),
        workers.to_string(),
        "--engines".into(),
        engines.join(","),
    ];
    match job {
        PyJob::Primes { limit, tasks } => {
            args.extend([
                "--job".into(),
                "primes".into(),
                "--limit".into(),
                limit.to_string(),
            ]);
            let t: Vec<String> = tasks.iter().map(usize::to_string).collect();
            args.extend(["--tasks".into(), t.join(",")]);
        }
        PyJob::Words { dir } => {
            args.extend([
                "--job".into(),
                "words".into(),
                "--dir".into(),
                dir.display().to_string(),
            ]);
        }
    }
    let out = python.python.run_program(&JOBS, args, LIMIT)?;
    parse(&out)
}

/// Far longer than the scripts need; only a hang gets there.
const LIMIT: Duration = Duration::from_secs(300);

fn parse(text: &str) -> Result<Run> {
    let mut run = Run::default();
    for line in text.lines() {
        if let Some(json) = line.strip_prefix("row ") {
            run.rows
                .push(serde_json::from_str(json).with_context(|| format!("a row: {line}"))?);
        } else if let Some(pids) = line.strip_prefix("pids ") {
            run.pids.extend(
                pids.split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
        } else if line.starts_with(MISSING_DASK) {
            run.skipped = Some(line.to_owned());
        }
    }
    Ok(run)
}

/// What `dask_kill.py` reports.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Kill {
    pub tasks: usize,
    pub killed_pid: u32,
    pub killed_after_ms: f64,
    pub total_ms: f64,
    pub finished: bool,
    pub unfinished: usize,
    pub answer: Option<u64>,
    pub rerun_tasks: u64,
    pub workers_after: usize,
}

/// The kill demo on dask: `Ok(Err(line))` when dask is missing; also the
/// pids of every worker it had (gone when it returns).
pub fn kill(
    python: &Interpreter,
    tasks: usize,
    limit: u64,
    deadline: Duration,
) -> Result<(std::result::Result<Kill, String>, Vec<u32>)> {
    let args = [
        "--tasks".to_owned(),
        tasks.to_string(),
        "--limit".into(),
        limit.to_string(),
        "--deadline".into(),
        deadline.as_secs_f64().to_string(),
    ];
    let out = python
        .python
        .run_program(&KILL, args, deadline + Duration::from_secs(60))?;
    let mut pids = Vec::new();
    let mut kill = Err(format!("the script printed no result:\n{out}"));
    for line in out.lines() {
        if let Some(json) = line.strip_prefix("kill ") {
            kill = Ok(serde_json::from_str(json).with_context(|| line.to_string())?);
        } else if let Some(p) = line.strip_prefix("closed ") {
            pids.extend(p.split_whitespace().filter_map(|p| p.parse::<u32>().ok()));
        } else if line.starts_with(MISSING_DASK) {
            kill = Err(line.to_owned());
        }
    }
    Ok((kill, pids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_of_both_jobs() {
        let run = parse(
            "pids 1 2\nrow {\"engine\": \"dask\", \"job\": \"primes\", \"workers\": 2, \"tasks\": 8, \
             \"start_ms\": 2994.2, \"job_ms\": 218.4, \"answer\": 17984, \"bytes\": 336}\n\
             row {\"engine\": \"ProcessPoolExecutor\", \"job\": \"words\", \"workers\": 2, \"tasks\": 8, \
             \"start_ms\": null, \"job_ms\": 87.2, \"answer\": {\"total\": 16000, \"distinct\": 97, \
             \"top\": [[\"w1\", 166]]}, \"bytes\": null}\n",
        )
        .unwrap();
        assert_eq!(run.pids, [1, 2]);
        assert_eq!(run.rows[0].answer, Answer::Primes(17_984));
        let Answer::Words(w) = &run.rows[1].answer else {
            panic!("words")
        };
        assert_eq!((w.total, w.distinct), (16_000, 97));
        assert!(
            parse("dask is not installed: skipped\n")
                .unwrap()
                .skipped
                .is_some()
        );
    }
}

//! The same measurements with Python's own executors, when an interpreter is
//! installed (`python/executor_bench.py`): microseconds per do-nothing task on
//! `ThreadPoolExecutor`, `ProcessPoolExecutor`, `multiprocessing.Pool`
//! (`apply_async`, and `map` one task per message) and, on 3.14,
//! `InterpreterPoolExecutor`; and the prime-count batch on each executor.
//! Every number is the fastest of the same number of runs as the Rust side.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result};
use course_support::interpreter::Interpreter;
use course_support::python::Program;

/// `python/executor_bench.py`, with its tasks and the prime count beside it.
pub const PROGRAM: Program<'static> = Program {
    name: "executor_bench",
    main: include_str!("../python/executor_bench.py"),
    modules: &[
        (
            "executor_tasks.py",
            include_str!("../python/executor_tasks.py"),
        ),
        ("primes.py", course_support::interpreter::PRIMES_PY),
    ],
};

/// What the Python run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct PythonRun {
    pub version: String,
    /// `ThreadPoolExecutor.submit`, µs per task.
    pub threads_us: f64,
    /// `ProcessPoolExecutor.submit`, µs per task: what most code uses.
    pub processes_us: f64,
    /// `multiprocessing.Pool.apply_async`, µs per task: like the Rust process
    /// pool, every task submitted and then every result collected.
    pub pool_apply_async_us: f64,
    /// `multiprocessing.Pool.map(chunksize=1)`, µs per task.
    pub pool_map_chunk1_us: f64,
    /// `InterpreterPoolExecutor.submit` (3.14), µs per task.
    pub interpreters_us: Option<f64>,
    pub cpu_sequential_s: f64,
    pub cpu_threads_s: f64,
    pub cpu_processes_s: f64,
    pub cpu_interpreters_s: Option<f64>,
    /// The GIL's state when the script ended.
    pub gil_on: bool,
    pub primes: u64,
}

/// What to run and how often.
#[derive(Debug, Clone, Copy)]
pub struct PythonSizes {
    pub workers: usize,
    pub tasks: usize,
    pub process_tasks: usize,
    pub limit: u64,
    pub blocks: usize,
    /// Runs of each measurement; the fastest is kept, as on the Rust side.
    pub repeats: usize,
    /// Add the `InterpreterPoolExecutor` rows (Python 3.14).
    pub interpreters: bool,
}

/// Runs [`PROGRAM`] (killing it, with its workers, after `limit_time`).
pub fn run(python: &Interpreter, sizes: PythonSizes, limit_time: Duration) -> Result<PythonRun> {
    let args = [
        sizes.workers as u64,
        sizes.tasks as u64,
        sizes.process_tasks as u64,
        sizes.limit,
        sizes.blocks as u64,
        sizes.repeats.max(1) as u64,
        u64::from(sizes.interpreters),
    ];
    let out = python
        .python
        .run_program(&PROGRAM, args.map(|n| n.to_string()), limit_time)?;
    parse(&out)
}

fn parse(out: &str) -> Result<PythonRun> {
    let fields: BTreeMap<&str, &str> = out.lines().filter_map(|l| l.split_once(' ')).collect();
    let text = |k: &str| {
        fields
            .get(k)
            .copied()
            .with_context(|| format!("python printed no {k}:\n{out}"))
    };
    let num = |k: &str| -> Result<f64> {
        text(k)?
            .trim()
            .parse()
            .with_context(|| format!("{k} is not a number"))
    };
    let optional = |k: &str| fields.contains_key(k).then(|| num(k)).transpose();
    Ok(PythonRun {
        version: text("version")?.to_owned(),
        threads_us: num("threads_us")?,
        processes_us: num("processes_us")?,
        pool_apply_async_us: num("pool_apply_async_us")?,
        pool_map_chunk1_us: num("pool_map_chunk1_us")?,
        interpreters_us: optional("interpreters_us")?,
        cpu_sequential_s: num("cpu_sequential_s")?,
        cpu_threads_s: num("cpu_threads_s")?,
        cpu_processes_s: num("cpu_processes_s")?,
        cpu_interpreters_s: optional("cpu_interpreters_s")?,
        gil_on: text("gil")? == "on",
        primes: num("primes")? as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUT: &str = "version 3.14.0\nthreads_us 10.5\nprocesses_us 45\n\
                       pool_apply_async_us 17.6\npool_map_chunk1_us 14.4\n\
                       cpu_sequential_s 2.0\ncpu_threads_s 1.0\ncpu_processes_s 1.02\n\
                       primes 78498\ngil off\n";

    #[test]
    fn parses_the_script_output() {
        let run = parse(OUT).unwrap();
        assert_eq!(run.pool_apply_async_us, 17.6);
        assert_eq!(run.interpreters_us, None);
        assert!(!run.gil_on);
        assert_eq!(run.primes, 78_498);
        let with = format!("{OUT}interpreters_us 30\ncpu_interpreters_s 1.1\n");
        let run = parse(&with).unwrap();
        assert_eq!(run.interpreters_us, Some(30.0));
        assert_eq!(run.cpu_interpreters_s, Some(1.1));
    }

    #[test]
    fn a_missing_measurement_is_an_error() {
        assert!(parse("version 3.11.7\nthreads_us 1\n").is_err());
    }
}

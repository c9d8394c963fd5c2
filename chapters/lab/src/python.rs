//! The same workload in Python, side by side: a `for` loop, a
//! `ThreadPoolExecutor` (under the GIL, or free on a free-threaded build), a
//! `ProcessPoolExecutor`, asyncio and, on 3.14, an `InterpreterPoolExecutor`,
//! each task defined exactly as in [`crate::task`].

use std::time::Duration;

use anyhow::{Context, Result, bail};
use course_support::interpreter::Interpreter;
use course_support::python::{Program, Python};

use crate::modes::Mode;
use crate::task::TaskSpec;

/// `python/lab_bench.py`, with the task (`python/lab_task.py`) and the
/// course's prime count beside it, run as
/// `python3 lab_bench.py TASKS WORKERS IN_FLIGHT NUMBERS IO_US REPEAT MODES`;
/// each mode runs REPEAT times and prints its median.
pub const PROGRAM: Program<'static> = Program {
    name: "lab_bench",
    main: include_str!("../python/lab_bench.py"),
    modules: &[
        ("lab_task.py", include_str!("../python/lab_task.py")),
        ("primes.py", course_support::interpreter::PRIMES_PY),
    ],
};

/// The modes Python has, by key: `threads` is a free-threaded build's
/// threads, `isolated` is 3.14's `InterpreterPoolExecutor`.
pub const PYTHON_MODES: [&str; 6] = [
    "sequential",
    "gil-threads",
    "threads",
    "processes",
    "async",
    "isolated",
];

/// The modes of `wanted` that `python` can run, printing a line for each it
/// cannot (with how to get it).
pub fn runnable(python: &Interpreter, wanted: &[Mode]) -> Vec<Mode> {
    let f = &python.facts;
    wanted
        .iter()
        .copied()
        .filter(|m| PYTHON_MODES.contains(&m.key()))
        .filter(|m| match m.key() {
            "threads" => python.offers("free threads (Python)", &f.free_threads()),
            "isolated" => {
                python.offers("isolated (InterpreterPoolExecutor)", &f.interpreter_pool())
            }
            _ => true,
        })
        .collect()
}

/// One mode's Python result.
#[derive(Debug, Clone, PartialEq)]
pub struct PyRun {
    pub mode: Mode,
    pub ms: f64,
    pub primes: u64,
}

/// What the Python side measured.
#[derive(Debug, Clone, PartialEq)]
pub struct PyBench {
    pub tasks: u64,
    pub runs: Vec<PyRun>,
    /// The GIL's state when the script ended (an import can turn it back on).
    pub gil_on: bool,
}

/// Runs [`PROGRAM`] on `tasks` tasks of `spec` in each of `modes` (see
/// [`runnable`]). On a free-threaded build the `gil-threads` row runs in an
/// interpreter of its own with the GIL turned on (`-X gil=1`).
pub fn run(
    python: &Interpreter,
    spec: &TaskSpec,
    tasks: u64,
    workers: usize,
    in_flight: usize,
    repeat: usize,
    modes: &[Mode],
) -> Result<PyBench> {
    let gil_apart = python.facts.free_threaded_build;
    let (apart, together): (Vec<Mode>, Vec<Mode>) = modes
        .iter()
        .partition(|m| gil_apart && **m == Mode::GilThreads);
    let one_run = |python: &Python, modes: &[Mode]| {
        let keys: Vec<&str> = modes.iter().map(|m| m.key()).collect();
        let args = [
            tasks.to_string(),
            workers.to_string(),
            in_flight.to_string(),
            spec.numbers.to_string(),
            spec.io.as_micros().to_string(),
            repeat.max(1).to_string(),
            keys.join(","),
        ];
        let out = python.run_program(&PROGRAM, args, HANG_LIMIT)?;
        parse(&out, tasks)
    };
    let with_gil = python.python.with_options(python.facts.gil_on_args());
    let mut bench: Option<PyBench> = None;
    for (python, modes) in [(&python.python, &together), (&with_gil, &apart)] {
        if modes.is_empty() {
            continue;
        }
        let part = one_run(python, modes)?;
        match &mut bench {
            None => bench = Some(part),
            Some(b) => b.runs.extend(part.runs),
        }
    }
    let mut bench = bench.context("no Python mode to run")?;
    bench
        .runs
        .sort_by_key(|r| modes.iter().position(|m| *m == r.mode));
    Ok(bench)
}

/// Far longer than any sensible run; only a hang gets there.
const HANG_LIMIT: Duration = Duration::from_secs(1800);

fn parse(text: &str, tasks: u64) -> Result<PyBench> {
    let mut bench = PyBench {
        tasks,
        runs: Vec::new(),
        gil_on: true,
    };
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["gil", state] => bench.gil_on = *state == "on",
            [key, ms, primes] => {
                let mode =
                    Mode::from_key(key).with_context(|| format!("unknown mode in {line:?}"))?;
                bench.runs.push(PyRun {
                    mode,
                    ms: ms.parse().with_context(|| format!("ms in {line:?}"))?,
                    primes: primes
                        .parse()
                        .with_context(|| format!("primes in {line:?}"))?,
                });
            }
            _ => {}
        }
    }
    if bench.runs.is_empty() {
        bail!("the Python script printed no results:\n{text}");
    }
    Ok(bench)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_script_output() {
        let b = parse("sequential 100.5 42\ngil-threads 101 42\ngil off\n", 10).unwrap();
        assert!(!b.gil_on);
        assert_eq!(b.runs.len(), 2);
        assert_eq!(b.runs[1].mode, Mode::GilThreads);
        assert_eq!(b.runs[1].primes, 42);
        assert!(parse("gil on\n", 10).is_err());
    }
}

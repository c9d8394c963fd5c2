//! The same prime count in Python, when an interpreter is installed: one
//! process, a `ThreadPool`, a `multiprocessing.Pool` and, on 3.14, an
//! `InterpreterPoolExecutor`, over the same blocks in the same chunks
//! (`python/pool_map.py`).

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result};
use course_support::interpreter::Interpreter;
use course_support::python::Program;

/// `python/pool_map.py` with the course's prime count beside it.
pub const PROGRAM: Program<'static> = Program {
    name: "pool_map",
    main: include_str!("../python/pool_map.py"),
    modules: &[("primes.py", course_support::interpreter::PRIMES_PY)],
};

/// One row of the Python run: the fastest of its runs.
#[derive(Debug, Clone, PartialEq)]
pub struct PythonRow {
    pub ms: f64,
    pub primes: u64,
}

/// What the Python run measured, by mode (`sequential`, `threads`,
/// `processes`, `interpreters`).
#[derive(Debug, Clone, PartialEq)]
pub struct PythonRun {
    pub rows: BTreeMap<String, PythonRow>,
    /// The GIL's state when the script ended (an import can turn it back on).
    pub gil_on: bool,
}

/// The primes below `limit` in `blocks` blocks, `chunk` blocks per task,
/// `workers` threads, processes or interpreters, each mode the fastest of
/// `repeat` runs.
pub fn run(
    python: &Interpreter,
    limit: u64,
    blocks: usize,
    chunk: usize,
    workers: usize,
    repeat: usize,
    modes: &[&str],
) -> Result<PythonRun> {
    let args = [
        limit.to_string(),
        blocks.to_string(),
        chunk.to_string(),
        workers.to_string(),
        repeat.to_string(),
        modes.join(","),
    ];
    let out = python.python.run_program(&PROGRAM, args, HANG_LIMIT)?;
    parse(&out)
}

/// Far longer than the script needs; only a hang gets there.
const HANG_LIMIT: Duration = Duration::from_secs(1200);

fn parse(text: &str) -> Result<PythonRun> {
    let mut run = PythonRun {
        rows: BTreeMap::new(),
        gil_on: true,
    };
    for line in text.lines() {
        match line.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["row", mode, ms, primes] => {
                let row = PythonRow {
                    ms: ms
                        .parse()
                        .with_context(|| format!("milliseconds in {line:?}"))?,
                    primes: primes
                        .parse()
                        .with_context(|| format!("a count in {line:?}"))?,
                };
                run.rows.insert((*mode).to_owned(), row);
            }
            ["gil", state] => run.gil_on = *state == "on",
            _ => {}
        }
    }
    anyhow::ensure!(
        run.rows.contains_key("sequential"),
        "the Python script printed no sequential row:\n{text}"
    );
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_script_output() {
        let run = parse(
            "row sequential 5000.25 148933\nrow processes 2500.5 148933\n\
             row interpreters 2600 148933\ngil off\n",
        )
        .unwrap();
        assert_eq!(run.rows["sequential"].ms, 5000.25);
        assert_eq!(run.rows["interpreters"].primes, 148_933);
        assert!(!run.gil_on);
    }

    #[test]
    fn a_run_without_its_baseline_is_an_error() {
        assert!(parse("row threads 1 2\ngil on\n").is_err());
        assert!(parse("row sequential x 2\n").is_err());
    }
}

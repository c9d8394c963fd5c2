//! The Python side of the bench: `python/ring.py` run with the bench's
//! message count, one producer process each for `multiprocessing.Queue`,
//! `Pipe` and a ring in `shared_memory`.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use course_support::interpreter::Interpreter;
use course_support::python::Program;

/// `python/ring.py`, run as `python3 ring.py MESSAGES`.
pub const PROGRAM: Program<'static> = Program {
    name: "ring",
    main: include_str!("../python/ring.py"),
    modules: &[],
};

/// Messages per second, each side measured the way the Rust rows are.
#[derive(Debug, Clone, PartialEq)]
pub struct PythonRun {
    pub version: String,
    pub start_method: String,
    pub queue: f64,
    pub pipe: f64,
    pub shm_ring: f64,
}

/// Runs [`PROGRAM`] with `messages` messages per row.
pub fn run(python: &Interpreter, messages: u64) -> Result<PythonRun> {
    let out = python
        .python
        .run_program(&PROGRAM, [messages.max(2).to_string()], HANG_LIMIT)?;
    parse(&out)
}

/// Far longer than the script needs; only a hang gets there.
const HANG_LIMIT: Duration = Duration::from_secs(300);

fn parse(text: &str) -> Result<PythonRun> {
    let mut run = PythonRun {
        version: String::new(),
        start_method: String::new(),
        queue: 0.0,
        pipe: 0.0,
        shm_ring: 0.0,
    };
    for line in text.lines() {
        let Some((key, value)) = line.split_once(' ') else {
            continue;
        };
        let number = || value.trim().parse::<f64>().context("a number");
        match key {
            "version" => run.version = value.to_owned(),
            "start_method" => run.start_method = value.to_owned(),
            "queue" => run.queue = number()?,
            "pipe" => run.pipe = number()?,
            "shm_ring" => run.shm_ring = number()?,
            _ => {}
        }
    }
    if run.queue <= 0.0 || run.pipe <= 0.0 || run.shm_ring <= 0.0 {
        bail!("the Python script did not print every rate:\n{text}");
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_script_output() {
        let run = parse("version 3.11.7\nstart_method fork\nqueue 5e4\npipe 1.5e5\nshm_ring 9e5\n")
            .unwrap();
        assert_eq!(run.version, "3.11.7");
        assert_eq!((run.queue, run.pipe, run.shm_ring), (5e4, 1.5e5, 9e5));
        assert!(parse("version 3.11.7\nqueue 1\n").is_err());
    }
}

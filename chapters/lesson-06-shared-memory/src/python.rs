//! The same Manager and Lock runs in Python, when an interpreter is found:
//! `python/manager.py` (a `multiprocessing.Manager` dict, `d[k] += 1` from
//! several processes, an operation inside the server, the manager killed)
//! and `python/lock.py` (`multiprocessing.Lock` around a shared `Value`, and
//! a holder killed while holding it). Each prints `key value` lines.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, Result};
use course_support::interpreter::Interpreter;
use course_support::python::Program;

/// `python/manager.py PROCESSES INCREMENTS CALLS`.
pub const MANAGER: Program<'static> = Program {
    name: "manager",
    main: include_str!("../python/manager.py"),
    modules: &[],
};

/// `python/lock.py PROCESSES INCREMENTS`.
pub const LOCK: Program<'static> = Program {
    name: "lock",
    main: include_str!("../python/lock.py"),
    modules: &[],
};

/// Far longer than the scripts need; only a hang gets there.
const HANG_LIMIT: Duration = Duration::from_secs(300);

/// What a script printed, by key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answers(pub HashMap<String, String>);

impl Answers {
    pub fn parse(text: &str) -> Answers {
        Answers(
            text.lines()
                .filter_map(|l| l.split_once(' '))
                .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
                .collect(),
        )
    }

    pub fn text(&self, key: &str) -> Result<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .with_context(|| format!("the Python script printed no {key}"))
    }

    pub fn number(&self, key: &str) -> Result<f64> {
        let t = self.text(key)?;
        t.parse()
            .with_context(|| format!("{key} {t:?} is not a number"))
    }
}

/// Runs `manager.py`.
pub fn manager(
    python: &Interpreter,
    processes: usize,
    increments: u64,
    calls: u64,
) -> Result<Answers> {
    let out = python.python.run_program(
        &MANAGER,
        [processes as u64, increments, calls].map(|n| n.to_string()),
        HANG_LIMIT,
    )?;
    Ok(Answers::parse(&out))
}

/// Runs `lock.py`.
pub fn lock(python: &Interpreter, processes: usize, increments: u64) -> Result<Answers> {
    let out = python.python.run_program(
        &LOCK,
        [processes as u64, increments].map(|n| n.to_string()),
        HANG_LIMIT,
    )?;
    Ok(Answers::parse(&out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_value_lines() {
        let a = Answers::parse("version 3.11.7\nround_trip_us 61.4\nnoise\n");
        assert_eq!(a.text("version").unwrap(), "3.11.7");
        assert_eq!(a.number("round_trip_us").unwrap(), 61.4);
        assert!(a.number("racy_counted").is_err());
    }
}

//! The Python side counts the same primes as Rust in every mode it runs
//! (where a Python is installed).

use course_support::interpreter;
use lesson_05_pool_map::python;

#[test]
fn every_python_mode_counts_the_same_primes_as_rust() {
    let Ok(interp) = interpreter::find(None) else {
        eprintln!("no Python on PATH: skipped");
        return;
    };
    let limit = 50_000;
    let rust = course_support::count_primes(0..limit);
    let mut modes = vec!["sequential", "threads", "processes"];
    if interp.facts.interpreter_pool().is_yes() {
        modes.push("interpreters");
    }
    let run = python::run(&interp, limit, 13, 2, 2, 1, &modes).expect("the Python side runs");
    assert_eq!(run.rows.len(), modes.len(), "{run:?}");
    for (mode, row) in &run.rows {
        assert_eq!(row.primes, rust, "{mode}");
        assert!(row.ms > 0.0, "{mode}");
    }
    assert_eq!(run.gil_on, interp.facts.gil_enabled);
}

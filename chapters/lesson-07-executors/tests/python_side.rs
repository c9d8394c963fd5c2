//! The Python side runs every executor, idiomatic and like-for-like, and its
//! prime count equals Rust's (where a Python is installed).

use std::time::Duration;

use course_support::interpreter;
use lesson_07_executors::python::{self, PythonSizes};

#[test]
fn every_python_executor_runs_and_counts_rusts_primes() {
    let Ok(interp) = interpreter::find(None) else {
        eprintln!("no Python on PATH: skipped");
        return;
    };
    let limit = 30_000;
    let sizes = PythonSizes {
        workers: 2,
        tasks: 200,
        process_tasks: 50,
        limit,
        blocks: 6,
        repeats: 1,
        interpreters: interp.facts.interpreter_pool().is_yes(),
    };
    let run = python::run(&interp, sizes, Duration::from_secs(120)).expect("the Python side runs");
    assert_eq!(run.primes, course_support::count_primes(0..limit));
    for (what, us) in [
        ("ThreadPoolExecutor", run.threads_us),
        ("ProcessPoolExecutor", run.processes_us),
        ("Pool.apply_async", run.pool_apply_async_us),
        ("Pool.map", run.pool_map_chunk1_us),
    ] {
        assert!(us > 0.0 && us.is_finite(), "{what}: {us}");
    }
    assert_eq!(run.interpreters_us.is_some(), sizes.interpreters);
    assert_eq!(run.gil_on, interp.facts.gil_enabled);
}

//! The Python side: dask's LocalCluster gives the same answers, leaves no
//! worker process behind, and finishes the job when a worker is killed.
//! Skipped, saying so, without Python or without dask.

use std::time::Duration;

use course_support::count_primes;
use course_support::interpreter::{self, Interpreter};
use course_support::testing::{assert_all_gone, within};
use lesson_12_distributed::jobs::generate_corpus;
use lesson_12_distributed::python::{self, Answer, PyJob};
use lesson_12_distributed::single;

fn python() -> Option<Interpreter> {
    match interpreter::find(None) {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("skipped: {e}");
            None
        }
    }
}

#[test]
fn pool_and_dask_agree_with_rust_and_leave_no_process() {
    let Some(py) = python() else { return };
    let run = within("dask_jobs.py", Duration::from_secs(200), move || {
        python::jobs(
            &py,
            &PyJob::Primes {
                limit: 50_000,
                tasks: &[4, 16],
            },
            2,
            &["pool", "dask"],
        )
        .unwrap()
    });
    let pool: Vec<_> = run
        .rows
        .iter()
        .filter(|r| r.engine == "ProcessPoolExecutor")
        .collect();
    assert_eq!(pool.len(), 2);
    for r in &run.rows {
        assert_eq!(r.answer, Answer::Primes(count_primes(0..50_000)), "{r:?}");
    }
    match run.skipped {
        Some(line) => eprintln!("{line}"),
        None => {
            assert_eq!(run.rows.iter().filter(|r| r.engine == "dask").count(), 2);
            assert!(!run.pids.is_empty(), "the script named its workers");
            assert_all_gone(&run.pids);
        }
    }
}

#[test]
fn dask_counts_the_same_words() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let files = generate_corpus(dir.path(), 5, 2_000).unwrap();
    let expected = single::words_loop(&files).unwrap();
    let path = dir.path().to_owned();
    let run = within("dask_jobs.py", Duration::from_secs(200), move || {
        python::jobs(&py, &PyJob::Words { dir: &path }, 2, &["pool", "dask"]).unwrap()
    });
    assert!(!run.rows.is_empty());
    for r in &run.rows {
        assert_eq!(r.answer, Answer::Words(expected.clone()), "{}", r.engine);
    }
}

#[test]
fn a_killed_dask_worker_does_not_stop_the_job() {
    let Some(py) = python() else { return };
    let (kill, pids) = within("dask_kill.py", Duration::from_secs(200), move || {
        python::kill(&py, 6, 300_000, Duration::from_secs(60)).unwrap()
    });
    let kill = match kill {
        Ok(k) => k,
        Err(line) => {
            eprintln!("{line}");
            return;
        }
    };
    assert!(kill.finished, "{kill:?}");
    assert_eq!(kill.answer, Some(count_primes(0..300_000)));
    assert!(pids.contains(&kill.killed_pid));
    assert_all_gone(&pids);
}

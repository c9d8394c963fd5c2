//! The process pool: tasks really run in other processes, failures of every
//! kind come back as values for their own task, a crashed worker is
//! replaced, nothing hangs, and no process outlives the pool.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{GENEROUS, assert_all_gone, spawner, within};
use course_support::child::Spawner;
use lesson_07_executors::remote::{CountPrimes, Crash, CrashHow, Echo, Fail, Panic, SleepThenPid};
use lesson_07_executors::robust::collect;
use lesson_07_executors::{ProcessPool, TaskError, as_completed};

#[test]
fn tasks_run_in_distinct_worker_processes() {
    within("distinct pids", || {
        let pool = ProcessPool::new(&spawner(), 2).unwrap();
        let workers: HashSet<u32> = pool.pids().into_iter().collect();
        assert_eq!(workers.len(), 2, "two worker processes");
        // Each task keeps its worker busy, so the second goes to the other one.
        let a = pool.submit::<SleepThenPid>(300);
        let b = pool.submit::<SleepThenPid>(300);
        let pids: HashSet<u32> = [a.join().unwrap(), b.join().unwrap()].into();
        assert_eq!(pids, workers, "the two tasks ran in the two workers");
        assert!(!pids.contains(&std::process::id()), "not in this process");
        let all: Vec<u32> = workers.into_iter().collect();
        drop(pool);
        assert_all_gone(&all);
    });
}

#[test]
fn map_keeps_input_order_and_counts_right() {
    within("process map", || {
        let pool = ProcessPool::new(&spawner(), 2).unwrap();
        let blocks = [(0, 100), (100, 1_000), (1_000, 10_000), (0, 10_000)];
        let counts: Vec<u64> = pool
            .map::<CountPrimes>(blocks)
            .map(Result::unwrap)
            .collect();
        assert_eq!(counts, [25, 143, 1_061, 1_229]);
        let echoed: Vec<u64> = pool.map::<Echo>(0..50).map(Result::unwrap).collect();
        assert_eq!(echoed, (0..50).collect::<Vec<_>>());
    });
}

#[test]
fn errors_and_panics_come_back_and_the_worker_survives() {
    within("errors and panics", || {
        let pool = ProcessPool::new(&spawner(), 1).unwrap();
        let pid = pool.pids()[0];
        assert_eq!(
            pool.submit::<Fail>("bad input".into()).join(),
            Err(TaskError::Failed("bad input".into()))
        );
        assert_eq!(
            pool.submit::<Panic>("boom".into()).join(),
            Err(TaskError::Panicked("boom".into())),
            "a panic in the worker comes back with its message"
        );
        assert_eq!(
            pool.submit::<CountPrimes>((5, 1)).join(),
            Err(TaskError::Failed("empty range 5..1".into()))
        );
        assert_eq!(pool.submit::<Echo>(9).join(), Ok(9));
        assert_eq!(
            pool.pids(),
            [pid],
            "a panic does not cost the worker its life"
        );
        assert_eq!(pool.processes_started(), 1);
    });
}

#[test]
fn a_crashing_worker_fails_its_task_and_is_replaced() {
    within("crash", || {
        let pool = ProcessPool::new(&spawner(), 1).unwrap();
        let first = pool.pids()[0];
        let crashed = pool.submit::<Crash>(CrashHow::Abort);
        let after = pool.submit::<Echo>(5);
        match crashed.join() {
            Err(TaskError::Broken(why)) => {
                assert!(why.contains("SIGABRT"), "says how it died: {why}");
                assert!(why.contains(&first.to_string()), "names the pid: {why}");
            }
            other => panic!("a crashed worker must fail its task with Broken, got {other:?}"),
        }
        assert_eq!(after.join(), Ok(5), "the next task runs on a replacement");
        let now = pool.pids();
        assert_eq!(now.len(), 1);
        assert_ne!(now[0], first, "a new process replaced the dead one");
        assert_eq!(pool.processes_started(), 2);
        assert_all_gone(&[first]);

        let exited = pool.submit::<Crash>(CrashHow::Exit).join();
        assert!(
            matches!(&exited, Err(TaskError::Broken(why)) if why.contains("exit code 3")),
            "{exited:?}"
        );
        drop(pool);
        assert_all_gone(&now);
    });
}

#[test]
fn a_batch_with_every_kind_of_failure_is_collected() {
    within("robust on processes", || {
        let pool = ProcessPool::new(&spawner(), 2).unwrap();
        let mut pids = pool.pids();
        let handles = vec![
            pool.submit::<CountPrimes>((0, 1_000)),
            pool.submit::<Fail>("nope".into()),
            pool.submit::<Crash>(CrashHow::Abort),
            pool.submit::<Panic>("oops".into()),
            pool.submit::<Echo>(3),
        ];
        let report = collect(handles, GENEROUS);
        pids.extend(pool.pids());
        let mut ok: Vec<(u64, u64)> = report.ok.iter().map(|(id, v)| (id.0, *v)).collect();
        ok.sort_unstable();
        assert_eq!(ok, [(0, 168), (4, 3)]);
        let mut failed: Vec<(u64, &str)> = report
            .failed
            .iter()
            .map(|(id, e)| (id.0, e.kind()))
            .collect();
        failed.sort_unstable();
        assert_eq!(failed, [(1, "Failed"), (2, "Broken"), (3, "Panicked")]);
        drop(pool);
        assert_all_gone(&pids);
    });
}

#[test]
fn a_task_over_the_limit_is_killed_with_its_worker() {
    within("task limit", || {
        let pool = ProcessPool::with_task_limit(&spawner(), 1, Duration::from_millis(100)).unwrap();
        let first = pool.pids();
        assert_eq!(
            pool.submit::<SleepThenPid>(60_000).join(),
            Err(TaskError::TimedOut)
        );
        assert_all_gone(&first);
        assert_eq!(
            pool.submit::<Echo>(1).join(),
            Ok(1),
            "a replacement took over"
        );
        assert_eq!(pool.processes_started(), 2);
    });
}

#[test]
fn result_timeout_on_a_process_task() {
    within("process result(timeout)", || {
        let pool = ProcessPool::new(&spawner(), 1).unwrap();
        let slow = pool.submit::<SleepThenPid>(60_000);
        let other = pool.submit::<Echo>(1);
        assert_eq!(
            slow.result(Duration::from_millis(50)),
            Err(TaskError::TimedOut)
        );
        assert!(other.cancel(), "the queued task can still be cancelled");
        let pids = pool.pids();
        // The task is still running; shutdown(false) kills it rather than wait a minute.
        assert_eq!(
            pool.shutdown(false),
            0,
            "nothing left in the queue to cancel"
        );
        assert_all_gone(&pids);
    });
}

#[test]
fn shutdown_no_wait_kills_running_and_cancels_queued() {
    within("process shutdown(false)", || {
        let pool = ProcessPool::new(&spawner(), 2).unwrap();
        let pids = pool.pids();
        let running: Vec<_> = (0..2)
            .map(|_| pool.submit::<SleepThenPid>(60_000))
            .collect();
        let queued: Vec<_> = (0..3).map(|_| pool.submit::<Echo>(0)).collect();
        for h in &running {
            let deadline = std::time::Instant::now() + GENEROUS;
            while !h.running() {
                assert!(std::time::Instant::now() < deadline, "never started");
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        assert_eq!(pool.shutdown(false), 3);
        assert_all_gone(&pids);
        for h in running {
            assert!(matches!(h.join(), Err(TaskError::Broken(_))));
        }
        for h in queued {
            assert_eq!(h.join(), Err(TaskError::Cancelled));
        }
    });
}

#[test]
fn shutdown_wait_runs_the_queue_and_leaves_no_process() {
    within("process shutdown(true)", || {
        let pool = ProcessPool::new(&spawner(), 2).unwrap();
        let pids = pool.pids();
        let handles: Vec<_> = (0..20).map(|i| pool.submit::<Echo>(i)).collect();
        assert_eq!(pool.shutdown(true), 0);
        assert_all_gone(&pids);
        let mut got: Vec<u64> = as_completed(handles)
            .map(|h| h.result(Duration::ZERO).unwrap())
            .collect();
        got.sort_unstable();
        assert_eq!(
            got,
            (0..20).collect::<Vec<_>>(),
            "all 20 ran before shutdown returned"
        );
    });
}

#[test]
fn a_missing_program_is_an_error_not_a_hang() {
    within("bad program", || {
        let err = ProcessPool::new(&Spawner::new("/nonexistent/lesson-07"), 2).unwrap_err();
        assert!(
            format!("{err:#}").contains("starting a worker process"),
            "{err:#}"
        );
    });
}

#[test]
fn a_panicking_parent_leaves_no_worker() {
    let (tx, rx) = std::sync::mpsc::channel();
    let result = std::thread::spawn(move || {
        let pool = ProcessPool::new(&spawner(), 2).unwrap();
        tx.send(pool.pids()).unwrap();
        let _busy = pool.submit::<SleepThenPid>(200);
        panic!("the parent fails with workers running");
    })
    .join();
    assert!(result.is_err());
    assert_all_gone(&rx.recv().unwrap());
}

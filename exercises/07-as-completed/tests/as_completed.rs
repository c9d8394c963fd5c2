//! Canonical tests for `as-completed`: every outcome collected with its id,
//! errors and panics contained, completion order, the deadline respected,
//! and a bound on workers that holds under stress.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use as_completed::{Report, Task, TaskError, TaskId, collect_all};

/// How long a test waits for something that correct code does at once.
/// Not a speed limit: it only turns a hang into a failure.
const PATIENCE: Duration = Duration::from_secs(8);

/// A batch long enough for any correct run; tasks are all quick here.
const ENOUGH: Duration = Duration::from_secs(5);

/// Runs `collect_all` on another thread, so that a hang fails the test
/// with a message instead of stopping it.
fn run<T: Send + 'static>(tasks: Vec<Task<T>>, workers: usize, timeout: Duration) -> Report<T> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(collect_all(tasks, workers, timeout));
    });
    match rx.recv_timeout(timeout + PATIENCE) {
        Ok(report) => report,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "collect_all did not return within {timeout:?} + {PATIENCE:?}: it must stop \
             waiting at the deadline (don't join a thread that may still be running)"
        ),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            panic!("collect_all panicked (see above): a task's panic must be caught")
        }
    }
}

/// Every id exactly once, in `ok` or `failed`.
fn assert_each_id_once<T>(report: &Report<T>, n: usize) {
    let mut ids: Vec<TaskId> = report.ok.iter().map(|(id, _)| *id).collect();
    ids.extend(report.failed.iter().map(|(id, _)| *id));
    ids.sort_unstable();
    assert_eq!(
        ids,
        (0..n).collect::<Vec<_>>(),
        "each of the {n} task ids must appear exactly once in the report (ok or failed)"
    );
}

#[test]
fn all_results_come_back_with_their_ids() {
    let tasks = (0..40)
        .map(|i| {
            Task::new(i, move || {
                thread::yield_now();
                Ok(i * 3)
            })
        })
        .collect();
    let report = run(tasks, 4, ENOUGH);
    assert!(
        report.failed.is_empty(),
        "nothing failed, yet: {:?}",
        report.failed
    );
    assert_each_id_once(&report, 40);
    for (id, value) in &report.ok {
        assert_eq!(*value, id * 3, "task {id} returned {}, not {value}", id * 3);
    }
}

#[test]
fn errors_are_collected_with_their_task_ids() {
    let tasks = (0..20)
        .map(|i| {
            Task::new(i, move || {
                if i % 4 == 1 {
                    Err(format!("task {i}: bad input"))
                } else {
                    Ok(i)
                }
            })
        })
        .collect();
    let report = run(tasks, 3, ENOUGH);
    assert_each_id_once(&report, 20);
    let mut failed = report.failed.clone();
    failed.sort_by_key(|(id, _)| *id);
    let expected: Vec<(TaskId, TaskError)> = [1, 5, 9, 13, 17]
        .into_iter()
        .map(|i| (i, TaskError::Failed(format!("task {i}: bad input"))))
        .collect();
    assert_eq!(
        failed, expected,
        "each Err(msg) must be reported as (id, TaskError::Failed(msg))"
    );
    assert_eq!(report.ok.len(), 15, "the other 15 tasks succeed");
}

#[test]
fn panics_are_caught_and_the_other_tasks_still_run() {
    // One worker: if a panic killed it, nothing after task 2 would run.
    let tasks = (0..8)
        .map(|i| {
            Task::new(i, move || {
                if i == 2 || i == 5 {
                    panic!("task {i} exploded");
                }
                Ok(i)
            })
        })
        .collect();
    let report = run(tasks, 1, ENOUGH);
    assert_each_id_once(&report, 8);
    let mut failed = report.failed.clone();
    failed.sort_by_key(|(id, _)| *id);
    assert_eq!(
        failed,
        [
            (2, TaskError::Panicked("task 2 exploded".into())),
            (5, TaskError::Panicked("task 5 exploded".into())),
        ],
        "a panic must become (id, TaskError::Panicked(its message)); catch it with \
         std::panic::catch_unwind so the worker goes on"
    );
    assert_eq!(report.ok.len(), 6, "the tasks after a panic must still run");
}

#[test]
fn outcomes_are_in_completion_order_slow_first_task_last() {
    let quick_done = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    let done = Arc::clone(&quick_done);
    // Task 0 is given first but finishes only after all the others have.
    tasks.push(Task::new(0, move || {
        let deadline = Instant::now() + PATIENCE;
        while done.load(SeqCst) < 5 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
        thread::sleep(Duration::from_millis(100)); // let their outcomes arrive first
        Ok(0)
    }));
    for i in 1..6 {
        let done = Arc::clone(&quick_done);
        tasks.push(Task::new(i, move || {
            done.fetch_add(1, SeqCst);
            Ok(i)
        }));
    }
    let report = run(tasks, 2, ENOUGH);
    assert_each_id_once(&report, 6);
    let order: Vec<TaskId> = report.ok.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        order.last(),
        Some(&0),
        "the slow first task must be reported last, got {order:?}: collect outcomes in \
         the order tasks finish (receive from a channel), not the order they were given"
    );
}

#[test]
fn a_slow_task_times_out_and_collect_all_returns_without_it() {
    let (release, released) = mpsc::channel::<()>();
    let released = Arc::new(std::sync::Mutex::new(released));
    let slow_finished = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    let (gate, finished) = (Arc::clone(&released), Arc::clone(&slow_finished));
    tasks.push(Task::new(0, move || {
        // Blocks until the test releases it, after collect_all has returned.
        let _ = gate.lock().unwrap().recv_timeout(PATIENCE);
        finished.store(1, SeqCst);
        Ok(0)
    }));
    for i in 1..6 {
        tasks.push(Task::new(i, move || Ok(i)));
    }
    let report = run(tasks, 2, Duration::from_millis(800));
    let slow_was_running = slow_finished.load(SeqCst) == 0;
    let _ = release.send(());
    assert!(
        slow_was_running,
        "collect_all waited for the slow task: it must return at the deadline"
    );
    assert_each_id_once(&report, 6);
    assert_eq!(
        report.failed,
        [(0, TaskError::TimedOut)],
        "the task still running at the deadline is (id, TaskError::TimedOut)"
    );
    assert_eq!(
        report.ok.len(),
        5,
        "the quick tasks finish before the deadline"
    );
}

#[test]
fn the_deadline_is_for_the_whole_batch_not_for_each_result() {
    // 40 tasks of 250 ms on 2 workers take 5 s; the timeout is 1 s. Waiting
    // up to `timeout` for *each* next result would never time out, since a
    // result arrives every 125 ms: the deadline is `start + timeout`, and
    // each wait may only last until then.
    let tasks: Vec<Task<usize>> = (0..40)
        .map(|i| {
            Task::new(i, move || {
                thread::sleep(Duration::from_millis(250));
                Ok(i)
            })
        })
        .collect();
    let started = Instant::now();
    let report = run(tasks, 2, Duration::from_secs(1));
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "collect_all took {took:?} with a 1 s timeout: it must return at start + timeout \
         (wait for each result only until that deadline, not a fresh timeout each time)"
    );
    assert_each_id_once(&report, 40);
    let timed_out = report
        .failed
        .iter()
        .filter(|(_, e)| *e == TaskError::TimedOut)
        .count();
    assert!(
        timed_out >= 20,
        "only {timed_out} of 40 tasks timed out, although at most about 8 can finish in 1 s"
    );
}

#[test]
fn tasks_that_never_started_time_out_too() {
    // One worker, stuck on task 0: tasks 1..4 never get to run in time.
    let (release, released) = mpsc::channel::<()>();
    let released = Arc::new(std::sync::Mutex::new(released));
    let mut tasks = vec![Task::new(0, move || {
        let _ = released.lock().unwrap().recv_timeout(PATIENCE);
        Ok(0)
    })];
    for i in 1..4 {
        tasks.push(Task::new(i, move || Ok(i)));
    }
    let report = run(tasks, 1, Duration::from_millis(300));
    let _ = release.send(());
    assert_each_id_once(&report, 4);
    let mut timed_out: Vec<TaskId> = report
        .failed
        .iter()
        .filter(|(_, e)| *e == TaskError::TimedOut)
        .map(|(id, _)| *id)
        .collect();
    timed_out.sort_unstable();
    assert_eq!(
        timed_out,
        [0, 1, 2, 3],
        "every task without an outcome at the deadline is TimedOut, started or not"
    );
}

#[test]
fn workers_really_run_at_the_same_time() {
    let workers = 4;
    let arrived = Arc::new(AtomicUsize::new(0));
    let tasks = (0..workers)
        .map(|i| {
            let arrived = Arc::clone(&arrived);
            Task::new(i, move || {
                // Opens only when all `workers` tasks are running at once.
                arrived.fetch_add(1, SeqCst);
                let deadline = Instant::now() + Duration::from_secs(3);
                while arrived.load(SeqCst) < workers && Instant::now() < deadline {
                    thread::yield_now();
                }
                if arrived.load(SeqCst) >= workers {
                    Ok(i)
                } else {
                    Err(format!("only {} tasks ran at once", arrived.load(SeqCst)))
                }
            })
        })
        .collect();
    let report = run(tasks, workers, ENOUGH);
    assert!(
        report.failed.is_empty(),
        "with {workers} workers, {workers} tasks must run at the same time: {:?}",
        report.failed
    );
}

#[test]
fn never_more_than_workers_tasks_at_once() {
    for workers in [2, 3] {
        let now = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let threads = Arc::new(std::sync::Mutex::new(HashSet::new()));
        let tasks = (0..150)
            .map(|i| {
                let (now, peak, threads) =
                    (Arc::clone(&now), Arc::clone(&peak), Arc::clone(&threads));
                Task::new(i, move || {
                    threads.lock().unwrap().insert(thread::current().id());
                    let inside = now.fetch_add(1, SeqCst) + 1;
                    peak.fetch_max(inside, SeqCst);
                    if i % 5 == 0 {
                        thread::sleep(Duration::from_millis(1));
                    } else {
                        thread::yield_now();
                    }
                    now.fetch_sub(1, SeqCst);
                    Ok(i)
                })
            })
            .collect();
        let report = run(tasks, workers, ENOUGH);
        assert_each_id_once(&report, 150);
        let peak = peak.load(SeqCst);
        assert!(
            peak <= workers,
            "{peak} tasks ran at once, but only {workers} workers are allowed"
        );
        let used = threads.lock().unwrap().len();
        assert!(
            used <= workers,
            "tasks ran on {used} different threads: start {workers} worker threads that \
             share the tasks, not a thread per task"
        );
    }
}

#[test]
fn no_tasks_and_more_workers_than_tasks() {
    let report = run(Vec::<Task<u8>>::new(), 3, ENOUGH);
    assert!(
        report.ok.is_empty() && report.failed.is_empty(),
        "no tasks: an empty report, at once"
    );
    let tasks = (0..2).map(|i| Task::new(i, move || Ok(i))).collect();
    let report = run(tasks, 10, ENOUGH);
    assert_each_id_once(&report, 2);
    assert!(report.failed.is_empty());
}

//! JoinableQueue: join returns only when every task has been marked done,
//! and a worker that dies holding a task is an error, not a hang.

mod common;

use std::time::Duration;

use common::{assert_all_gone, spawner, within};
use lesson_04_ipc::joinable::{JoinableQueue, Task, prime_tasks};

#[test]
fn join_returns_only_after_every_task_done() {
    let (pids, done, unfinished_before, put) = within("joinable", || {
        let mut q = JoinableQueue::start(&spawner(), 3).unwrap();
        // Slow tasks: none can be done when we look right after putting.
        for i in 0..6 {
            q.put(Task {
                sleep_ms: 150,
                ..Task::primes(i, i * 100, (i + 1) * 100)
            });
        }
        let unfinished_before = q.unfinished();
        q.join(Duration::from_secs(15)).unwrap();
        let done = q.done();
        let put = q.put_count();
        assert_eq!(q.unfinished(), 0);
        let pids = q.pids();
        let statuses = q.close().unwrap();
        assert!(statuses.iter().all(|s| s.success()), "{statuses:?}");
        (pids, done, unfinished_before, put)
    });
    assert_eq!(unfinished_before, 6, "put counts every task as unfinished");
    assert_eq!(
        done.len() as u64,
        put,
        "join returned before every task_done"
    );
    let mut ids: Vec<u64> = done.iter().map(|d| d.task).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        (0..6).collect::<Vec<_>>(),
        "each task done exactly once"
    );
    assert!(done.iter().all(|d| pids.contains(&d.pid)));
    assert_all_gone(&pids);
}

#[test]
fn results_are_exact_and_shared_between_workers() {
    let (pids, done) = within("joinable primes", || {
        let mut q = JoinableQueue::start(&spawner(), 2).unwrap();
        for t in prime_tasks(50_000, 10) {
            q.put(t);
        }
        q.join(Duration::from_secs(15)).unwrap();
        let out = (q.pids(), q.done());
        q.close().unwrap();
        out
    });
    let total: u64 = done.iter().map(|d| d.primes).sum();
    assert_eq!(total, course_support::count_primes(0..50_000));
    assert_eq!(done.len(), 10);
    assert_all_gone(&pids);
}

#[test]
fn a_worker_dying_with_a_task_is_reported_not_waited_for() {
    let (pids, err) = within("joinable crash", || {
        let mut q = JoinableQueue::start(&spawner(), 2).unwrap();
        q.put(Task::primes(0, 0, 1000));
        q.put(Task {
            crash: true,
            ..Task::primes(1, 0, 10)
        });
        let err = q.join(Duration::from_secs(15)).unwrap_err().to_string();
        (q.pids(), err)
        // q drops here: the surviving worker is killed and reaped.
    });
    assert!(
        err.contains("while holding task 1") && err.contains("SIGABRT"),
        "{err}"
    );
    assert_all_gone(&pids);
}

//! `as_completed` yields in completion order, `wait` returns when its
//! condition holds, and the robust pattern collects every outcome with its
//! task id. Order is forced with gates, not with sleeps.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::Duration;

use common::{GENEROUS, Gate, wait_for, within};
use crossbeam::channel;
use lesson_07_executors::robust::collect;
use lesson_07_executors::{ReturnWhen, TaskError, TaskId, ThreadPool, as_completed, wait};

#[test]
fn as_completed_yields_in_completion_order_slow_first_task_last() {
    within("as_completed", || {
        let pool = ThreadPool::new(2);
        // Task #0 is submitted first and finishes only when the test lets it,
        // which it does after as_completed has yielded the other four.
        let (release, released) = channel::bounded::<()>(1);
        let slow = pool.spawn(move || {
            let _ = released.recv_timeout(GENEROUS);
            "slow"
        });
        let mut handles = vec![slow];
        handles.extend((0..4).map(|_| pool.spawn(|| "quick")));
        let mut order = Vec::new();
        for handle in as_completed(handles) {
            order.push(handle.id());
            if order.len() == 4 {
                release.send(()).unwrap();
            }
        }
        assert_eq!(order.len(), 5, "every handle is yielded once");
        assert_eq!(
            order.last(),
            Some(&TaskId(0)),
            "the slow first task must arrive last, got {order:?}: as_completed must \
             yield in completion order, not submission order"
        );
    });
}

#[test]
fn as_completed_yields_finished_handles_at_once() {
    within("already done", || {
        let pool = ThreadPool::new(1);
        let handles: Vec<_> = (0..5).map(|i| pool.spawn(move || i)).collect();
        for h in &handles {
            assert!(h.wait(GENEROUS));
        }
        let mut values: Vec<i32> = as_completed(handles)
            .map(|h| h.result(Duration::ZERO).unwrap())
            .collect();
        values.sort_unstable();
        assert_eq!(values, [0, 1, 2, 3, 4]);
    });
}

#[test]
fn as_completed_with_a_timeout_hands_back_the_rest() {
    within("as_completed timeout", || {
        let pool = ThreadPool::new(2);
        let gate = Gate::new();
        let wait = gate.waiter();
        let blocked = pool.spawn(wait);
        let quick = pool.spawn(|| true);
        let mut it = as_completed(vec![blocked, quick]).timeout(Duration::from_millis(50));
        let yielded: Vec<TaskId> = it.by_ref().map(|h| h.id()).collect();
        assert_eq!(yielded, [TaskId(1)]);
        assert!(it.timed_out(), "it stopped because the time ran out");
        let rest = it.into_remaining();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].id(), TaskId(0));
        gate.open();
    });
}

#[test]
fn wait_first_completed_first_exception_all_completed() {
    within("wait", || {
        let pool = ThreadPool::new(3);
        let (ok_gate, bad_gate, last_gate) = (Gate::new(), Gate::new(), Gate::new());
        let (w1, w2, w3) = (ok_gate.waiter(), bad_gate.waiter(), last_gate.waiter());
        let handles = vec![
            pool.submit(move || Ok::<_, String>(w1())),
            pool.submit(move || {
                w2();
                Err::<bool, _>("bad".to_owned())
            }),
            pool.submit(move || Ok(w3())),
        ];
        let split = wait(handles, Duration::from_millis(30), ReturnWhen::AllCompleted);
        let (done, not_done) = (split.done, split.not_done);
        assert!(
            done.is_empty() && not_done.len() == 3,
            "timeout: nothing done yet"
        );

        ok_gate.open();
        let split = wait(not_done, GENEROUS, ReturnWhen::FirstCompleted);
        let (done, not_done) = (split.done, split.not_done);
        assert_eq!(done.len(), 1, "FIRST_COMPLETED returns after the first");
        assert_eq!(done[0].id(), TaskId(0));

        bad_gate.open();
        let mut all: Vec<_> = done.into_iter().chain(not_done).collect();
        all.sort_by_key(|h| h.id());
        let split = wait(all, GENEROUS, ReturnWhen::FirstException);
        let (done, not_done) = (split.done, split.not_done);
        let ids: Vec<TaskId> = done.iter().map(|h| h.id()).collect();
        assert_eq!(
            ids,
            [TaskId(0), TaskId(1)],
            "FIRST_EXCEPTION returns at the failure"
        );
        assert_eq!(not_done.len(), 1);

        last_gate.open();
        let all: Vec<_> = done.into_iter().chain(not_done).collect();
        let split = wait(all, GENEROUS, ReturnWhen::AllCompleted);
        let (done, not_done) = (split.done, split.not_done);
        assert_eq!((done.len(), not_done.len()), (3, 0));
    });
}

#[test]
fn errors_panics_and_timeouts_are_collected_with_their_task_ids() {
    within("robust collect", || {
        let pool = ThreadPool::new(2);
        let gate = Gate::new();
        let slow_started = Arc::new(AtomicUsize::new(0));
        let others_ran = Arc::new(AtomicUsize::new(0));
        let mut handles = Vec::new();
        for i in 0..12u64 {
            let (wait, started) = (gate.waiter(), Arc::clone(&slow_started));
            let ran = Arc::clone(&others_ran);
            handles.push(pool.submit(move || {
                if i != 9 {
                    ran.fetch_add(1, SeqCst);
                }
                match i {
                    3 | 7 => Err(format!("task {i} failed")),
                    5 => panic!("task {i} panicked"),
                    9 => {
                        started.store(1, SeqCst);
                        wait();
                        Ok(i)
                    }
                    _ => Ok(i * 10),
                }
            }));
        }
        // The slow one is running and the rest have run when the clock starts,
        // so the deadline decides nothing but the slow task's fate.
        wait_for(&slow_started, 1, "the slow task starting");
        wait_for(&others_ran, 11, "the other tasks running");
        let report = collect(handles, Duration::from_millis(300));
        gate.open();

        let ok: HashSet<u64> = report.ok.iter().map(|(id, _)| id.0).collect();
        let expected_ok: HashSet<u64> = [0, 1, 2, 4, 6, 8, 10, 11].into();
        assert_eq!(ok, expected_ok, "every task that succeeded is in ok");
        for (id, value) in &report.ok {
            assert_eq!(*value, id.0 * 10, "value of task {id}");
        }
        let mut failed: Vec<(u64, TaskError<String>)> =
            report.failed.into_iter().map(|(id, e)| (id.0, e)).collect();
        failed.sort_by_key(|(id, _)| *id);
        assert_eq!(
            failed,
            vec![
                (3, TaskError::Failed("task 3 failed".into())),
                (5, TaskError::Panicked("task 5 panicked".into())),
                (7, TaskError::Failed("task 7 failed".into())),
                (9, TaskError::TimedOut),
            ],
            "each failure is paired with its task id"
        );
    });
}

#[test]
fn tasks_not_started_at_the_deadline_are_cancelled_and_never_run() {
    within("collect cancels the queue", || {
        let pool = ThreadPool::new(1);
        let gate = Gate::new();
        let ran = Arc::new(AtomicUsize::new(0));
        let started = Arc::new(AtomicUsize::new(0));
        let (wait, s) = (gate.waiter(), Arc::clone(&started));
        let mut handles = vec![pool.spawn(move || {
            s.store(1, SeqCst);
            wait();
        })];
        for _ in 0..3 {
            let ran = Arc::clone(&ran);
            handles.push(pool.spawn(move || {
                ran.fetch_add(1, SeqCst);
            }));
        }
        wait_for(&started, 1, "the blocking task starting");
        let report = collect(handles, Duration::from_millis(30));
        gate.open();
        drop(pool);
        assert!(report.ok.is_empty());
        let kinds: Vec<&str> = report.failed.iter().map(|(_, e)| e.kind()).collect();
        assert_eq!(kinds, ["TimedOut", "Cancelled", "Cancelled", "Cancelled"]);
        thread::sleep(Duration::from_millis(10));
        assert_eq!(ran.load(SeqCst), 0, "cancelled tasks never ran");
    });
}

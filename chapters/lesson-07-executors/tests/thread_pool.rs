//! The thread pool behaves like `ThreadPoolExecutor`: submit and result with
//! a timeout, map in input order, panics contained, cancel, both shutdowns,
//! and never more than `max_workers` tasks at once.

mod common;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::{Duration, Instant};

use common::{GENEROUS, Gate, wait_for, within};
use course_support::InFlight;
use lesson_07_executors::{TaskError, ThreadPool};

#[test]
fn submit_returns_values_and_errors() {
    within("submit", || {
        let pool = ThreadPool::new(2);
        let ok = pool.submit(|| Ok::<_, String>(6 * 7));
        let bad = pool.submit(|| Err::<u32, _>("no such file".to_owned()));
        assert_eq!(ok.join(), Ok(42));
        assert_eq!(
            bad.join(),
            Err(TaskError::Failed("no such file".to_owned())),
            "an Err from the task is TaskError::Failed with the error value"
        );
    });
}

#[test]
fn map_keeps_input_order() {
    within("map", || {
        let pool = ThreadPool::new(4);
        let finished = Arc::new(AtomicUsize::new(0));
        let rank = Arc::clone(&finished);
        // Item i sleeps longer the smaller it is: they finish in reverse.
        let out: Vec<_> = pool
            .map(
                move |i: u64| {
                    thread::sleep(Duration::from_millis(5 * (8 - i)));
                    Ok::<_, Infallible>((i * i, rank.fetch_add(1, SeqCst)))
                },
                0..8,
            )
            .map(Result::unwrap)
            .collect();
        let values: Vec<u64> = out.iter().map(|(v, _)| *v).collect();
        assert_eq!(
            values,
            [0, 1, 4, 9, 16, 25, 36, 49],
            "map yields in input order"
        );
        let ranks: Vec<usize> = out.iter().map(|(_, r)| *r).collect();
        assert_ne!(
            ranks,
            (0..8).collect::<Vec<_>>(),
            "the test is meant to finish them out of order"
        );
    });
}

#[test]
fn map_gives_each_item_its_own_outcome() {
    within("map with failures", || {
        let pool = ThreadPool::new(3);
        let out: Vec<_> = pool
            .map(
                |i: u32| match i {
                    2 => Err(format!("item {i} is bad")),
                    4 => panic!("item {i} panicked"),
                    _ => Ok(i),
                },
                0..6,
            )
            .collect();
        assert_eq!(out[0], Ok(0));
        assert_eq!(out[2], Err(TaskError::Failed("item 2 is bad".into())));
        assert_eq!(out[4], Err(TaskError::Panicked("item 4 panicked".into())));
        assert_eq!(out[5], Ok(5), "items after a failure still run");
    });
}

#[test]
fn result_timeout_returns_timed_out_and_the_task_runs_on() {
    within("result(timeout)", || {
        let pool = ThreadPool::new(1);
        let gate = Gate::new();
        let stage = Arc::new(AtomicUsize::new(0));
        let (wait, s) = (gate.waiter(), Arc::clone(&stage));
        let slow = pool.spawn(move || {
            s.store(1, SeqCst); // started
            let opened = wait();
            s.store(2, SeqCst); // finished
            opened
        });
        wait_for(&stage, 1, "the slow task starting");
        assert!(!slow.wait(Duration::from_millis(20)));
        assert_eq!(
            slow.result(Duration::from_millis(20)),
            Err(TaskError::TimedOut)
        );
        assert_eq!(
            stage.load(SeqCst),
            1,
            "result(timeout) returned while the task is still running"
        );
        gate.open();
        pool.shutdown(true);
        assert_eq!(
            stage.load(SeqCst),
            2,
            "the task ran to its end after the timeout"
        );
    });
}

#[test]
fn done_running_and_wait_report_the_state() {
    within("state", || {
        let pool = ThreadPool::new(1);
        let gate = Gate::new();
        let wait = gate.waiter();
        let h = pool.spawn(wait);
        let deadline = Instant::now() + GENEROUS;
        while !h.running() {
            assert!(Instant::now() < deadline, "the task never started");
            thread::yield_now();
        }
        assert!(!h.done() && !h.cancelled());
        gate.open();
        assert!(h.wait(GENEROUS) && h.done() && !h.running());
        assert_eq!(
            h.result(Duration::ZERO),
            Ok(true),
            "done: result does not wait"
        );
    });
}

#[test]
fn panics_become_panicked_and_the_pool_keeps_working() {
    within("panics", || {
        let pool = ThreadPool::new(1);
        let first = pool.spawn(|| -> u32 { panic!("task 1 exploded") });
        let second = pool.spawn(|| 2);
        assert_eq!(
            first.join(),
            Err(TaskError::Panicked("task 1 exploded".into())),
            "the panic message comes back"
        );
        assert_eq!(second.join(), Ok(2), "the only worker survived the panic");
        let formatted = pool.spawn(|| -> u32 { panic!("code {}", 7) });
        assert_eq!(formatted.join(), Err(TaskError::Panicked("code 7".into())));
        for i in 0..20 {
            assert_eq!(pool.spawn(move || i).join(), Ok(i));
        }
    });
}

#[test]
fn cancel_pending_work_and_it_never_runs() {
    within("cancel", || {
        let pool = ThreadPool::new(1);
        let gate = Gate::new();
        let ran = Arc::new(AtomicUsize::new(0));
        let started = Arc::new(AtomicUsize::new(0));
        let (wait, s) = (gate.waiter(), Arc::clone(&started));
        let running = pool.spawn(move || {
            s.store(1, SeqCst);
            wait()
        });
        wait_for(&started, 1, "the first task starting");
        let queued: Vec<_> = (0..10)
            .map(|_| {
                let ran = Arc::clone(&ran);
                pool.spawn(move || ran.fetch_add(1, SeqCst))
            })
            .collect();
        assert!(!running.cancel(), "a running task cannot be cancelled");
        for h in queued.iter().step_by(2) {
            assert!(h.cancel(), "a queued task can be cancelled");
            assert!(h.cancel(), "cancelling twice is still true");
            assert!(h.cancelled() && h.done());
        }
        gate.open();
        assert_eq!(running.join(), Ok(true));
        let outcomes: Vec<_> = queued.into_iter().map(|h| h.join()).collect();
        pool.shutdown(true);
        assert_eq!(ran.load(SeqCst), 5, "exactly the 5 tasks not cancelled ran");
        for (i, o) in outcomes.iter().enumerate() {
            if i % 2 == 0 {
                assert_eq!(*o, Err(TaskError::Cancelled), "task {i}");
            } else {
                assert!(o.is_ok(), "task {i}: {o:?}");
            }
        }
    });
}

#[test]
fn cancel_after_done_is_false() {
    let pool = ThreadPool::new(1);
    let h = pool.spawn(|| 1);
    assert!(h.wait(GENEROUS));
    assert!(!h.cancel(), "a finished task cannot be cancelled");
    assert_eq!(h.join(), Ok(1));
}

#[test]
fn shutdown_wait_runs_everything_queued() {
    within("shutdown(true)", || {
        let pool = ThreadPool::new(1);
        let ran = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..50)
            .map(|_| {
                let ran = Arc::clone(&ran);
                pool.spawn(move || {
                    thread::yield_now();
                    ran.fetch_add(1, SeqCst)
                })
            })
            .collect();
        assert_eq!(pool.shutdown(true), 0, "shutdown(true) cancels nothing");
        assert_eq!(
            ran.load(SeqCst),
            50,
            "every queued task ran before shutdown returned"
        );
        assert!(handles.iter().all(|h| h.done() && !h.cancelled()));
    });
}

#[test]
fn drop_is_shutdown_wait_true() {
    within("drop", || {
        let ran = Arc::new(AtomicUsize::new(0));
        {
            let pool = ThreadPool::new(2);
            for _ in 0..30 {
                let ran = Arc::clone(&ran);
                pool.spawn(move || {
                    thread::sleep(Duration::from_millis(1));
                    ran.fetch_add(1, SeqCst)
                });
            }
        } // the `with` block ends
        assert_eq!(
            ran.load(SeqCst),
            30,
            "dropping the pool waits for every task"
        );
    });
}

#[test]
fn shutdown_no_wait_drops_pending_and_returns_at_once() {
    within("shutdown(false)", || {
        let pool = ThreadPool::new(1);
        let gate = Gate::new();
        let started = Arc::new(AtomicUsize::new(0));
        let ran = Arc::new(AtomicUsize::new(0));
        let (wait, s) = (gate.waiter(), Arc::clone(&started));
        let running = pool.spawn(move || {
            s.store(1, SeqCst);
            wait()
        });
        wait_for(&started, 1, "the first task starting");
        let queued: Vec<_> = (0..10)
            .map(|_| {
                let ran = Arc::clone(&ran);
                pool.spawn(move || ran.fetch_add(1, SeqCst))
            })
            .collect();
        // The running task waits for the gate: if shutdown waited, this would hang.
        let cancelled = pool.shutdown(false);
        assert_eq!(cancelled, 10, "shutdown(false) cancels the 10 queued tasks");
        assert!(
            running.running(),
            "the running task is not stopped, only left behind"
        );
        for h in queued {
            assert_eq!(h.join(), Err(TaskError::Cancelled));
        }
        gate.open();
        assert_eq!(
            running.join(),
            Ok(true),
            "the running task finished on its own"
        );
        assert_eq!(ran.load(SeqCst), 0, "no queued task ran");
    });
}

#[test]
fn never_more_than_max_workers_at_once() {
    within("bound under stress", || {
        for workers in [1, 3, 5] {
            let pool = ThreadPool::new(workers);
            let gauge = Arc::new(InFlight::default());
            let handles: Vec<_> = (0..300)
                .map(|i| {
                    let gauge = Arc::clone(&gauge);
                    pool.spawn(move || {
                        gauge.track(|| {
                            if i % 3 == 0 {
                                thread::sleep(Duration::from_micros(200));
                            } else {
                                thread::yield_now();
                            }
                        })
                    })
                })
                .collect();
            for h in handles {
                h.join().unwrap();
            }
            assert!(
                gauge.peak() <= workers,
                "{} tasks ran at once on a pool of {workers}",
                gauge.peak()
            );
        }
    });
}

#[test]
fn all_workers_really_run_at_the_same_time() {
    within("parallel workers", || {
        let workers = 4;
        let pool = ThreadPool::new(workers);
        let arrived = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let arrived = Arc::clone(&arrived);
                pool.spawn(move || {
                    // A rendezvous: opens only if all `workers` tasks run at once.
                    arrived.fetch_add(1, SeqCst);
                    let deadline = Instant::now() + GENEROUS;
                    while arrived.load(SeqCst) < workers && Instant::now() < deadline {
                        thread::yield_now();
                    }
                    arrived.load(SeqCst) >= workers
                })
            })
            .collect();
        for h in handles {
            assert_eq!(
                h.join(),
                Ok(true),
                "{workers} tasks never ran at the same time"
            );
        }
    });
}

//! Canonical tests for `mini-executor`: right results, a bound on workers
//! that holds under stress, workers that really run together, panics
//! contained, and shutdown (or drop) that runs everything queued.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use mini_executor::Executor;

/// How long a test waits for something correct code does at once. Not a
/// speed limit: it only turns a hang into a failure with a message.
const PATIENCE: Duration = Duration::from_secs(8);

/// Runs `f` on another thread and fails if it has not returned in time.
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let runner = thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(PATIENCE) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: no answer after {PATIENCE:?}; is something waiting for ever?")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match runner.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!(),
        },
    }
}

/// What it means when only one worker ever runs a task at a time, although
/// the workers exist and share one queue.
const LOCK_HELD_WHILE_RUNNING: &str = "When the workers share one queue behind a Mutex, the \
    worker running a task still holds the queue's lock, so no other worker can take a task \
    until it finishes. `while let Ok(job) = queue.lock().unwrap().recv() { job() }` keeps the \
    guard (a temporary of the `while let` line) alive for the whole loop body: take the job in \
    a `let` statement of its own, `let job = queue.lock().unwrap().recv();`, so the guard is \
    dropped before the job runs";

#[test]
fn results_are_correct() {
    within("100 tasks", || {
        let executor = Executor::new(4);
        let handles: Vec<_> = (0..100_u64)
            .map(|i| {
                executor.submit(move || {
                    thread::yield_now();
                    i * i
                })
            })
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            let i = i as u64;
            assert_eq!(h.result(), Ok(i * i), "task {i} should return {}", i * i);
        }
        executor.shutdown();
    });
}

#[test]
fn submit_returns_before_the_task_runs() {
    within("submit does not wait", || {
        let executor = Executor::new(1);
        let (open, gate) = mpsc::channel::<()>();
        let first = executor.submit(move || gate.recv_timeout(PATIENCE).is_ok());
        // The only worker is blocked on the gate: submit must still return.
        let second = executor.submit(|| "second");
        open.send(()).unwrap();
        assert_eq!(first.result(), Ok(true));
        assert_eq!(second.result(), Ok("second"));
    });
}

#[test]
fn result_waits_for_its_task() {
    within("result waits", || {
        let executor = Executor::new(1);
        let (open, gate) = mpsc::channel::<()>();
        let finished = Arc::new(AtomicUsize::new(0));
        let f = Arc::clone(&finished);
        let handle = executor.submit(move || {
            let _ = gate.recv_timeout(PATIENCE);
            f.store(1, SeqCst);
            7
        });
        let waiter = thread::spawn(move || handle.result());
        thread::sleep(Duration::from_millis(50));
        assert!(
            !waiter.is_finished(),
            "result() returned before its task had finished"
        );
        open.send(()).unwrap();
        assert_eq!(waiter.join().unwrap(), Ok(7));
        assert_eq!(finished.load(SeqCst), 1);
    });
}

#[test]
fn workers_really_run_at_the_same_time() {
    let workers = 4;
    let most: usize = within("parallel", move || {
        let executor = Executor::new(workers);
        let now = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        // One deadline for all: tasks that run one after another don't add up.
        let deadline = Instant::now() + Duration::from_secs(2);
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (now, peak) = (Arc::clone(&now), Arc::clone(&peak));
                executor.submit(move || {
                    // Stays until all `workers` tasks are running at once.
                    peak.fetch_max(now.fetch_add(1, SeqCst) + 1, SeqCst);
                    while peak.load(SeqCst) < workers && Instant::now() < deadline {
                        thread::yield_now();
                    }
                    now.fetch_sub(1, SeqCst);
                })
            })
            .collect();
        for h in handles {
            h.result().expect("no task panics here");
        }
        peak.load(SeqCst)
    });
    assert!(
        most > 1,
        "the {workers} tasks of a {workers}-worker executor ran one at a time. {}",
        LOCK_HELD_WHILE_RUNNING
    );
    assert_eq!(
        most, workers,
        "only {most} of {workers} tasks ran at the same time: start all the workers in new(), \
         and don't hold the queue's lock while a task runs"
    );
}

#[test]
fn never_more_than_workers_tasks_or_threads() {
    within("bound under stress", || {
        for workers in [1, 3] {
            let executor = Executor::new(workers);
            let now = Arc::new(AtomicUsize::new(0));
            let peak = Arc::new(AtomicUsize::new(0));
            let threads = Arc::new(Mutex::new(HashSet::new()));
            let handles: Vec<_> = (0..300)
                .map(|i| {
                    let (now, peak, threads) =
                        (Arc::clone(&now), Arc::clone(&peak), Arc::clone(&threads));
                    executor.submit(move || {
                        threads.lock().unwrap().insert(thread::current().id());
                        let inside = now.fetch_add(1, SeqCst) + 1;
                        peak.fetch_max(inside, SeqCst);
                        if i % 7 == 0 {
                            thread::sleep(Duration::from_micros(300));
                        } else {
                            thread::yield_now();
                        }
                        now.fetch_sub(1, SeqCst);
                    })
                })
                .collect();
            for h in handles {
                h.result().expect("no task panics here");
            }
            let peak = peak.load(SeqCst);
            assert!(
                peak <= workers,
                "{peak} tasks ran at once on an executor of {workers} workers"
            );
            let used = threads.lock().unwrap().len();
            assert!(
                used <= workers,
                "300 tasks ran on {used} threads, but the executor has {workers}: the \
                 workers must be started once and reused, not a thread per task"
            );
            executor.shutdown();
        }
    });
}

#[test]
fn an_idle_worker_takes_the_next_task_while_another_is_busy() {
    // One shared queue: while worker A is stuck on a slow task, worker B runs
    // every task behind it. Dealing tasks to workers in turn (a channel per
    // worker) would leave some of them queued behind the slow one.
    within("a busy worker and three quick tasks", || {
        let executor = Executor::new(2);
        let (open, gate) = mpsc::channel::<()>();
        let slow = executor.submit(move || {
            let _ = gate.recv_timeout(PATIENCE);
        });
        let (done_tx, done) = mpsc::channel();
        for i in 0..3_u32 {
            let handle = executor.submit(move || i);
            let done_tx = done_tx.clone();
            thread::spawn(move || {
                let _ = done_tx.send(handle.result());
            });
        }
        for finished in 0..3 {
            let waited = Duration::from_secs(if finished == 0 { 5 } else { 2 });
            if !matches!(done.recv_timeout(waited), Ok(Ok(_))) {
                if finished == 0 {
                    panic!(
                        "none of 3 quick tasks ran while a slow task kept one of the 2 \
                         workers busy: the other worker took no task. {LOCK_HELD_WHILE_RUNNING}"
                    );
                }
                panic!(
                    "{finished} of 3 quick tasks ran, the others waited behind the slow one \
                     although a worker was idle: every worker must take its next task from one \
                     shared queue (tasks dealt to the workers in turn, a channel each, wait \
                     behind whatever their worker is running)"
                );
            }
        }
        let _ = open.send(());
        slow.result().unwrap();
        executor.shutdown();
    });
}

#[test]
fn panics_are_contained_and_the_pool_keeps_working() {
    within("panics", || {
        let executor = Executor::new(1);
        let bad = executor.submit(|| -> u32 { panic!("task {} exploded", 3) });
        let good = executor.submit(|| 5_u32);
        assert_eq!(
            bad.result(),
            Err("task 3 exploded".to_owned()),
            "a panicking task's result is Err(its panic message)"
        );
        assert_eq!(
            good.result(),
            Ok(5),
            "the only worker must survive a panic (catch it with std::panic::catch_unwind)"
        );
        let static_msg = executor.submit(|| -> u32 { panic!("plain message") });
        assert_eq!(static_msg.result(), Err("plain message".to_owned()));
        for i in 0..10_u32 {
            assert_eq!(executor.submit(move || i + 1).result(), Ok(i + 1));
        }
        executor.shutdown();
    });
}

#[test]
fn shutdown_runs_everything_queued() {
    within("shutdown drains", || {
        let executor = Executor::new(1);
        let ran = Arc::new(AtomicUsize::new(0));
        for _ in 0..50 {
            let ran = Arc::clone(&ran);
            // Handles dropped at once: the tasks must run anyway.
            let _ = executor.submit(move || {
                thread::sleep(Duration::from_micros(500));
                ran.fetch_add(1, SeqCst);
            });
        }
        executor.shutdown();
        assert_eq!(
            ran.load(SeqCst),
            50,
            "shutdown returned before every queued task had run"
        );
    });
}

#[test]
fn dropping_the_executor_runs_everything_queued() {
    within("drop drains", || {
        let ran = Arc::new(AtomicUsize::new(0));
        {
            let executor = Executor::new(2);
            for _ in 0..30 {
                let ran = Arc::clone(&ran);
                let _ = executor.submit(move || {
                    thread::sleep(Duration::from_micros(500));
                    ran.fetch_add(1, SeqCst);
                });
            }
        } // like leaving Python's `with` block
        assert_eq!(
            ran.load(SeqCst),
            30,
            "dropping the executor must wait for every queued task (impl Drop)"
        );
    });
}

#[test]
fn an_idle_executor_shuts_down() {
    within("idle shutdown", || {
        Executor::new(3).shutdown();
        {
            let _idle = Executor::new(2); // dropped at the end of this block
        }
    });
}

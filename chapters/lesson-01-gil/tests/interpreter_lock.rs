//! The interpreter lock's rules, checked as behaviour: who may run, in what
//! order, and that nothing deadlocks. No test measures speed.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{GENEROUS, Rendezvous, within};
use lesson_01_gil::interpreter_lock::InterpreterLock;
use lesson_01_gil::timeline::{Activity, Slice, max_running_at_once};
use lesson_01_gil::workload::count_primes_holding;

/// Spins until `lock` has `n` waiting threads, failing instead of hanging.
fn wait_for_waiters(lock: &InterpreterLock, n: usize) {
    let deadline = Instant::now() + GENEROUS;
    while lock.waiting() < n {
        assert!(
            Instant::now() < deadline,
            "expected {n} threads waiting for the lock, saw {}",
            lock.waiting()
        );
        thread::yield_now();
    }
}

/// The lanes of the `Running` slices, in time order, with repeats merged.
fn turns(slices: &[Slice]) -> Vec<usize> {
    let mut lanes: Vec<usize> = Vec::new();
    for s in slices.iter().filter(|s| s.activity == Activity::Running) {
        if lanes.last() != Some(&s.lane) {
            lanes.push(s.lane);
        }
    }
    lanes
}

#[test]
fn at_most_one_thread_holds_the_lock_under_stress() {
    // A zero switch interval hands the lock over at every check: the most handoffs possible.
    let lock = Arc::new(InterpreterLock::new(Duration::ZERO));
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let (l, i, m, d) = (lock.clone(), inside.clone(), most.clone(), done.clone());
    within("8 threads hammering the lock", move || {
        thread::scope(|s| {
            for t in 0..8 {
                let (lock, inside, most, done) = (&l, &i, &m, &d);
                s.spawn(move || {
                    let mut held = lock.acquire(t);
                    for step in 0..500 {
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::hint::spin_loop();
                        inside.fetch_sub(1, Ordering::SeqCst);
                        done.fetch_add(1, Ordering::SeqCst);
                        match step % 3 {
                            0 => {
                                held.check_interval();
                            }
                            1 => held.allow_threads(thread::yield_now),
                            _ => {
                                // Drop and take the lock again, as a new Python thread would.
                                drop(held);
                                held = lock.acquire(t);
                            }
                        }
                    }
                });
            }
        });
    });
    assert_eq!(
        most.load(Ordering::SeqCst),
        1,
        "two threads held the lock at once"
    );
    assert_eq!(done.load(Ordering::SeqCst), 8 * 500, "some steps never ran");
    let slices = lock.slices();
    assert_eq!(
        max_running_at_once(&slices),
        1,
        "recorded holding slices overlap"
    );
}

#[test]
fn blocking_calls_release_the_lock_so_all_threads_wait_at_once() {
    let lock = Arc::new(InterpreterLock::new(Duration::from_millis(5)));
    let meet = Arc::new(Rendezvous::new(4));
    let met = within("4 threads waiting for I/O together", move || {
        thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|t| {
                    let (lock, meet) = (&lock, &meet);
                    s.spawn(move || {
                        let mut held = lock.acquire(t);
                        // Only possible if every thread has released the lock for its "I/O".
                        held.allow_threads(|| meet.arrive(GENEROUS))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>()
        })
    });
    assert_eq!(
        met, [true; 4],
        "threads in allow_threads did not all wait at once"
    );
}

#[test]
fn holding_threads_can_never_all_be_inside_at_once() {
    // The same rendezvous without releasing the lock: it can never fill.
    let lock = Arc::new(InterpreterLock::new(Duration::from_millis(5)));
    let meet = Arc::new(Rendezvous::new(2));
    let met = within("2 threads holding the lock", move || {
        thread::scope(|s| {
            let handles: Vec<_> = (0..2)
                .map(|t| {
                    let (lock, meet) = (&lock, &meet);
                    s.spawn(move || {
                        let _held = lock.acquire(t);
                        meet.arrive(Duration::from_millis(100))
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>()
        })
    });
    assert_eq!(met, [false; 2], "two threads ran while holding one lock");
}

#[test]
fn cpu_bound_threads_take_turns_when_someone_waits() {
    // Interval zero: the holder gives way at every check while the other waits.
    let lock = Arc::new(InterpreterLock::new(Duration::ZERO));
    let l = lock.clone();
    let counts = within("two CPU-bound threads", move || {
        let first = l.acquire(99); // hold the lock until both threads queue
        thread::scope(|s| {
            let handles: Vec<_> = (0..2)
                .map(|t| {
                    let lock = &l;
                    s.spawn(move || count_primes_holding(&mut lock.acquire(t), 0..20_000))
                })
                .collect();
            wait_for_waiters(&l, 2);
            drop(first);
            handles
                .into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>()
        })
    });
    assert_eq!(counts, [2_262, 2_262], "wrong prime counts");
    let turns = turns(&lock.slices());
    // 20,000 numbers are 79 steps each: the lanes must alternate step by step.
    assert!(
        turns.len() > 100 && turns.windows(2).all(|w| w[0] != w[1]),
        "the threads did not alternate: {turns:?}"
    );
}

#[test]
fn a_cpu_hog_does_not_starve_another_thread() {
    // A real interval: both threads make progress before either finishes.
    let lock = Arc::new(InterpreterLock::new(Duration::from_micros(200)));
    let l = lock.clone();
    within("a hog and a second CPU-bound thread", move || {
        let first = l.acquire(99);
        thread::scope(|s| {
            for t in 0..2 {
                let lock = &l;
                s.spawn(move || count_primes_holding(&mut lock.acquire(t), 1_000_000..1_300_000));
            }
            wait_for_waiters(&l, 2);
            drop(first);
        });
    });
    let turns: Vec<usize> = turns(&lock.slices())
        .into_iter()
        .filter(|&t| t < 2)
        .collect();
    // A B A B at least: neither thread ran to the end before the other started.
    assert!(
        turns.len() >= 4,
        "one thread kept the lock to itself: turns {turns:?}"
    );
    assert!(
        lock.handoffs() >= 3,
        "expected handoffs, got {}",
        lock.handoffs()
    );
}

#[test]
fn a_holder_keeps_the_lock_until_its_interval_ends() {
    // An interval longer than the test: nobody may take the lock from a running thread.
    let lock = Arc::new(InterpreterLock::new(Duration::from_secs(3_600)));
    let l = lock.clone();
    within("two threads with an hour-long interval", move || {
        let first = l.acquire(99);
        thread::scope(|s| {
            for t in 0..2 {
                let lock = &l;
                s.spawn(move || count_primes_holding(&mut lock.acquire(t), 0..20_000));
            }
            wait_for_waiters(&l, 2);
            drop(first);
        });
    });
    let turns: Vec<usize> = turns(&lock.slices())
        .into_iter()
        .filter(|&t| t < 2)
        .collect();
    assert_eq!(
        turns.len(),
        2,
        "a holder gave way before its interval ended: {turns:?}"
    );
    assert_eq!(lock.handoffs(), 0);
}

#[test]
fn waiting_threads_get_the_lock_in_arrival_order() {
    let lock = Arc::new(InterpreterLock::new(Duration::from_millis(5)));
    let order = Arc::new(Mutex::new(Vec::new()));
    let (l, o) = (lock.clone(), order.clone());
    within("5 threads queueing", move || {
        let first = l.acquire(99);
        thread::scope(|s| {
            for t in 0..5 {
                let (lock, order) = (&l, &o);
                s.spawn(move || {
                    let _held = lock.acquire(t);
                    order.lock().unwrap().push(t);
                });
                // Thread t is queued before thread t + 1 starts.
                wait_for_waiters(&l, t + 1);
            }
            drop(first);
        });
    });
    assert_eq!(
        *order.lock().unwrap(),
        [0, 1, 2, 3, 4],
        "the lock is not first come, first served"
    );
}

#[test]
fn a_panicking_holder_releases_the_lock() {
    let lock = Arc::new(InterpreterLock::new(Duration::from_millis(5)));
    let l = lock.clone();
    let crashed = thread::spawn(move || {
        let _held = l.acquire(0);
        panic!("a Python thread raised");
    })
    .join();
    assert!(crashed.is_err());
    let l = lock.clone();
    within("acquiring after a panic", move || drop(l.acquire(1)));
}

#[test]
fn a_panic_during_blocking_io_releases_the_lock_once() {
    let lock = Arc::new(InterpreterLock::new(Duration::from_millis(5)));
    let l = lock.clone();
    let crashed = thread::spawn(move || {
        let mut held = l.acquire(0);
        held.allow_threads(|| panic!("the socket closed"));
    })
    .join();
    assert!(crashed.is_err());
    // A double release would leave the ticket counters out of step: the next
    // two acquisitions would then overlap or deadlock.
    let l = lock.clone();
    within("acquiring after a panic in allow_threads", move || {
        drop(l.acquire(1));
        drop(l.acquire(2));
    });
    let inside = Arc::new(AtomicUsize::new(0));
    let l = lock.clone();
    within("two threads after the panic", move || {
        thread::scope(|s| {
            for t in 0..2 {
                let (lock, inside) = (&l, &inside);
                s.spawn(move || {
                    for _ in 0..200 {
                        let _held = lock.acquire(t);
                        assert_eq!(
                            inside.fetch_add(1, Ordering::SeqCst),
                            0,
                            "two holders at once"
                        );
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                });
            }
        });
    });
}

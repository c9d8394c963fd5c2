//! Canonical tests for `interpreter-lock`: one holder at a time under stress,
//! first come first served, turn-taking, release around blocking calls, and no
//! deadlock when a holder panics. Every wait has a time limit, so a bug fails
//! with a message instead of hanging.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use course_support::testing::{self, Rendezvous};
use interpreter_lock::InterpreterLock;

/// Long enough for any correct solution on a busy machine.
const PATIENCE: Duration = Duration::from_secs(3);

/// Runs `f` on its own thread; fails if it has not finished within
/// [`PATIENCE`]. A thread stuck for good in `acquire` means the lock's state
/// went wrong: a holder that never released it, or a release that counted
/// twice (with tickets, `serving` then passes a ticket nobody will hold).
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    testing::within_or_explain(
        what,
        PATIENCE,
        "a thread is stuck waiting for the lock. Either a holder never released it, or it was \
         released one time too many (a skipped turn keeps a waiter waiting for ever)",
        f,
    )
}

/// Waits until `lock.waiting()` reaches `n`, failing instead of hanging.
fn wait_for_waiters(lock: &InterpreterLock, n: usize) {
    let deadline = Instant::now() + PATIENCE;
    while lock.waiting() != n {
        assert!(
            Instant::now() < deadline,
            "expected waiting() == {n} (threads blocked in acquire), it stayed at {}",
            lock.waiting()
        );
        thread::yield_now();
    }
}

#[test]
fn only_one_thread_holds_the_lock_at_a_time() {
    let lock = Arc::new(InterpreterLock::new());
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let steps = Arc::new(AtomicUsize::new(0));
    let (l, i, m, s) = (lock.clone(), inside.clone(), most.clone(), steps.clone());
    within("8 threads using the lock", move || {
        thread::scope(|scope| {
            for _ in 0..8 {
                let (lock, inside, most, steps) = (&l, &i, &m, &s);
                scope.spawn(move || {
                    let mut held = lock.acquire();
                    for step in 0..300 {
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                        steps.fetch_add(1, Ordering::SeqCst);
                        match step % 3 {
                            0 => {
                                held.yield_to_waiters();
                            }
                            1 => held.allow_threads(thread::yield_now),
                            _ => {
                                drop(held);
                                held = lock.acquire();
                            }
                        }
                    }
                });
            }
        });
    });
    let most = most.load(Ordering::SeqCst);
    assert_eq!(
        most, 1,
        "{most} threads held the lock at the same time; at most one may"
    );
    assert_eq!(
        steps.load(Ordering::SeqCst),
        8 * 300,
        "some steps never ran"
    );
}

#[test]
fn a_holder_keeps_the_others_out() {
    // Two holders can never both be inside this rendezvous at once.
    let lock = Arc::new(InterpreterLock::new());
    let meet = Arc::new(Rendezvous::new(2));
    let met = within("2 threads holding the lock", move || {
        thread::scope(|s| {
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    let (lock, meet) = (&lock, &meet);
                    s.spawn(move || {
                        let _held = lock.acquire();
                        meet.arrive(Duration::from_millis(200))
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
        met,
        [false, false],
        "two threads ran while both holding the lock"
    );
}

#[test]
fn allow_threads_lets_every_thread_wait_at_once() {
    let lock = Arc::new(InterpreterLock::new());
    let meet = Arc::new(Rendezvous::new(4));
    let met = within("4 threads in allow_threads", move || {
        thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    let (lock, meet) = (&lock, &meet);
                    s.spawn(move || {
                        let mut held = lock.acquire();
                        held.allow_threads(|| meet.arrive(PATIENCE))
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
        "the 4 threads were never inside allow_threads together: release the lock before calling `blocking`"
    );
}

#[test]
fn allow_threads_returns_the_value_holding_the_lock_again() {
    let lock = Arc::new(InterpreterLock::new());
    let l = lock.clone();
    within("allow_threads then a waiting thread", move || {
        let mut held = l.acquire();
        assert_eq!(
            held.allow_threads(|| 42),
            42,
            "allow_threads must return what `blocking` returned"
        );
        let got_it = AtomicBool::new(false);
        thread::scope(|s| {
            s.spawn(|| {
                let _held = l.acquire();
                got_it.store(true, Ordering::SeqCst);
            });
            // The other thread must block: we hold the lock again.
            wait_for_waiters(&l, 1);
            assert!(
                !got_it.load(Ordering::SeqCst),
                "another thread got the lock after allow_threads returned"
            );
            drop(held);
        });
        assert!(got_it.load(Ordering::SeqCst));
    });
}

#[test]
fn waiting_counts_blocked_threads() {
    let lock = Arc::new(InterpreterLock::new());
    let l = lock.clone();
    within("3 threads queueing", move || {
        assert_eq!(l.waiting(), 0, "nobody waits for a fresh lock");
        let held = l.acquire();
        assert_eq!(l.waiting(), 0, "the holder itself is not waiting");
        thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| drop(l.acquire()));
            }
            wait_for_waiters(&l, 3);
            drop(held);
        });
        assert_eq!(l.waiting(), 0, "after everyone is done, nobody waits");
    });
}

#[test]
fn waiting_threads_are_served_first_come_first_served() {
    let lock = Arc::new(InterpreterLock::new());
    let order = Arc::new(Mutex::new(Vec::new()));
    let (l, o) = (lock.clone(), order.clone());
    within("5 threads queueing", move || {
        let held = l.acquire();
        thread::scope(|s| {
            for t in 0..5 {
                let (lock, order) = (&l, &o);
                s.spawn(move || {
                    let _held = lock.acquire();
                    order.lock().unwrap().push(t);
                });
                // Thread t waits before thread t + 1 starts.
                wait_for_waiters(&l, t + 1);
            }
            drop(held);
        });
    });
    let order = order.lock().unwrap();
    assert_eq!(
        *order,
        [0, 1, 2, 3, 4],
        "threads must get the lock in the order they asked for it"
    );
}

#[test]
fn yield_to_waiters_hands_over_and_comes_back() {
    let lock = Arc::new(InterpreterLock::new());
    let l = lock.clone();
    let (alone, yielded, other_ran) = within("a holder yielding to a waiter", move || {
        let mut held = l.acquire();
        let alone = held.yield_to_waiters();
        let other_ran = AtomicBool::new(false);
        let (yielded, ran) = thread::scope(|s| {
            s.spawn(|| {
                let _held = l.acquire();
                other_ran.store(true, Ordering::SeqCst);
            });
            wait_for_waiters(&l, 1);
            let yielded = held.yield_to_waiters();
            // Read before releasing: did the waiter run during the yield?
            let ran = other_ran.load(Ordering::SeqCst);
            drop(held);
            (yielded, ran)
        });
        (alone, yielded, ran)
    });
    assert!(
        !alone,
        "with nobody waiting, yield_to_waiters must return false"
    );
    assert!(
        yielded,
        "with a thread waiting, yield_to_waiters must return true"
    );
    assert!(
        other_ran,
        "yield_to_waiters took the lock back before the waiting thread had its turn"
    );
}

#[test]
fn a_cpu_bound_thread_that_yields_does_not_starve_others() {
    // This thread takes the lock first and keeps it, yielding in a loop, until
    // 3 other threads have each had a turn: they can only get it from its yields.
    let lock = Arc::new(InterpreterLock::new());
    let l = lock.clone();
    let yields = within("a hog yielding to 3 other threads", move || {
        let done = AtomicUsize::new(0);
        let mut held = l.acquire();
        let mut yields = 0;
        thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    let _held = l.acquire();
                    done.fetch_add(1, Ordering::SeqCst);
                });
            }
            while done.load(Ordering::SeqCst) < 3 {
                if held.yield_to_waiters() {
                    yields += 1;
                }
            }
            drop(held);
        });
        yields
    });
    assert!(
        yields >= 1,
        "the other threads ran without the holder ever yielding to them"
    );
}

#[test]
fn a_panicking_holder_releases_the_lock() {
    let lock = Arc::new(InterpreterLock::new());
    let l = lock.clone();
    let crashed = thread::spawn(move || {
        let _held = l.acquire();
        panic!("a simulated Python thread raised an exception (expected in this test)");
    })
    .join();
    assert!(crashed.is_err());
    let l = lock.clone();
    within("acquire after a holder panicked", move || drop(l.acquire()));
}

#[test]
fn a_panic_inside_allow_threads_releases_the_lock_only_once() {
    let lock = Arc::new(InterpreterLock::new());
    let l = lock.clone();
    let crashed = thread::spawn(move || {
        let mut held = l.acquire();
        held.allow_threads(|| panic!("the blocking call failed (expected in this test)"));
    })
    .join();
    assert!(crashed.is_err());
    // Releasing twice would let two threads in at once, or block everyone.
    let released_twice = "allow_threads released the lock before calling `blocking`, and when \
        `blocking` panicked, Held's drop released it a second time. Mark the Held as not \
        holding (`holding = false`) before calling `blocking`, back to true once it holds the \
        lock again, and release in drop only while holding";
    let l = lock.clone();
    testing::within_or_explain(
        "one acquire() after a panic inside allow_threads, with no thread holding the lock",
        PATIENCE,
        &format!(
            "{released_twice}. With tickets, the second release moved `serving` past a ticket \
             nobody will hold, so the next ticket is never served"
        ),
        move || drop(l.acquire()),
    );
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (l, i, m) = (lock.clone(), inside.clone(), most.clone());
    within("two threads after the panic", move || {
        thread::scope(|s| {
            for _ in 0..2 {
                let (lock, inside, most) = (&l, &i, &m);
                s.spawn(move || {
                    for _ in 0..200 {
                        let _held = lock.acquire();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                });
            }
        });
    });
    assert_eq!(
        most.load(Ordering::SeqCst),
        1,
        "after a panic in allow_threads two threads held the lock at once: {released_twice}"
    );
}

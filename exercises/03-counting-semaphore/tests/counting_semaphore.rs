//! Canonical tests for `counting-semaphore`: the bound holds under stress,
//! waiters block and are woken, nothing spins, nothing is lost.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use counting_semaphore::Semaphore;

/// How long a test waits for something that correct code does in
/// microseconds. Not a speed limit: it only turns a hang into a failure.
const PATIENCE: Duration = Duration::from_secs(5);

/// Counts threads inside a section and remembers the most at once.
#[derive(Default)]
struct Inside {
    now: AtomicUsize,
    most: AtomicUsize,
}

impl Inside {
    fn enter(&self) {
        let now = self.now.fetch_add(1, SeqCst) + 1;
        self.most.fetch_max(now, SeqCst);
    }

    fn leave(&self) {
        self.now.fetch_sub(1, SeqCst);
    }
}

/// Runs `work` on `threads` detached threads and waits, at most `PATIENCE`,
/// for all of them. Detached so that a deadlocked solution fails the test
/// with a message instead of hanging it. Returns how many finished.
fn run_detached(threads: usize, work: impl Fn(usize) + Send + Sync + 'static) -> usize {
    let work = Arc::new(work);
    let (done_tx, done_rx) = mpsc::channel();
    for i in 0..threads {
        let (work, done_tx) = (Arc::clone(&work), done_tx.clone());
        thread::spawn(move || {
            work(i);
            let _ = done_tx.send(());
        });
    }
    drop(done_tx);
    let deadline = Instant::now() + PATIENCE;
    let mut finished = 0;
    while finished < threads {
        let left = deadline.saturating_duration_since(Instant::now());
        match done_rx.recv_timeout(left) {
            Ok(()) => finished += 1,
            Err(_) => break, // timed out, or a thread panicked
        }
    }
    finished
}

#[test]
fn never_more_than_the_permits_under_stress() {
    let sem = Arc::new(Semaphore::new(3));
    let inside = Arc::new(Inside::default());
    let finished = {
        let (sem, inside) = (Arc::clone(&sem), Arc::clone(&inside));
        run_detached(16, move |_| {
            for _ in 0..300 {
                let _permit = sem.acquire();
                inside.enter();
                thread::yield_now();
                inside.leave();
            }
        })
    };
    assert_eq!(
        finished, 16,
        "only {finished} of 16 threads finished their 300 acquire/drop rounds: a thread is \
         stuck in acquire (a lost wake-up: does dropping a Permit notify a waiter?) or panicked"
    );
    let most = inside.most.load(SeqCst);
    assert!(
        most <= 3,
        "{most} threads held a permit at the same time, but the semaphore has only 3"
    );
    assert_eq!(
        sem.available(),
        3,
        "after every permit was dropped, all 3 should be free again"
    );
}

#[test]
fn all_permits_can_be_held_at_once() {
    let sem = Arc::new(Semaphore::new(4));
    let inside = Arc::new(Inside::default());
    let deadline = Instant::now() + PATIENCE;
    let finished = {
        let (sem, inside) = (Arc::clone(&sem), Arc::clone(&inside));
        run_detached(8, move |_| {
            let _permit = sem.acquire();
            inside.enter();
            // Stay inside until 4 threads are in here together.
            while inside.most.load(SeqCst) < 4 && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(1));
            }
            inside.leave();
        })
    };
    assert_eq!(finished, 8, "only {finished} of 8 threads finished");
    let most = inside.most.load(SeqCst);
    assert_eq!(
        most, 4,
        "a Semaphore::new(4) should let 4 threads in at once, but at most {most} were"
    );
}

#[test]
fn acquire_blocks_until_a_permit_is_dropped() {
    let sem = Arc::new(Semaphore::new(1));
    let held = sem.acquire();
    let (got_tx, got_rx) = mpsc::channel();
    let started = Arc::new(Barrier::new(2));
    {
        let (sem, started) = (Arc::clone(&sem), Arc::clone(&started));
        thread::spawn(move || {
            started.wait();
            let _permit = sem.acquire();
            let _ = got_tx.send(());
        });
    }
    started.wait();
    assert!(
        got_rx.recv_timeout(Duration::from_millis(150)).is_err(),
        "acquire() returned while the only permit was held by someone else: it must wait"
    );
    drop(held);
    assert!(
        got_rx.recv_timeout(PATIENCE).is_ok(),
        "the waiting thread was not woken when the permit was dropped (does Permit's drop \
         give the permit back and notify the Condvar?)"
    );
}

#[test]
fn every_waiter_gets_a_permit_in_the_end() {
    // One permit, many waiters, each holding it briefly: every drop must
    // wake a waiter, or some of them sleep for ever.
    let sem = Arc::new(Semaphore::new(1));
    let served = Arc::new(AtomicUsize::new(0));
    let holding = Arc::new(Barrier::new(2));
    let releaser = {
        let (sem, holding) = (Arc::clone(&sem), Arc::clone(&holding));
        thread::spawn(move || {
            let gate = sem.try_acquire().expect("one permit is free");
            holding.wait();
            thread::sleep(Duration::from_millis(50)); // let the waiters queue up
            drop(gate);
        })
    };
    holding.wait();
    let (sem2, served2) = (Arc::clone(&sem), Arc::clone(&served));
    let finished = run_detached(12, move |_| {
        for _ in 0..20 {
            let _permit = sem2.acquire();
            served2.fetch_add(1, SeqCst);
        }
    });
    releaser.join().unwrap();
    assert_eq!(
        finished, 12,
        "only {finished} of 12 waiting threads finished: a wake-up was lost"
    );
    assert_eq!(served.load(SeqCst), 240);
    assert_eq!(sem.available(), 1);
}

#[test]
fn try_acquire_never_waits() {
    let sem = Semaphore::new(2);
    assert_eq!(sem.available(), 2);
    let a = sem
        .try_acquire()
        .expect("2 permits free: try_acquire should take one");
    let b = sem
        .try_acquire()
        .expect("1 permit free: try_acquire should take it");
    assert_eq!(sem.available(), 0);
    assert!(
        sem.try_acquire().is_none(),
        "no permit free: try_acquire must return None at once"
    );
    drop(a);
    assert_eq!(sem.available(), 1, "dropping a permit gives it back");
    let c = sem.try_acquire();
    assert!(c.is_some(), "the dropped permit can be taken again");
    drop((b, c));
    assert_eq!(sem.available(), 2);
}

#[test]
fn acquire_timeout_gives_up_when_nothing_is_free() {
    let sem = Semaphore::new(1);
    let held = sem.acquire();
    let start = Instant::now();
    assert!(
        sem.acquire_timeout(Duration::from_millis(40)).is_none(),
        "no permit came back: acquire_timeout must return None"
    );
    assert!(
        start.elapsed() >= Duration::from_millis(35),
        "acquire_timeout(40 ms) returned None after only {:?}: it must wait for the timeout",
        start.elapsed()
    );
    assert_eq!(
        sem.available(),
        0,
        "a timed-out acquire must not take or add a permit"
    );
    drop(held);
    assert!(sem.acquire_timeout(Duration::from_millis(40)).is_some());
}

#[test]
fn acquire_timeout_returns_when_a_permit_comes_back() {
    let sem = Arc::new(Semaphore::new(1));
    let held = sem.acquire();
    let (got_tx, got_rx) = mpsc::channel();
    {
        let sem = Arc::clone(&sem);
        thread::spawn(move || {
            let got = sem.acquire_timeout(PATIENCE).is_some();
            let _ = got_tx.send((got, Instant::now()));
        });
    }
    thread::sleep(Duration::from_millis(30));
    let released = Instant::now();
    drop(held);
    let (got, returned) = got_rx
        .recv_timeout(PATIENCE * 2)
        .expect("acquire_timeout never returned");
    assert!(
        got,
        "acquire_timeout returned None although the permit came back within its timeout"
    );
    // A waiter that is woken returns at once; one that sleeps out its
    // timeout and then looks again returns PATIENCE later. A second is far
    // more than any wake-up takes, even on a busy machine.
    let waited = returned.saturating_duration_since(released);
    assert!(
        waited < Duration::from_secs(1),
        "acquire_timeout returned {waited:?} after the permit came back: it should be woken \
         when a permit is released (Condvar::wait_timeout_while), not sleep out its timeout"
    );
}

#[test]
fn a_panicking_holder_gives_its_permit_back() {
    let sem = Arc::new(Semaphore::new(1));
    let crashed = {
        let sem = Arc::clone(&sem);
        thread::spawn(move || {
            let _permit = sem.acquire();
            std::panic::resume_unwind(Box::new("a holder crashed"));
        })
    };
    assert!(crashed.join().is_err());
    assert_eq!(
        sem.available(),
        1,
        "the permit of a thread that panicked must come back when the permit is dropped"
    );
    assert!(sem.acquire_timeout(PATIENCE).is_some());
}

/// CPU time used so far by the calling thread.
#[cfg(unix)]
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

#[cfg(unix)]
#[test]
fn a_waiting_thread_sleeps_instead_of_spinning() {
    let sem = Arc::new(Semaphore::new(1));
    let held = sem.acquire();
    let (report_tx, report_rx) = mpsc::channel();
    let started = Arc::new(Barrier::new(2));
    {
        let (sem, started) = (Arc::clone(&sem), Arc::clone(&started));
        thread::spawn(move || {
            started.wait();
            let (cpu, wall) = (thread_cpu_time(), Instant::now());
            let _permit = sem.acquire();
            let _ = report_tx.send((thread_cpu_time() - cpu, wall.elapsed()));
        });
    }
    started.wait();
    thread::sleep(Duration::from_millis(400));
    drop(held);
    let (cpu, wall) = report_rx
        .recv_timeout(PATIENCE)
        .expect("the waiter was not woken when the permit was dropped");
    assert!(
        cpu < wall / 4,
        "the waiting thread used {cpu:?} of CPU while it waited {wall:?} for a permit: it \
         spins in a loop instead of sleeping. Wait on the Condvar (wait_while) instead"
    );
}

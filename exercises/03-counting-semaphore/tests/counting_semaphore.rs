//! Canonical tests for `counting-semaphore`: the bound holds under stress,
//! waiters block and are woken, nothing spins, nothing is lost.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use counting_semaphore::Semaphore;
use course_support::testing::{thread_cpu_time, thread_wakeups};

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

/// What goes wrong when one thread, alone, takes the permit of a fresh
/// `Semaphore::new(1)` and drops it; `None` if nothing does. A lost wake-up
/// needs two threads; a drop that never returns is another bug, with
/// another fix.
fn lone_drop_problem() -> Option<&'static str> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let sem = Semaphore::new(1);
        let permit = sem.acquire();
        let _ = tx.send("acquired");
        drop(permit);
        let _ = tx.send(if sem.available() == 1 {
            "dropped"
        } else {
            "lost"
        });
    });
    let step = || rx.recv_timeout(Duration::from_secs(1)).ok();
    match (step(), step()) {
        (None, _) => Some("acquire() on a free permit never returns (or panics)"),
        (Some(_), None) => Some(
            "the thread never comes back from dropping the Permit: Permit's drop is stuck. It \
             most likely locks the semaphore's Mutex while it already holds it (a guard still \
             alive in drop, or a call such as available() made under the guard): a std Mutex \
             is not re-entrant, so the second lock() waits for ever. Lock once, add 1, unlock, \
             notify",
        ),
        (Some(_), Some("lost")) => Some(
            "dropping the only permit of a Semaphore::new(1) does not make it free again: \
             Permit's drop must add 1 to the free count",
        ),
        (Some(_), Some(_)) => None,
    }
}

/// Why threads got stuck: a lone drop's problem if it has one, else a lost
/// wake-up.
fn stuck_cause() -> &'static str {
    lone_drop_problem().unwrap_or(
        "a thread is stuck in acquire: a lost wake-up (does dropping a Permit notify the \
         Condvar?), or a thread panicked",
    )
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
        finished,
        16,
        "only {finished} of 16 threads finished their 300 acquire/drop rounds: {}",
        stuck_cause()
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
    assert_eq!(
        finished,
        8,
        "only {finished} of 8 threads finished: {}",
        stuck_cause()
    );
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
        "the waiting thread was not woken when the permit was dropped: {}",
        stuck_cause()
    );
}

#[test]
fn dropping_a_permit_returns_and_gives_it_back() {
    if let Some(problem) = lone_drop_problem() {
        panic!("take a permit and drop it, on one thread alone: {problem}");
    }
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
    assert_eq!(
        finished,
        12,
        "only {finished} of 12 waiting threads finished: {}",
        stuck_cause()
    );
    releaser.join().unwrap();
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
fn try_acquire_from_many_threads_at_once_never_overdraws() {
    // 8 threads set off together and grab at 2 permits again and again.
    // Looking (`available() > 0`) and then taking in a second step lets two
    // threads see the same last permit and both take it.
    let sem = Arc::new(Semaphore::new(2));
    let inside = Arc::new(Inside::default());
    let start = Arc::new(Barrier::new(8));
    let finished = {
        let (sem, inside) = (Arc::clone(&sem), Arc::clone(&inside));
        run_detached(8, move |_| {
            start.wait();
            // Half a second: on two cores threads collide within
            // milliseconds; squeezed onto one core they need longer.
            let end = Instant::now() + Duration::from_millis(500);
            while Instant::now() < end && inside.most.load(SeqCst) <= 2 {
                for _ in 0..100 {
                    if let Some(_permit) = sem.try_acquire() {
                        inside.enter();
                        inside.leave();
                    }
                }
            }
        })
    };
    let one_step = "try_acquire must look at the free count and take a permit in one step, \
        under one lock: checking `available()` first and then locking again to take it lets \
        two threads take the same last permit";
    if finished < 8
        && let Some(problem) = lone_drop_problem()
    {
        panic!("only {finished} of 8 threads finished: {problem}");
    }
    assert_eq!(
        finished,
        8,
        "{} of 8 threads stopped early: a panic (see above; 'attempt to subtract with \
         overflow' means the free count went below 0). {one_step}",
        8 - finished
    );
    let most = inside.most.load(SeqCst);
    assert!(
        most <= 2,
        "{most} threads held a permit at once, but the semaphore has 2. {one_step}"
    );
    assert_eq!(
        sem.available(),
        2,
        "after every permit was dropped, both should be free"
    );
}

#[test]
fn acquire_timeout_that_loses_the_race_keeps_waiting() {
    // One permit passed around 6 threads, each asking with a long timeout.
    // A woken waiter often finds the permit already taken by a thread that
    // did not wait: it must wait again for the rest of its timeout.
    let sem = Arc::new(Semaphore::new(1));
    let gave_up = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(6));
    let finished = {
        let (sem, gave_up) = (Arc::clone(&sem), Arc::clone(&gave_up));
        run_detached(6, move |_| {
            start.wait();
            for _ in 0..100 {
                match sem.acquire_timeout(PATIENCE) {
                    // Held long enough for the others to queue up behind it.
                    Some(_permit) => thread::sleep(Duration::from_micros(100)),
                    None => {
                        gave_up.fetch_add(1, SeqCst);
                    }
                }
            }
        })
    };
    assert_eq!(
        finished,
        6,
        "only {finished} of 6 threads finished: {}",
        stuck_cause()
    );
    let gave_up = gave_up.load(SeqCst);
    assert_eq!(
        gave_up, 0,
        "acquire_timeout(5 s) returned None {gave_up} times in a test that took less than 5 s: \
         a waiter was woken, found the permit already taken by another thread, and gave up. \
         After a wake-up, check again and wait for the rest of the timeout: \
         `Condvar::wait_timeout_while` does both (a single `wait_timeout` does not)"
    );
    assert_eq!(sem.available(), 1);
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

#[cfg(unix)]
#[test]
fn a_waiting_thread_sleeps_instead_of_spinning_or_polling() {
    // One thread waits in acquire, one in acquire_timeout, for 400 ms each.
    let sem = Arc::new(Semaphore::new(1));
    let held = sem.acquire();
    let started = Arc::new(Barrier::new(3));
    let waiter = |timed: bool| {
        let (report_tx, report_rx) = mpsc::channel();
        let (sem, started) = (Arc::clone(&sem), Arc::clone(&started));
        thread::spawn(move || {
            started.wait();
            let (cpu, wall, woken) = (thread_cpu_time(), Instant::now(), thread_wakeups());
            let permit = if timed {
                sem.acquire_timeout(PATIENCE)
            } else {
                Some(sem.acquire())
            };
            let report = (
                permit.is_some(),
                thread_cpu_time() - cpu,
                wall.elapsed(),
                thread_wakeups() - woken,
            );
            drop(permit);
            let _ = report_tx.send(report);
        });
        report_rx
    };
    let waiters = [
        ("acquire()", waiter(false)),
        ("acquire_timeout(5 s)", waiter(true)),
    ];
    started.wait();
    thread::sleep(Duration::from_millis(400));
    drop(held);
    for (what, report) in waiters {
        let (got, cpu, wall, wakeups) = report.recv_timeout(PATIENCE).unwrap_or_else(|_| {
            panic!("the thread waiting in {what} was not woken when the permit was dropped")
        });
        assert!(
            got,
            "{what} gave up although the permit came back within its timeout"
        );
        assert!(
            cpu < wall / 4,
            "the thread waiting in {what} used {cpu:?} of CPU while it waited {wall:?} for a \
             permit: it spins in a loop instead of sleeping. Wait on the Condvar (wait_while) \
             instead"
        );
        // Asleep on a Condvar, a waiter wakes once or twice; polling with
        // thread::sleep(1 ms) wakes hundreds of times in 400 ms.
        assert!(
            wakeups < 20,
            "the thread waiting in {what} woke up {wakeups} times in {wall:?}: it polls \
             (sleep, look, sleep...) instead of sleeping until a permit is given back. Wait on \
             the Condvar: `wait_while` in acquire, `wait_timeout_while` in acquire_timeout, and \
             notify it in Permit's drop"
        );
    }
}

//! Canonical tests for `event`: waiters block until `set`, one `set` wakes
//! them all, timeouts are honoured, and waiting threads sleep.

use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use course_support::testing::{thread_cpu_time, thread_wakeups};
use event::Event;

/// How long a test waits for something that correct code does in
/// microseconds. Not a speed limit: it only turns a hang into a failure.
const PATIENCE: Duration = Duration::from_secs(5);

/// Starts a detached thread that waits on `event`, then reports on the
/// returned channel. Detached, so that a waiter that never wakes fails the
/// test instead of hanging it.
fn waiter(event: &Arc<Event>, started: &Arc<Barrier>) -> mpsc::Receiver<()> {
    let (done_tx, done_rx) = mpsc::channel();
    let (event, started) = (Arc::clone(event), Arc::clone(started));
    thread::spawn(move || {
        started.wait();
        event.wait();
        let _ = done_tx.send(());
    });
    done_rx
}

#[test]
fn wait_returns_after_another_thread_sets() {
    let event = Arc::new(Event::new());
    assert!(!event.is_set(), "a new Event starts with the flag down");
    let started = Arc::new(Barrier::new(2));
    let done = waiter(&event, &started);
    started.wait();
    assert!(
        done.recv_timeout(Duration::from_millis(150)).is_err(),
        "wait() returned although nobody had called set(): it must block while the flag is down"
    );
    event.set();
    assert!(
        done.recv_timeout(PATIENCE).is_ok(),
        "set() did not wake the waiting thread"
    );
    assert!(event.is_set());
}

#[test]
fn one_set_wakes_every_waiter() {
    let event = Arc::new(Event::new());
    let started = Arc::new(Barrier::new(17));
    let waiters: Vec<_> = (0..16).map(|_| waiter(&event, &started)).collect();
    started.wait();
    thread::sleep(Duration::from_millis(50)); // let them fall asleep in wait()
    event.set();
    let deadline = Instant::now() + PATIENCE;
    let woken = waiters
        .iter()
        .filter(|done| {
            let left = deadline.saturating_duration_since(Instant::now());
            done.recv_timeout(left).is_ok()
        })
        .count();
    assert_eq!(
        woken, 16,
        "one set() should wake all 16 waiting threads, but only {woken} woke: wake them all \
         (notify_all), not one"
    );
}

#[test]
fn wait_after_set_returns_at_once() {
    let event = Arc::new(Event::new());
    event.set();
    event.set(); // setting twice is fine
    assert!(event.is_set());
    let started = Arc::new(Barrier::new(2));
    let done = waiter(&event, &started);
    started.wait();
    assert!(
        done.recv_timeout(PATIENCE).is_ok(),
        "wait() blocked although the flag was already up: check the flag before sleeping"
    );
    assert!(
        event.wait_timeout(Duration::ZERO),
        "wait_timeout must return true at once when the flag is up"
    );
}

#[test]
fn clear_makes_wait_block_again() {
    let event = Arc::new(Event::new());
    event.set();
    event.clear();
    assert!(!event.is_set(), "clear() must lower the flag");
    let started = Arc::new(Barrier::new(2));
    let done = waiter(&event, &started);
    started.wait();
    assert!(
        done.recv_timeout(Duration::from_millis(150)).is_err(),
        "wait() returned after clear(): the flag is down, so it must block"
    );
    event.set();
    assert!(
        done.recv_timeout(PATIENCE).is_ok(),
        "the next set() must wake it"
    );
}

#[test]
fn wait_timeout_returns_false_after_the_timeout() {
    let event = Event::new();
    let start = Instant::now();
    let got = event.wait_timeout(Duration::from_millis(60));
    let waited = start.elapsed();
    assert!(
        !got,
        "nobody set the flag, so wait_timeout must return false"
    );
    assert!(
        waited >= Duration::from_millis(55),
        "wait_timeout(60 ms) returned after only {waited:?}: it must wait the whole timeout \
         (a Condvar may wake up early: keep waiting for what is left)"
    );
}

#[test]
fn wait_timeout_returns_true_when_set_during_the_wait() {
    let event = Arc::new(Event::new());
    let (got_tx, got_rx) = mpsc::channel();
    let started = Arc::new(Barrier::new(2));
    {
        let (event, started) = (Arc::clone(&event), Arc::clone(&started));
        thread::spawn(move || {
            started.wait();
            let got = event.wait_timeout(PATIENCE);
            let _ = got_tx.send((got, Instant::now()));
        });
    }
    started.wait();
    thread::sleep(Duration::from_millis(30));
    let set_at = Instant::now();
    event.set();
    let (got, returned) = got_rx
        .recv_timeout(PATIENCE * 2)
        .expect("wait_timeout never returned");
    assert!(
        got,
        "wait_timeout should return true once the flag is set during the wait"
    );
    // Woken by `set`, it returns at once; one that sleeps out its timeout and
    // then looks returns PATIENCE later. A second is far more than a wake-up takes.
    let waited = returned.saturating_duration_since(set_at);
    assert!(
        waited < Duration::from_secs(1),
        "wait_timeout returned {waited:?} after set(): it should be woken by set() \
         (Condvar::wait_timeout_while), not sleep out its timeout and then look"
    );
}

/// What a thread measured over its wait: did the wait end with the flag
/// up, the CPU time it used, how long it waited, how often it was woken.
type WaitReport = (bool, Duration, Duration, u64);

/// One thread waiting in `wait()` and one in `wait_timeout(PATIENCE)` for
/// 400 ms, until `set()`; what each measured.
fn two_waiters_for_400_ms() -> Vec<(&'static str, WaitReport)> {
    let event = Arc::new(Event::new());
    let started = Arc::new(Barrier::new(3));
    let waiter = |timed: bool| {
        let (report_tx, report_rx) = mpsc::channel();
        let (event, started) = (Arc::clone(&event), Arc::clone(&started));
        thread::spawn(move || {
            started.wait();
            let (cpu, wall, woken) = (thread_cpu_time(), Instant::now(), thread_wakeups());
            let up = if timed {
                event.wait_timeout(PATIENCE)
            } else {
                event.wait();
                true
            };
            let _ = report_tx.send((
                up,
                thread_cpu_time() - cpu,
                wall.elapsed(),
                thread_wakeups() - woken,
            ));
        });
        report_rx
    };
    let waiters = [
        ("wait()", waiter(false)),
        ("wait_timeout(5 s)", waiter(true)),
    ];
    started.wait();
    thread::sleep(Duration::from_millis(400));
    event.set();
    waiters
        .into_iter()
        .map(|(what, report)| {
            let report = report
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("set() did not wake the thread waiting in {what}"));
            assert!(report.0, "{what} returned with the flag down after set()");
            (what, report)
        })
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn a_waiting_thread_sleeps_instead_of_polling() {
    for (what, (_, _, wall, wakeups)) in two_waiters_for_400_ms() {
        // Asleep on a Condvar, a waiter wakes once or twice; polling with
        // thread::sleep(1 ms) wakes hundreds of times in 400 ms.
        assert!(
            wakeups < 20,
            "the thread waiting in {what} woke up {wakeups} times in {wall:?}: it polls (sleep, \
             look, sleep...) instead of sleeping until set() wakes it. Wait on the Condvar: \
             `wait_while` in wait, `wait_timeout_while` in wait_timeout"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_waiting_thread_sleeps_instead_of_spinning() {
    for (what, (_, cpu, wall, _)) in two_waiters_for_400_ms() {
        assert!(
            cpu < wall / 4,
            "the thread waiting in {what} used {cpu:?} of CPU while it waited {wall:?}: it \
             spins in a loop instead of sleeping. Wait on the Condvar (`wait_while`, \
             `wait_timeout_while`) instead"
        );
    }
}

//! Claims about the Event.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use lesson_03_sync::event::{Event, pulse, starting_gun};

const PATIENCE: Duration = Duration::from_secs(5);

#[test]
fn wait_returns_once_another_thread_sets() {
    let event = Event::new();
    let (tx, rx) = mpsc::channel();
    thread::scope(|s| {
        s.spawn(|| {
            event.wait();
            tx.send(()).unwrap();
        });
        assert!(event.await_waiters(1, PATIENCE));
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        event.set();
        assert!(
            rx.recv_timeout(PATIENCE).is_ok(),
            "set() did not wake the waiter"
        );
    });
    assert!(event.is_set());
    assert_eq!(event.waiting(), 0);
}

#[test]
fn one_set_wakes_every_waiter() {
    let run = starting_gun(12);
    assert_eq!(run.woken, 12);
    assert_eq!(run.wake_us.len(), 12);
}

#[test]
fn set_then_clear_still_wakes_everyone_waiting() {
    assert_eq!(pulse(6, PATIENCE), 6);
}

#[test]
fn wait_timeout_without_set_returns_false_after_the_timeout() {
    let event = Event::new();
    let start = Instant::now();
    assert!(!event.wait_timeout(Duration::from_millis(30)));
    assert!(start.elapsed() >= Duration::from_millis(30));
}

#[test]
fn set_before_wait_does_not_block_and_clear_resets() {
    let event = Event::new();
    event.set();
    event.set(); // idempotent
    event.wait();
    assert!(event.wait_timeout(Duration::ZERO));
    event.clear();
    assert!(!event.is_set());
    assert!(!event.wait_timeout(Duration::from_millis(5)));
}

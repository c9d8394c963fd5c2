#![cfg(feature = "model")]
//! Model-checked tests for `event`: the loom model checker runs each body
//! once per interleaving of its threads. A waiter that `set` never wakes (a
//! lost wake-up) sleeps for ever in some interleaving, which loom reports as
//! a deadlock, with the interleaving.
//!
//! Run: `cargo test --release -p event --features model --test model`.

use event::Event;
use model_sync::model;
use model_sync::thread;

#[test]
fn model_set_wakes_a_waiting_thread() {
    model(|| {
        let event = Event::new();
        thread::scope(|s| {
            s.spawn(|| event.wait());
            // If the waiter sleeps for ever in some interleaving, loom reports
            // a deadlock: raise the flag under the lock, THEN notify.
            event.set();
        });
        assert!(event.is_set());
    });
}

#[test]
fn model_set_wakes_every_waiting_thread() {
    model(|| {
        let event = Event::new();
        thread::scope(|s| {
            s.spawn(|| event.wait());
            s.spawn(|| event.wait());
            // Two waiters, one set: notify_one would leave one asleep.
            event.set();
        });
    });
}

#[test]
fn model_wait_timeout_is_true_once_set() {
    model(|| {
        let event = Event::new();
        let woke = thread::scope(|s| {
            // Under the model checker a timed wait never times out.
            let waiter = s.spawn(|| event.wait_timeout(std::time::Duration::from_secs(5)));
            event.set();
            waiter.join().unwrap()
        });
        assert!(woke, "wait_timeout returned false, but the event was set");
    });
}

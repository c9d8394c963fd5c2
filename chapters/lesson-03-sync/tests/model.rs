#![cfg(feature = "model")]
//! The lesson's primitives under the loom model checker: each body runs once
//! per interleaving of its threads (up to model_sync's preemption bound), so a
//! lost wake-up shows as a deadlock loom reports, and a wrong ordering as a
//! stale value, in whichever interleaving has them.
//!
//! Run: `cargo test --release -p lesson-03-sync --features model --test model`.

use lesson_03_sync::bounded::{BoundedBuffer, Closed};
use lesson_03_sync::event::Event;
use lesson_03_sync::handoff::{Handoff, OneShot, RelaxedHandoffWrong};
use lesson_03_sync::semaphore::Semaphore;
use model_sync::model;
use model_sync::sync::Arc;
use model_sync::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use model_sync::thread;

#[test]
fn semaphore_of_one_lets_one_in_and_wakes_the_other() {
    model(|| {
        let gate = Semaphore::new(1);
        let inside = AtomicUsize::new(0);
        thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    let _permit = gate.acquire();
                    assert_eq!(
                        inside.fetch_add(1, SeqCst),
                        0,
                        "two threads got past a semaphore of 1"
                    );
                    inside.fetch_sub(1, SeqCst);
                });
            }
        });
        // Both threads finished (loom fails a run where one sleeps forever).
        assert_eq!(gate.available(), 1);
    });
}

#[test]
fn semaphore_try_acquire_never_oversells() {
    model(|| {
        let gate = Semaphore::new(1);
        let got = thread::scope(|s| {
            let a = s.spawn(|| gate.try_acquire().map(std::mem::forget).is_some());
            let b = s.spawn(|| gate.try_acquire().map(std::mem::forget).is_some());
            usize::from(a.join().unwrap()) + usize::from(b.join().unwrap())
        });
        assert_eq!(got, 1, "try_acquire handed out {got} permits of 1");
        assert_eq!(gate.available(), 0);
    });
}

#[test]
fn event_set_wakes_a_waiter() {
    model(|| {
        let event = Event::new();
        thread::scope(|s| {
            s.spawn(|| event.wait());
            event.set();
        });
        assert!(event.is_set());
    });
}

#[test]
fn event_waiter_sees_a_set_even_if_cleared_before_it_woke() {
    model(|| {
        let event = Event::new();
        thread::scope(|s| {
            let waiter = s.spawn(|| event.wait());
            // Until the waiter is inside wait(): a set() before it would
            // simply be seen, and clear() then would leave it asleep.
            while event.waiting() == 0 {
                thread::yield_now();
            }
            event.set();
            event.clear();
            waiter.join().unwrap(); // returns: the set was not lost
        });
    });
}

#[test]
fn bounded_buffer_of_one_delivers_in_order() {
    model(|| {
        let buffer = BoundedBuffer::new(1);
        let got = thread::scope(|s| {
            s.spawn(|| {
                buffer.push(1).unwrap();
                buffer.push(2).unwrap(); // waits for room
            });
            let consumer = s.spawn(|| [buffer.pop(), buffer.pop()]);
            consumer.join().unwrap()
        });
        assert_eq!(got, [Some(1), Some(2)]);
    });
}

#[test]
fn bounded_buffer_close_wakes_a_blocked_consumer_and_producer() {
    model(|| {
        let buffer = BoundedBuffer::new(1);
        buffer.push(0).unwrap(); // full: the producer below blocks
        let (pushed, popped) = thread::scope(|s| {
            let producer = s.spawn(|| buffer.push(1));
            let consumer = s.spawn(|| {
                let first = buffer.pop();
                (first, buffer.pop())
            });
            buffer.close();
            (producer.join().unwrap(), consumer.join().unwrap())
        });
        // Whichever ran first, nothing is lost and nobody sleeps forever.
        match pushed {
            Ok(()) => assert_eq!(popped, (Some(0), Some(1))),
            Err(Closed(item)) => {
                assert_eq!(item, 1);
                assert_eq!(popped.0, Some(0));
                assert_eq!(popped.1, None);
            }
        }
    });
}

/// The right hand-off: a reader that sees the flag sees the value.
#[test]
fn handoff_release_acquire_delivers_the_value() {
    model(|| {
        let slot = Arc::new(Handoff::default());
        let writer = {
            let slot = Arc::clone(&slot);
            thread::spawn(move || slot.put(42))
        };
        if let Some(value) = slot.take() {
            assert_eq!(value, 42);
        }
        writer.join().unwrap();
    });
}

/// The wrong one: loom must find the reader that sees the flag and a stale
/// value (the stress test in `tests/handoff.rs` cannot, on x86).
#[test]
#[should_panic(expected = "stale value")]
fn handoff_relaxed_is_caught_by_the_model_checker() {
    model(|| {
        let slot = Arc::new(RelaxedHandoffWrong::default());
        let writer = {
            let slot = Arc::clone(&slot);
            thread::spawn(move || slot.put(42))
        };
        if let Some(value) = slot.take() {
            assert_eq!(value, 42, "the reader saw the flag up, and a stale value");
        }
        writer.join().unwrap();
    });
}

#![cfg(feature = "model")]
//! The ring's protocol under the model checker (loom): every interleaving of
//! two threads, and every value each load may return under the C++/Rust
//! memory model, not only what this machine's CPU happens to do.
//!
//! cargo test --release -p lesson-11-shm-ring --features model --test model
//!
//! The ring is on the heap here ([`HeapRing`]); between processes it is the
//! same code on the same layout.

use std::sync::Arc;

use lesson_11_shm_ring::sync::trace;

use lesson_11_shm_ring::ring::{Consumer, HeapRing, Producer, Protocol, Wait, message, number_of};

/// Enough for a producer and a consumer with a few steps each, and small
/// enough to finish in seconds: schedules with at most this many forced
/// switches between threads (most bugs need one or two).
fn checker() -> loom::model::Builder {
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(3);
    b
}

/// The producer runs on a thread named "producer"; the test's main thread
/// is the consumer.
fn producer(f: impl FnOnce() + Send + 'static) -> loom::thread::JoinHandle<()> {
    loom::thread::Builder::new()
        .name("producer".to_owned())
        .spawn(f)
        .unwrap()
}

/// Runs `check`, which must make the checker fail; returns loom's message
/// and prints it with the steps of the failing execution between markers
/// (`cargo run -p lesson-11-shm-ring -- model-demo` shows them).
fn caught(name: &str, check: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(check).expect_err("the checker should have failed");
    let message = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    println!("\n=== TRACE BEGIN {name} ===");
    for step in trace::steps() {
        println!("{step}");
    }
    println!("loom: {message}");
    println!("=== TRACE END ===");
    message
}

// ANCHOR: in_order
/// Capacity 2, three messages: the producer must wait for a free slot once.
/// Every message arrives once, whole, in order, and loom sees no read of a
/// slot that races with its write.
fn try_push_pop(protocol: Protocol) {
    checker().check(move || {
        trace::clear();
        let ring = Arc::new(HeapRing::new(2));
        let theirs = ring.clone();
        let producer = producer(move || {
            // SAFETY: one producer per ring.
            let mut p = unsafe { Producer::with_protocol(theirs.view(), Wait::Spin, protocol) };
            for n in 0..3 {
                while !p.try_push(&message(n)) {
                    loom::thread::yield_now();
                }
            }
        });
        // SAFETY: one consumer per ring.
        let mut c = unsafe { Consumer::with_protocol(ring.view(), Wait::Spin, protocol) };
        for n in 0..3 {
            let msg = loop {
                match c.try_pop() {
                    Some(msg) => break msg,
                    None => loom::thread::yield_now(),
                }
            };
            assert_eq!(number_of(&msg), Some(n), "message {n} arrived wrong");
        }
        producer.join().unwrap();
    });
}

#[test]
fn every_message_once_in_order() {
    try_push_pop(Protocol::RIGHT);
}

#[test]
fn relaxed_publish_is_caught() {
    let message = caught("relaxed-publish", || {
        try_push_pop(Protocol::RELAXED_PUBLISH)
    });
    assert!(message.contains("Causality violation"), "{message}");
}
// ANCHOR_END: in_order

// ANCHOR: blocking
/// The blocking `push` / `pop` with futex waits, then `close`: the consumer
/// gets both messages and then `None`, and nobody sleeps forever (a sleeper
/// nobody wakes is a deadlock loom reports).
fn blocking(protocol: Protocol) {
    checker().check(move || {
        trace::clear();
        let ring = Arc::new(HeapRing::new(2));
        let theirs = ring.clone();
        let producer = producer(move || {
            // SAFETY: one producer per ring.
            let mut p = unsafe { Producer::with_protocol(theirs.view(), Wait::Futex, protocol) };
            p.push(&message(0), &mut || true).unwrap();
            p.close();
        });
        // SAFETY: one consumer per ring.
        let mut c = unsafe { Consumer::with_protocol(ring.view(), Wait::Futex, protocol) };
        let first = c.pop(&mut || true).unwrap();
        assert_eq!(first.as_ref().and_then(number_of), Some(0));
        assert_eq!(c.pop(&mut || true).unwrap(), None);
        producer.join().unwrap();
    });
}

#[test]
fn futex_waits_lose_no_wake_up() {
    blocking(Protocol::RIGHT);
}

#[test]
fn missing_fences_lose_a_wake_up() {
    let message = caught("no-sleep-fences", || blocking(Protocol::NO_SLEEP_FENCES));
    assert!(message.contains("deadlock"), "{message}");
}
// ANCHOR_END: blocking

/// A full ring: the producer sleeps for a free slot and the consumer's pop
/// must wake it.
#[test]
fn a_full_ring_wakes_the_producer() {
    checker().check(|| {
        trace::clear();
        let ring = Arc::new(HeapRing::new(2));
        let theirs = ring.clone();
        let producer = producer(move || {
            // SAFETY: one producer per ring.
            let mut p = unsafe { Producer::new(theirs.view(), Wait::Futex) };
            for n in 0..3 {
                p.push(&message(n), &mut || true).unwrap();
            }
        });
        // SAFETY: one consumer per ring.
        let mut c = unsafe { Consumer::new(ring.view(), Wait::Futex) };
        for n in 0..3 {
            let msg = c.pop(&mut || true).unwrap().unwrap();
            assert_eq!(number_of(&msg), Some(n));
        }
        producer.join().unwrap();
    });
}

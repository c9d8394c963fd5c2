#![cfg(feature = "model")]
//! Canonical model tests for `ring-blocking`: the grader runs them with
//! `cargo test --release --features model --test model`. loom tries every
//! interleaving and every value each load may return; a consumer left
//! asleep with nobody to wake it is reported as "deadlock".

use model_sync::model;
use ring_blocking::channel;

#[test]
fn a_push_always_wakes_the_consumer() {
    model(|| {
        let (mut tx, mut rx) = channel(2);
        let producer = model_sync::thread::spawn(move || tx.push(1));
        assert_eq!(rx.pop(), 1);
        producer.join().unwrap();
    });
}

#[test]
fn two_values_two_sleeps() {
    model(|| {
        let (mut tx, mut rx) = channel(2);
        let producer = model_sync::thread::spawn(move || {
            tx.push(1);
            tx.push(2);
        });
        assert_eq!(rx.pop(), 1);
        assert_eq!(rx.pop(), 2);
        producer.join().unwrap();
    });
}

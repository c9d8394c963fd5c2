//! Canonical tests for `ring-push-pop`: full and empty, order, and two
//! threads passing values through a small ring, round after round.

use std::sync::{Arc, Barrier};
use std::thread;

use ring_push_pop::channel;

#[test]
fn full_refuses_empty_returns_none_order_kept() {
    let (mut tx, mut rx) = channel(4);
    assert_eq!(rx.try_pop(), None, "a new ring is empty");
    for round in 0..3u64 {
        for i in 0..4 {
            assert_eq!(tx.try_push(round * 10 + i), Ok(()), "slot {i} of 4 is free");
        }
        assert_eq!(tx.try_push(99), Err(99), "a full ring gives the value back");
        for i in 0..4 {
            assert_eq!(rx.try_pop(), Some(round * 10 + i), "first in, first out");
        }
        assert_eq!(rx.try_pop(), None, "empty again after 4 pops");
    }
}

#[test]
fn two_threads_every_value_once_in_order() {
    const N: u64 = 50_000;
    for round in 0..5 {
        let (mut tx, mut rx) = channel(4);
        let start = Arc::new(Barrier::new(2));
        let s = start.clone();
        let producer = thread::spawn(move || {
            s.wait();
            for v in 0..N {
                while tx.try_push(v).is_err() {
                    thread::yield_now();
                }
            }
        });
        start.wait();
        for expected in 0..N {
            let v = loop {
                if let Some(v) = rx.try_pop() {
                    break v;
                }
                thread::yield_now();
            };
            assert_eq!(v, expected, "round {round}: lost, repeated or reordered");
        }
        producer.join().unwrap();
        assert_eq!(
            rx.try_pop(),
            None,
            "round {round}: a value after the last one"
        );
    }
}

#![cfg(feature = "model")]
//! Model-checked tests for `bounded-buffer`: the loom model checker runs each
//! body once per interleaving of its threads (every order in which they can
//! take the lock, wait and be woken), so a bug that needs one unlucky
//! schedule is found every time, not one run in a million.
//!
//! Run: `cargo test --release -p bounded-buffer --features model --test model`.

use bounded_buffer::BoundedBuffer;
use model_sync::model;
use model_sync::sync::Arc;
use model_sync::thread;

/// Two consumers wait for one item each: a consumer woken for an item that
/// the other consumer took first must wait again, not return `None` (the
/// `if` instead of `while` mistake), and no push may leave a consumer
/// asleep next to an item (a lost wake-up).
#[test]
fn model_two_consumers_each_get_an_item() {
    model(|| {
        let buffer = Arc::new(BoundedBuffer::new(1));
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let buffer = Arc::clone(&buffer);
                thread::spawn(move || buffer.pop())
            })
            .collect();
        for item in [1, 2] {
            buffer.push(item).expect("the buffer is open");
        }
        let mut got: Vec<u32> = consumers
            .into_iter()
            .map(|c| {
                c.join().unwrap().expect(
                    "pop returned None while the buffer was open: a consumer woke up, found \
                     the buffer empty (another consumer took the item first) and did not wait \
                     again (an `if` where a `while` is needed?)",
                )
            })
            .collect();
        got.sort();
        assert_eq!(got, [1, 2], "each item must reach exactly one consumer");
    });
}

/// Two producers wait for room in a full buffer of 1: a producer woken for
/// room that the other producer filled first must wait again, so the buffer
/// never holds more than its capacity.
#[test]
fn model_producers_never_overfill() {
    model(|| {
        let buffer = Arc::new(BoundedBuffer::new(1));
        buffer.push(0).expect("the buffer is open");
        let producers: Vec<_> = (1..=2)
            .map(|item| {
                let buffer = Arc::clone(&buffer);
                thread::spawn(move || buffer.push(item).expect("the buffer is open"))
            })
            .collect();
        let mut got = Vec::new();
        for _ in 0..3 {
            assert!(
                buffer.len() <= 1,
                "a buffer of capacity 1 held {} items: a producer woke up, found it full \
                 again (another producer got there first) and pushed anyway (an `if` where \
                 a `while` is needed?)",
                buffer.len()
            );
            got.push(buffer.pop().expect("the buffer is open"));
        }
        for p in producers {
            p.join().unwrap();
        }
        got.sort();
        assert_eq!(got, [0, 1, 2], "each item must come out exactly once");
    });
}

/// `close` wakes a consumer waiting on an empty buffer and a producer
/// waiting on a full one, whatever the order: nobody sleeps for ever.
#[test]
fn model_close_wakes_both_sides() {
    model(|| {
        let empty = Arc::new(BoundedBuffer::<u32>::new(1));
        let full = Arc::new(BoundedBuffer::new(1));
        full.push(0).expect("the buffer is open");
        let consumer = {
            let empty = Arc::clone(&empty);
            thread::spawn(move || empty.pop())
        };
        let producer = {
            let full = Arc::clone(&full);
            thread::spawn(move || full.push(1).is_err())
        };
        empty.close();
        full.close();
        assert_eq!(
            consumer.join().unwrap(),
            None,
            "pop on a closed, empty buffer returns None"
        );
        assert!(
            producer.join().unwrap(),
            "push on a closed buffer returns Err(Closed(item))"
        );
    });
}

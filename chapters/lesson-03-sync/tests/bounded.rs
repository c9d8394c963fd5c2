//! Claims about the bounded buffer and the channels it is compared with.

use std::sync::mpsc;
use std::sync::{Barrier, Mutex};
use std::thread;
use std::time::Duration;

use lesson_03_sync::bounded::{BoundedBuffer, Closed, Kind, backpressure, throughput};
use lesson_03_sync::triangle;

const PATIENCE: Duration = Duration::from_secs(5);

#[test]
fn fifo_order_with_one_producer_and_one_consumer() {
    let buffer = BoundedBuffer::new(3);
    let got = thread::scope(|s| {
        let consumer = s.spawn(|| std::iter::from_fn(|| buffer.pop()).collect::<Vec<u32>>());
        for i in 0..100 {
            buffer.push(i).unwrap();
        }
        buffer.close();
        consumer.join().unwrap()
    });
    assert_eq!(got, (0..100).collect::<Vec<_>>());
}

#[test]
fn the_capacity_is_never_exceeded_under_stress() {
    let buffer = BoundedBuffer::new(4);
    let seen = Mutex::new(Vec::new());
    thread::scope(|s| {
        let consumers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    while let Some(x) = buffer.pop() {
                        seen.lock().unwrap().push(x);
                    }
                })
            })
            .collect();
        let producers: Vec<_> = (0..4u64)
            .map(|p| {
                let buffer = &buffer;
                s.spawn(move || (0..2_000).for_each(|i| buffer.push(p * 2_000 + i).unwrap()))
            })
            .collect();
        producers.into_iter().for_each(|p| p.join().unwrap());
        buffer.close();
        consumers.into_iter().for_each(|c| c.join().unwrap());
    });
    let stats = buffer.stats();
    assert!(stats.peak_len <= 4, "{stats:?}");
    let mut seen = seen.into_inner().unwrap();
    seen.sort_unstable();
    assert_eq!(
        seen,
        (0..8_000).collect::<Vec<u64>>(),
        "lost or duplicated items"
    );
}

#[test]
fn a_producer_blocks_while_the_buffer_is_full() {
    let buffer = BoundedBuffer::new(2);
    buffer.push(1).unwrap();
    buffer.push(2).unwrap();
    let (tx, rx) = mpsc::channel();
    let ready = Barrier::new(2);
    thread::scope(|s| {
        s.spawn(|| {
            ready.wait();
            buffer.push(3).unwrap();
            tx.send(()).unwrap();
        });
        ready.wait();
        assert!(
            rx.recv_timeout(Duration::from_millis(100)).is_err(),
            "push into a full buffer returned"
        );
        assert_eq!(buffer.pop(), Some(1));
        assert!(
            rx.recv_timeout(PATIENCE).is_ok(),
            "the producer was not woken"
        );
    });
    assert_eq!(buffer.len(), 2);
    assert!(buffer.stats().producer_waits >= 1);
}

#[test]
fn close_wakes_waiting_consumers_and_refuses_pushes() {
    let buffer = BoundedBuffer::<u8>::new(1);
    thread::scope(|s| {
        let consumers: Vec<_> = (0..3).map(|_| s.spawn(|| buffer.pop())).collect();
        thread::sleep(Duration::from_millis(20));
        buffer.close();
        for c in consumers {
            assert_eq!(c.join().unwrap(), None);
        }
    });
    assert_eq!(buffer.push(7), Err(Closed(7)));
    assert!(buffer.is_empty());
}

#[test]
fn every_kind_delivers_every_item() {
    for kind in Kind::ALL {
        let run = throughput(kind, 3, 2, 20_000, 16);
        assert_eq!(run.sum, triangle(20_000), "{kind:?}");
        assert!(run.items_per_sec() > 0.0);
    }
}

#[test]
fn a_slow_consumer_makes_a_bounded_producer_wait() {
    for kind in [Kind::Buffer, Kind::Bounded] {
        let run = backpressure(kind, 30, 2, Duration::from_millis(1));
        assert_eq!(run.sum, triangle(30), "{kind:?}");
        assert!(run.peak_len <= 2, "{run:?}");
        assert!(run.producer_waits >= 1, "{run:?}");
        assert!(run.producer_done <= run.consumer_done);
    }
    let run = backpressure(Kind::Unbounded, 30, 2, Duration::from_millis(1));
    assert_eq!(run.sum, triangle(30));
    assert_eq!(
        run.producer_waits, 0,
        "an unbounded channel never makes the producer wait"
    );
}

//! Canonical tests for `ring-blocking`: every value once and in order while
//! the consumer goes to sleep thousands of times, and a waiting consumer
//! really sleeps.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use course_support::testing::thread_cpu_time;
use ring_blocking::channel;

/// How long a test waits for something correct code does in microseconds:
/// it only turns a lost wake-up (a hang) into a failure.
const PATIENCE: Duration = Duration::from_secs(10);

/// The consumer runs on a detached thread and reports each value on a
/// channel, so that a consumer asleep forever fails the test instead of
/// hanging it.
fn consume(mut rx: ring_blocking::Receiver, n: u64) -> mpsc::Receiver<u64> {
    let (tx, out) = mpsc::channel();
    thread::spawn(move || {
        for _ in 0..n {
            if tx.send(rx.pop()).is_err() {
                return;
            }
        }
    });
    out
}

#[test]
fn every_value_once_in_order_while_the_consumer_sleeps_often() {
    for round in 0..3 {
        const N: u64 = 20_000;
        let (mut tx, rx) = channel(4);
        let out = consume(rx, N);
        let producer = thread::spawn(move || {
            for v in 0..N {
                tx.push(v);
                // Pause now and then: the consumer finds the ring empty and
                // goes to sleep, and this push must wake it.
                if v % 16 == 0 {
                    thread::yield_now();
                }
                if v % 2000 == 0 {
                    thread::sleep(Duration::from_micros(200));
                }
            }
        });
        for expected in 0..N {
            match out.recv_timeout(PATIENCE) {
                Ok(v) => assert_eq!(v, expected, "round {round}: lost, repeated or reordered"),
                Err(_) => panic!(
                    "round {round}: value {expected} never arrived: the consumer sleeps and \
                     nobody woke it (a lost wake-up)"
                ),
            }
        }
        producer.join().unwrap();
    }
}

#[test]
fn one_value_wakes_a_consumer_that_is_already_asleep() {
    for _ in 0..50 {
        let (mut tx, rx) = channel(2);
        let out = consume(rx, 1);
        thread::sleep(Duration::from_millis(2)); // the consumer is asleep by now
        tx.push(7);
        assert_eq!(
            out.recv_timeout(PATIENCE),
            Ok(7),
            "a push into an empty ring must wake the sleeping consumer"
        );
    }
}

#[test]
fn a_waiting_consumer_sleeps() {
    let (mut tx, mut rx) = channel(2);
    let (cpu_tx, cpu) = mpsc::channel();
    thread::spawn(move || {
        let before = thread_cpu_time();
        let v = rx.pop();
        let _ = cpu_tx.send((v, thread_cpu_time() - before));
    });
    thread::sleep(Duration::from_millis(300));
    tx.push(42);
    let (v, used) = cpu.recv_timeout(PATIENCE).expect("the consumer never woke");
    assert_eq!(v, 42);
    assert!(
        used < Duration::from_millis(100),
        "the consumer used {used:?} of CPU while waiting 300 ms: it spins instead of sleeping"
    );
}

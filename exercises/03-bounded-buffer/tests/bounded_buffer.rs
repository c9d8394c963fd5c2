//! Canonical tests for `bounded-buffer`: FIFO, exactly once, the capacity
//! holds, full and empty block, close wakes everyone, waiters sleep.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use bounded_buffer::{BoundedBuffer, Closed};
use course_support::testing::{thread_cpu_time, thread_wakeups};

/// How long a test waits for something that correct code does in
/// microseconds. Not a speed limit: it only turns a hang into a failure.
const PATIENCE: Duration = Duration::from_secs(5);

/// Long enough for a thread that should block to show that it doesn't.
const SHOULD_BLOCK: Duration = Duration::from_millis(150);

/// Runs `f` on a detached thread; the receiver gets its result. Detached,
/// so that a thread stuck for ever fails the test instead of hanging it.
fn detached<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> mpsc::Receiver<R> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx
}

#[test]
fn items_come_out_in_order() {
    let buffer = Arc::new(BoundedBuffer::new(3));
    assert_eq!(buffer.capacity(), 3);
    let consumer = {
        let buffer = Arc::clone(&buffer);
        detached(move || std::iter::from_fn(|| buffer.pop()).collect::<Vec<u32>>())
    };
    let producer = {
        let buffer = Arc::clone(&buffer);
        detached(move || {
            for i in 0..1_000 {
                buffer.push(i).expect("the buffer is open");
            }
            buffer.close();
        })
    };
    producer
        .recv_timeout(PATIENCE)
        .expect("the producer did not finish pushing 1000 items through a buffer of 3");
    let got = consumer.recv_timeout(PATIENCE).expect(
        "the consumer did not finish: after close() and the last item, pop must return None",
    );
    assert_eq!(
        got,
        (0..1_000).collect::<Vec<_>>(),
        "items must come out in the order they were pushed, each exactly once"
    );
}

#[test]
fn every_item_exactly_once_with_many_producers_and_consumers() {
    let buffer = Arc::new(BoundedBuffer::new(3));
    let most_seen = Arc::new(AtomicUsize::new(0));
    // Set just before `close()`: a `None` from `pop` before then is wrong.
    let closing = Arc::new(AtomicBool::new(false));
    let consumers: Vec<_> = (0..4)
        .map(|_| {
            let (buffer, most_seen) = (Arc::clone(&buffer), Arc::clone(&most_seen));
            let closing = Arc::clone(&closing);
            detached(move || {
                let mut mine = Vec::new();
                while let Some(x) = buffer.pop() {
                    most_seen.fetch_max(buffer.len(), SeqCst);
                    mine.push(x);
                }
                (mine, closing.load(SeqCst))
            })
        })
        .collect();
    let producers: Vec<_> = (0..4u64)
        .map(|p| {
            let (buffer, most_seen) = (Arc::clone(&buffer), Arc::clone(&most_seen));
            detached(move || {
                for i in 0..2_000 {
                    buffer.push(p * 2_000 + i).expect("the buffer is open");
                    most_seen.fetch_max(buffer.len(), SeqCst);
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut early_nones = 0;
    let mut producers_done = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    for p in producers {
        producers_done.push(p.recv_timeout(deadline.saturating_duration_since(Instant::now())));
    }
    closing.store(true, SeqCst);
    buffer.close();
    for c in consumers {
        let (mine, saw_close) = c.recv_timeout(PATIENCE).expect(
            "a consumer never finished: it is stuck in pop (does push wake a waiting consumer, \
             and does close wake them all?)",
        );
        all.extend(mine);
        early_nones += usize::from(!saw_close);
    }
    assert_eq!(
        early_nones, 0,
        "pop returned None to {early_nones} of 4 consumers while the buffer was still open: \
         a woken consumer found the buffer empty (another consumer took the item first) and \
         gave up. Wait in a loop, `while items.is_empty() && !closed {{ wait }}` (or \
         `wait_while`), not `if`: after a wake-up, check again"
    );
    for done in producers_done {
        done.expect(
            "a producer never finished: it is stuck in push (does pop wake a waiting producer?)",
        );
    }
    let most = most_seen.load(SeqCst);
    assert!(
        most <= 3,
        "len() reported {most} items in a buffer of capacity 3"
    );
    all.sort_unstable();
    assert_eq!(all.len(), 8_000, "8000 items pushed, {} popped", all.len());
    assert_eq!(
        all,
        (0..8_000).collect::<Vec<u64>>(),
        "some items were lost or delivered twice"
    );
}

#[test]
fn with_nobody_consuming_exactly_capacity_pushes_succeed() {
    let buffer = Arc::new(BoundedBuffer::new(5));
    let pushed = Arc::new(AtomicUsize::new(0));
    let producers: Vec<_> = (0..4)
        .map(|p| {
            let (buffer, pushed) = (Arc::clone(&buffer), Arc::clone(&pushed));
            detached(move || {
                for i in 0..10 {
                    if buffer.push(p * 10 + i).is_err() {
                        return; // closed
                    }
                    pushed.fetch_add(1, SeqCst);
                }
            })
        })
        .collect();
    thread::sleep(SHOULD_BLOCK);
    let done = pushed.load(SeqCst);
    assert_eq!(
        done, 5,
        "4 producers pushed into a buffer of capacity 5 that nobody empties: exactly 5 pushes \
         should succeed and the rest wait, but {done} returned"
    );
    assert_eq!(buffer.len(), 5);
    // Now drain everything: every producer must get through.
    let drained = {
        let buffer = Arc::clone(&buffer);
        detached(move || (0..40).filter_map(|_| buffer.pop()).count())
    };
    assert_eq!(
        drained.recv_timeout(PATIENCE),
        Ok(40),
        "popping the 40 items got stuck: a producer waiting for room was not woken by pop"
    );
    for p in producers {
        p.recv_timeout(PATIENCE)
            .expect("a producer was never woken after pops made room");
    }
    assert_eq!(pushed.load(SeqCst), 40);
}

#[test]
fn push_into_a_full_buffer_waits_for_a_pop() {
    let buffer = Arc::new(BoundedBuffer::new(2));
    buffer.push(1).unwrap();
    buffer.push(2).unwrap();
    let started = Arc::new(Barrier::new(2));
    let pushed = {
        let (buffer, started) = (Arc::clone(&buffer), Arc::clone(&started));
        detached(move || {
            started.wait();
            buffer.push(3)
        })
    };
    started.wait();
    assert!(
        pushed.recv_timeout(SHOULD_BLOCK).is_err(),
        "push into a full buffer returned at once: it must wait for room"
    );
    assert_eq!(buffer.pop(), Some(1));
    assert_eq!(
        pushed.recv_timeout(PATIENCE),
        Ok(Ok(())),
        "the waiting push was not woken when pop made room"
    );
    assert_eq!(buffer.pop(), Some(2));
    assert_eq!(buffer.pop(), Some(3));
}

#[test]
fn pop_from_an_empty_buffer_waits_for_a_push() {
    let buffer = Arc::new(BoundedBuffer::new(2));
    let started = Arc::new(Barrier::new(2));
    let popped = {
        let (buffer, started) = (Arc::clone(&buffer), Arc::clone(&started));
        detached(move || {
            started.wait();
            buffer.pop()
        })
    };
    started.wait();
    assert!(
        popped.recv_timeout(SHOULD_BLOCK).is_err(),
        "pop from an empty buffer returned at once: it must wait for an item"
    );
    buffer.push("hello").unwrap();
    assert_eq!(
        popped.recv_timeout(PATIENCE),
        Ok(Some("hello")),
        "the waiting pop was not woken by push"
    );
    assert!(buffer.is_empty());
}

#[test]
fn close_wakes_every_waiting_consumer() {
    let buffer = Arc::new(BoundedBuffer::<u8>::new(1));
    let waiting: Vec<_> = (0..3)
        .map(|_| {
            let buffer = Arc::clone(&buffer);
            detached(move || buffer.pop())
        })
        .collect();
    thread::sleep(Duration::from_millis(50)); // let them block in pop
    buffer.close();
    for w in waiting {
        assert_eq!(
            w.recv_timeout(PATIENCE),
            Ok(None),
            "a consumer waiting on an empty buffer must get None when it is closed \
             (close must wake all of them)"
        );
    }
}

#[test]
fn close_wakes_a_waiting_producer_and_gives_its_item_back() {
    let buffer = Arc::new(BoundedBuffer::new(1));
    buffer.push('a').unwrap();
    let started = Arc::new(Barrier::new(2));
    let pushed = {
        let (buffer, started) = (Arc::clone(&buffer), Arc::clone(&started));
        detached(move || {
            started.wait();
            buffer.push('b')
        })
    };
    started.wait();
    thread::sleep(Duration::from_millis(50)); // let it block in push
    buffer.close();
    assert_eq!(
        pushed.recv_timeout(PATIENCE),
        Ok(Err(Closed('b'))),
        "a producer waiting on a full buffer must get its item back, Err(Closed(item)), when \
         the buffer is closed"
    );
    assert_eq!(
        buffer.pop(),
        Some('a'),
        "items pushed before close are still delivered"
    );
    assert_eq!(buffer.pop(), None);
}

#[test]
fn after_close_the_rest_is_delivered_then_none() {
    let buffer = BoundedBuffer::new(4);
    for i in 1..=3 {
        buffer.push(i).unwrap();
    }
    buffer.close();
    assert_eq!(
        buffer.push(4),
        Err(Closed(4)),
        "push after close must be refused, giving the item back"
    );
    assert_eq!(buffer.len(), 3);
    let rest: Vec<i32> = std::iter::from_fn(|| buffer.pop()).collect();
    assert_eq!(
        rest,
        [1, 2, 3],
        "items pushed before close must still come out, then pop returns None"
    );
    assert_eq!(
        buffer.pop(),
        None,
        "a closed, empty buffer keeps returning None"
    );
}

#[cfg(unix)]
#[test]
fn waiting_threads_sleep_instead_of_spinning() {
    let empty = Arc::new(BoundedBuffer::<u32>::new(1));
    let full = Arc::new(BoundedBuffer::<u32>::new(1));
    full.push(0).unwrap();
    let started = Arc::new(Barrier::new(3));
    let measured = |f: Box<dyn FnOnce() + Send>, started: Arc<Barrier>| {
        detached(move || {
            started.wait();
            let (cpu, wall, woken) = (thread_cpu_time(), Instant::now(), thread_wakeups());
            f();
            (
                thread_cpu_time() - cpu,
                wall.elapsed(),
                thread_wakeups() - woken,
            )
        })
    };
    let consumer = {
        let empty = Arc::clone(&empty);
        measured(
            Box::new(move || {
                let _ = empty.pop();
            }),
            Arc::clone(&started),
        )
    };
    let producer = {
        let full = Arc::clone(&full);
        measured(
            Box::new(move || {
                let _ = full.push(1);
            }),
            Arc::clone(&started),
        )
    };
    started.wait();
    thread::sleep(Duration::from_millis(400));
    empty.push(7).unwrap();
    assert_eq!(full.pop(), Some(0));
    let waiters = [
        ("pop on an empty buffer", consumer),
        ("push into a full buffer", producer),
    ];
    for (what, rx) in waiters {
        let (cpu, wall, wakeups) = rx
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|_| panic!("the thread waiting in {what} was never woken"));
        assert!(
            cpu < wall / 4,
            "the thread waiting in {what} used {cpu:?} of CPU in {wall:?}: it spins instead of \
             sleeping. Wait on a Condvar (wait_while) instead"
        );
        assert!(
            wakeups < 20,
            "the thread waiting in {what} woke up {wakeups} times in {wall:?}: it polls \
             (sleep, look, sleep...) instead of sleeping until it is notified. Wait on a \
             Condvar (wait_while) instead"
        );
    }
}

#[test]
fn every_push_wakes_a_waiting_consumer() {
    // Two consumers asleep on an empty buffer, then two pushes back to back:
    // each push must wake one of them. Waking only when the buffer *was*
    // empty loses the second wake-up, and an item waits with a consumer asleep.
    let buffer = Arc::new(BoundedBuffer::new(4));
    let started = Arc::new(Barrier::new(3));
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let (buffer, started) = (Arc::clone(&buffer), Arc::clone(&started));
            detached(move || {
                started.wait();
                buffer.pop()
            })
        })
        .collect();
    started.wait();
    thread::sleep(SHOULD_BLOCK); // both are asleep in pop by now
    buffer.push(1).unwrap();
    buffer.push(2).unwrap();
    let mut got: Vec<Option<u32>> = consumers
        .iter()
        .map(|rx| {
            rx.recv_timeout(PATIENCE).unwrap_or_else(|_| {
                panic!(
                    "a consumer stayed asleep in pop although an item was waiting: a lost \
                     wake-up. Notify a consumer on every push, not only when the buffer was empty"
                )
            })
        })
        .collect();
    got.sort();
    assert_eq!(got, [Some(1), Some(2)]);
}

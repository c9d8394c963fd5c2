//! Canonical tests for `backpressure`: async senders, blocking receivers,
//! a bound that holds under stress, and a clean shutdown. Every test has a
//! time limit, so a queue that deadlocks fails with a message.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::Duration;

use backpressure::{Closed, Receiver, bridge};
use course_support::testing::{self, thread_wakeups};

/// Far longer than any test needs.
const PATIENCE: Duration = Duration::from_secs(8);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Runs `f` on a thread of its own; fails the test if it takes longer than
/// [`PATIENCE`] (a deadlock) and re-raises its panic if it panicked.
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    testing::within_or_explain(
        what,
        PATIENCE,
        "something waits for ever: a receiver nobody wakes, or a sender waiting for room \
         that never comes back (if send forgets its permit, recv must give one back with \
         `space.add_permits(1)` for each item it takes)",
        f,
    )
}

/// Why a send returns although the queue is full.
const PERMIT_WENT_BACK: &str = "The slot an item takes must stay taken while the item is in \
    the queue. If send waits on the Semaphore, its permit went back as soon as send returned \
    (a permit gives itself back when it is dropped, at the end of send, whatever its name): \
    call `permit.forget()` once the item is pushed, and give the slot back in recv, when the \
    item leaves the queue, with `add_permits(1)`";

/// Why a send waits for ever although an item left the queue.
const NO_SLOT_BACK: &str = "An item left the queue, but no waiting send saw its slot come \
    free. If send forgets its permit, recv must give one back with `space.add_permits(1)` \
    each time it takes an item";

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn multi_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Receives until `None`, on this thread.
fn drain<T>(rx: &Receiver<T>) -> Vec<T> {
    std::iter::from_fn(|| rx.recv()).collect()
}

#[test]
fn every_item_arrives_exactly_once() {
    let mut got = within("4 async producers, 2 blocking consumers", || {
        let (tx, rx) = bridge::<usize>(4);
        let runtime = multi_thread();
        for p in 0..4 {
            let tx = tx.clone();
            runtime.spawn(async move {
                for i in 0..500 {
                    tx.send(p * 500 + i).await.expect("the queue is open");
                }
            });
        }
        drop(tx); // the producers hold the only senders now
        let got = thread::scope(|s| {
            let a = s.spawn(|| drain(&rx));
            let b = s.spawn(|| drain(&rx));
            let mut got = a.join().unwrap();
            got.extend(b.join().unwrap());
            got
        });
        drop(runtime);
        got
    });
    got.sort_unstable();
    assert_eq!(
        got.len(),
        2_000,
        "2,000 items were sent: every one must be received once"
    );
    assert_eq!(
        got,
        (0..2_000).collect::<Vec<_>>(),
        "items were lost or duplicated"
    );
}

#[test]
fn a_full_queue_makes_the_sender_wait_until_there_is_room() {
    within("a sender on a full queue", || {
        let (tx, rx) = bridge::<u32>(2);
        let runtime = current_thread();
        runtime.block_on(async {
            for i in 0..2 {
                tokio::time::timeout(ms(2_000), tx.send(i))
                    .await
                    .expect("a send with room must not wait")
                    .unwrap();
            }
            let third = tokio::time::timeout(ms(200), tx.send(2)).await;
            assert!(
                third.is_err(),
                "send returned while the queue held `capacity` items: it must wait for room. \
                 {PERMIT_WENT_BACK}"
            );
        });
        assert_eq!(rx.len(), 2, "the queue holds the two items sent");
        assert_eq!(rx.recv(), Some(0), "items come out oldest first");
        runtime.block_on(async {
            tokio::time::timeout(ms(2_000), tx.send(2))
                .await
                .unwrap_or_else(|_| {
                    panic!("after a recv there is room: send must complete. {NO_SLOT_BACK}")
                })
                .unwrap();
        });
        drop(tx);
        assert_eq!(drain(&rx), [1, 2]);
    });
}

#[test]
fn waiting_for_room_does_not_block_the_runtime_thread() {
    within("a current_thread runtime with a waiting sender", || {
        let (tx, rx) = bridge::<u32>(2);
        let rx = Arc::new(rx);
        let runtime = current_thread();
        runtime.block_on(async {
            let sender = tokio::spawn(async move {
                for i in 0..3 {
                    tx.send(i).await.unwrap();
                }
            });
            // The only thread of this runtime must come back to us while the
            // sender waits: a send that blocks the thread never lets this sleep end.
            tokio::time::sleep(ms(50)).await;
            assert!(
                !sender.is_finished(),
                "the third send into a queue of 2 should still be waiting. \
                 {PERMIT_WENT_BACK}"
            );
            assert_eq!(rx.len(), 2);
            let rx2 = Arc::clone(&rx);
            let first = tokio::task::spawn_blocking(move || rx2.recv())
                .await
                .unwrap();
            assert_eq!(first, Some(0));
            tokio::time::timeout(ms(2_000), sender)
                .await
                .unwrap_or_else(|_| {
                    panic!("with room again, the waiting send must complete. {NO_SLOT_BACK}")
                })
                .unwrap();
        });
        assert_eq!(drain(&rx), [1, 2]);
    });
}

#[test]
fn the_queue_never_holds_more_than_its_capacity_under_stress() {
    let capacity = 3;
    let (max_seen, received) = within("8 producers against a slow consumer", move || {
        let (tx, rx) = bridge::<usize>(capacity);
        let rx = Arc::new(rx);
        let runtime = multi_thread();
        for p in 0..8 {
            let tx = tx.clone();
            runtime.spawn(async move {
                for i in 0..150 {
                    tx.send(p * 1_000 + i).await.unwrap();
                }
            });
        }
        drop(tx);
        let max_seen = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let monitor = {
            let (rx, max_seen, done) = (Arc::clone(&rx), Arc::clone(&max_seen), Arc::clone(&done));
            thread::spawn(move || {
                while !done.load(SeqCst) {
                    max_seen.fetch_max(rx.len(), SeqCst);
                    thread::yield_now();
                }
            })
        };
        let mut received = 0;
        loop {
            max_seen.fetch_max(rx.len(), SeqCst);
            let Some(_) = rx.recv() else { break };
            received += 1;
            if received % 10 == 0 {
                thread::sleep(ms(1)); // a slow consumer: producers pile up
            }
        }
        done.store(true, SeqCst);
        monitor.join().unwrap();
        drop(runtime);
        (max_seen.load(SeqCst), received)
    });
    assert_eq!(received, 1_200, "every item must be received");
    assert!(
        max_seen <= capacity,
        "the queue held {max_seen} items, more than its capacity {capacity}. {PERMIT_WENT_BACK}"
    );
    assert_eq!(
        max_seen, capacity,
        "with a slow consumer the queue should fill up to its capacity; it never held more than \
         {max_seen} (keep the items in `state.items`, which `len()` reads)"
    );
}

#[test]
fn close_refuses_new_items_and_drains_the_queued_ones() {
    within("closing a queue with items in it", || {
        let (tx, rx) = bridge::<&str>(4);
        let runtime = current_thread();
        runtime.block_on(async {
            for s in ["a", "b", "c"] {
                tx.send(s).await.unwrap();
            }
        });
        rx.close();
        let refused = runtime.block_on(tx.send("d"));
        assert_eq!(
            refused,
            Err(Closed("d")),
            "a send after close must fail and give the item back"
        );
        assert_eq!(rx.recv(), Some("a"), "close must not lose queued items");
        assert_eq!(rx.recv(), Some("b"));
        assert_eq!(rx.recv(), Some("c"));
        assert_eq!(
            rx.recv(),
            None,
            "closed and drained: recv must return None, not wait (a sender is still alive)"
        );
    });
}

#[test]
fn close_wakes_a_sender_waiting_for_room() {
    within("a sender waiting on a full queue that gets closed", || {
        let (tx, rx) = bridge::<u32>(1);
        let runtime = current_thread();
        let outcome = runtime.block_on(async {
            tx.send(1).await.unwrap();
            let waiting = tokio::spawn(async move { tx.send(2).await });
            tokio::time::sleep(ms(50)).await;
            assert!(
                !waiting.is_finished(),
                "the queue is full: send must wait. {PERMIT_WENT_BACK}"
            );
            rx.close();
            tokio::time::timeout(ms(2_000), waiting)
                .await
                .expect("close must wake a sender waiting for room")
                .unwrap()
        });
        assert_eq!(
            outcome,
            Err(Closed(2)),
            "the waiting send must fail with its item"
        );
        assert_eq!(rx.recv(), Some(1));
        assert_eq!(rx.recv(), None);
    });
}

#[test]
fn recv_ends_once_every_sender_is_gone() {
    let got = within("a consumer whose producers finish", || {
        let (tx, rx) = bridge::<u32>(2);
        let consumer = thread::spawn(move || drain(&rx));
        let runtime = current_thread();
        let tx2 = tx.clone();
        runtime.block_on(async move {
            for i in 0..5 {
                let sender = if i % 2 == 0 { &tx } else { &tx2 };
                sender.send(i).await.unwrap();
            }
        });
        // Both senders were moved into the block and dropped with it.
        consumer.join().unwrap()
    });
    assert_eq!(
        got,
        [0, 1, 2, 3, 4],
        "the consumer must get every item, then None when the last sender is dropped"
    );
}

#[test]
fn a_receiver_waiting_on_an_empty_queue_wakes_for_a_new_item() {
    let got = within("a consumer blocked on an empty queue", || {
        let (tx, rx) = bridge::<u32>(2);
        let consumer = thread::spawn(move || rx.recv());
        thread::sleep(ms(50)); // the consumer is waiting now
        current_thread().block_on(async { tx.send(7).await.unwrap() });
        let got = consumer.join().unwrap();
        drop(tx);
        got
    });
    assert_eq!(got, Some(7), "recv must wake up when an item arrives");
}

#[test]
fn a_waiting_receiver_sleeps_instead_of_polling() {
    let (got, wakeups) = within("a consumer blocked on an empty queue", || {
        let (tx, rx) = bridge::<u32>(2);
        let consumer = thread::spawn(move || {
            let before = thread_wakeups();
            let got = rx.recv();
            (got, thread_wakeups() - before)
        });
        thread::sleep(ms(400));
        current_thread().block_on(async { tx.send(7).await.unwrap() });
        consumer.join().unwrap()
    });
    assert_eq!(got, Some(7));
    assert!(
        wakeups < 20,
        "the receiver woke up {wakeups} times in 400 ms: it polls (sleep, look, sleep...) \
         instead of sleeping until a sender notifies it. Wait on the Condvar (wait_while)"
    );
}

#[test]
fn dropping_the_last_sender_wakes_every_waiting_receiver() {
    let ends = within("two consumers blocked on an empty queue", || {
        let (tx, rx) = bridge::<u32>(2);
        let rx = Arc::new(rx);
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let rx = Arc::clone(&rx);
                thread::spawn(move || rx.recv())
            })
            .collect();
        thread::sleep(ms(100)); // both are asleep in recv by now
        drop(tx);
        consumers
            .into_iter()
            .map(|c| c.join().unwrap())
            .collect::<Vec<_>>()
    });
    assert_eq!(
        ends,
        [None, None],
        "when the last sender goes, every waiting receiver must wake and get None \
         (notify_all, not notify_one)"
    );
}

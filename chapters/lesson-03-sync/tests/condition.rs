//! Claims about condition variables.

use std::thread;
use std::time::Duration;

use lesson_03_sync::condition::{Mailbox, Notify, WakeCounts, queue_wakeups, take_turns};
use lesson_03_sync::triangle;

#[test]
fn consumers_get_every_item_once_with_either_notify() {
    for notify in [Notify::One, Notify::All] {
        let run = queue_wakeups(3, 500, notify);
        assert_eq!(run.sum, triangle(500), "{notify:?}");
        assert!(run.found_nothing <= run.wakeups, "{run:?}");
        assert!(run.wakeups >= 500, "each item woke a consumer: {run:?}");
    }
}

#[test]
fn notify_all_wakes_every_sleeping_consumer_for_each_item() {
    // Every consumer is asleep when each item arrives: notify_all wakes all
    // 4 (spurious wake-ups can only add), and only one of them gets the item.
    // (After the last item the queue is closed at once, so the 3 others find
    // it closed rather than empty.)
    let run = queue_wakeups(4, 200, Notify::All);
    assert!(run.wakeups >= 4 * 200, "{run:?}");
    assert!(run.found_nothing >= 3 * 199, "{run:?}");
    assert_eq!(run.sum, triangle(200));
}

#[test]
fn pop_waits_then_ends_when_closed() {
    let mailbox = Mailbox::default();
    let counts = WakeCounts::default();
    let (a, b) = thread::scope(|s| {
        let a = s.spawn(|| std::iter::from_fn(|| mailbox.pop()).sum::<u64>());
        let b = s.spawn(|| std::iter::from_fn(|| mailbox.pop_counting(&counts)).sum::<u64>());
        for i in 1..=1_000 {
            mailbox.push(i, Notify::One);
        }
        mailbox.close();
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(a + b, triangle(1_000));
    assert_eq!(mailbox.pop(), None, "closed and drained");
}

#[test]
fn notify_all_never_loses_a_turn() {
    // A huge patience: with notify_all, no thread should ever need it.
    let run = take_turns(4, 25, Notify::All, Duration::from_secs(10));
    assert_eq!(run.turns, 100);
    assert!(run.in_order);
    assert_eq!(run.lost_wakeups, 0, "{run:?}");
}

#[test]
fn notify_one_still_finishes_thanks_to_the_timeout() {
    let run = take_turns(3, 5, Notify::One, Duration::from_millis(5));
    assert_eq!(run.turns, 15);
    assert!(run.in_order);
}

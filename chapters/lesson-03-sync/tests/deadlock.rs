//! Claims about deadlock by lock order: detected, never hanging, and
//! impossible with one global order.

use std::sync::{Barrier, Mutex};
use std::thread;
use std::time::Duration;

use lesson_03_sync::deadlock::{Order, collide, stress, try_lock_for};

#[test]
fn try_lock_for_gives_up_or_gets_the_lock() {
    let m = Mutex::new(0);
    let holding = Barrier::new(2);
    let release = Barrier::new(2);
    thread::scope(|s| {
        s.spawn(|| {
            let _held = m.lock().unwrap();
            holding.wait();
            release.wait();
        });
        holding.wait();
        assert!(try_lock_for(&m, Duration::from_millis(20)).is_none());
        release.wait();
        assert!(try_lock_for(&m, Duration::from_secs(5)).is_some());
    });
}

#[test]
fn opposite_lock_orders_deadlock_and_the_deadlock_is_detected() {
    let run = collide(Order::AsCalled, Duration::from_millis(800));
    assert!(run.detected_after().is_some(), "{run:?}");
    assert!(run.detected_after().unwrap() >= Duration::from_millis(800));
    assert_eq!(
        run.total_after, run.total_before,
        "money appeared or vanished"
    );
}

#[test]
fn one_global_order_never_deadlocks() {
    let run = collide(Order::ById, Duration::from_secs(2));
    assert!(run.sides.iter().all(|s| s.outcome.is_ok()), "{run:?}");
    assert_eq!(run.total_after, run.total_before);
}

#[test]
fn ordered_stress_has_no_deadlocks_and_keeps_the_total() {
    let run = stress(
        Order::ById,
        4,
        100,
        3,
        Duration::from_micros(10),
        Duration::from_secs(5),
    );
    assert_eq!(run.deadlocks, 0);
    assert_eq!(run.total_after, run.total_before);
}

#[test]
fn unordered_stress_backs_off_and_still_finishes() {
    let run = stress(
        Order::AsCalled,
        2,
        50,
        2,
        Duration::from_micros(50),
        Duration::from_millis(5),
    );
    assert_eq!(run.transfers, 100);
    assert_eq!(run.total_after, run.total_before);
}

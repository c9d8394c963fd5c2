//! Claims about the counting semaphore.

use std::sync::Barrier;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use course_support::InFlight;
use lesson_03_sync::semaphore::{Semaphore, download_all};

const PATIENCE: Duration = Duration::from_secs(5);

#[test]
fn the_bound_holds_under_stress() {
    let sem = Semaphore::new(3);
    let gauge = InFlight::default();
    thread::scope(|s| {
        for _ in 0..16 {
            s.spawn(|| {
                for _ in 0..200 {
                    let _permit = sem.acquire();
                    gauge.track(thread::yield_now);
                }
            });
        }
    });
    assert!(gauge.peak() <= 3, "{} inside at once", gauge.peak());
    assert_eq!(sem.available(), 3, "every permit came back");
}

#[test]
fn all_permits_can_be_in_use_at_once() {
    let sem = Semaphore::new(4);
    let gauge = InFlight::default();
    let deadline = Instant::now() + PATIENCE;
    thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                let _permit = sem.acquire();
                gauge.track(|| {
                    while gauge.peak() < 4 && Instant::now() < deadline {
                        thread::sleep(Duration::from_millis(1));
                    }
                });
            });
        }
    });
    assert_eq!(gauge.peak(), 4);
}

#[test]
fn a_waiter_blocks_until_a_permit_comes_back() {
    let sem = Semaphore::new(1);
    let held = sem.acquire();
    assert!(sem.try_acquire().is_none());
    let (tx, rx) = mpsc::channel();
    let ready = Barrier::new(2);
    thread::scope(|s| {
        s.spawn(|| {
            ready.wait();
            let _permit = sem.acquire();
            tx.send(()).unwrap();
        });
        ready.wait();
        assert!(
            rx.recv_timeout(Duration::from_millis(100)).is_err(),
            "acquire returned while the only permit was held"
        );
        drop(held);
        assert!(
            rx.recv_timeout(PATIENCE).is_ok(),
            "the waiter was not woken when the permit came back"
        );
    });
    assert_eq!(sem.available(), 1);
}

#[test]
fn try_acquire_and_timeouts() {
    let sem = Semaphore::new(2);
    let a = sem.try_acquire().expect("2 free");
    let b = sem.try_acquire().expect("1 free");
    assert!(sem.try_acquire().is_none());
    assert_eq!(sem.available(), 0);
    assert!(sem.acquire_timeout(Duration::from_millis(20)).is_none());
    drop(a);
    assert!(sem.acquire_timeout(Duration::from_millis(20)).is_some());
    drop(b);
    assert_eq!(sem.available(), 2);
}

#[test]
fn a_panicking_holder_still_gives_its_permit_back() {
    let sem = Semaphore::new(1);
    thread::scope(|s| {
        let crashed = s.spawn(|| {
            let _permit = sem.acquire();
            lesson_03_sync::lock::quiet_panic("boom");
        });
        assert!(crashed.join().is_err());
    });
    assert_eq!(sem.available(), 1);
    assert!(sem.try_acquire().is_some());
}

#[test]
fn downloads_never_exceed_the_limit() {
    let limited = download_all(10, Some(3), Duration::from_millis(5));
    assert!(limited.max_in_flight <= 3, "{limited:?}");
    assert!(limited.max_in_flight >= 1);
    let free = download_all(6, None, Duration::from_millis(1));
    assert!(free.max_in_flight <= 6, "{free:?}");
}

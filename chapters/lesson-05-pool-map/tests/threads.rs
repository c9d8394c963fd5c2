//! The thread pool: `par_map` keeps input order, runs every item once,
//! really in parallel and never on more than `workers` threads;
//! `imap_unordered` yields in completion order and reports panics.

mod common;

use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use common::{Arrivals, Rendezvous, within};
use course_support::InFlight;
use lesson_05_pool_map::order::{in_order, indexed};
use lesson_05_pool_map::threads::{imap_unordered, par_map};

#[test]
fn par_map_returns_input_order_even_when_later_items_finish_first() {
    let items: Vec<u64> = (0..12).collect();
    for chunk in [1, 2, 5, 12, 100] {
        let out = par_map(&items, 3, chunk, |&i| {
            thread::sleep(Duration::from_millis(2 * (12 - i)));
            i * 10
        });
        let expected: Vec<u64> = items.iter().map(|i| i * 10).collect();
        assert_eq!(out, expected, "chunk {chunk}");
    }
}

#[test]
fn par_map_runs_every_item_exactly_once_for_any_chunk_size() {
    for chunk in [1, 3, 7, 50, 51, 1_000] {
        let runs: Vec<AtomicUsize> = (0..50).map(|_| AtomicUsize::new(0)).collect();
        let items: Vec<usize> = (0..50).collect();
        let out = par_map(&items, 4, chunk, |&i| {
            runs[i].fetch_add(1, Ordering::SeqCst)
        });
        assert_eq!(out.len(), 50);
        for (i, r) in runs.iter().enumerate() {
            assert_eq!(r.load(Ordering::SeqCst), 1, "chunk {chunk}: item {i}");
        }
    }
    let none: Vec<u8> = par_map(&[] as &[u8], 4, 3, |_| unreachable!("no items"));
    assert!(none.is_empty());
}

#[test]
fn par_map_really_runs_items_at_the_same_time() {
    let meet = Rendezvous::new(2);
    let met = par_map(&[0, 1], 2, 1, |_| meet.arrive(common::GENEROUS));
    assert_eq!(met, [true, true], "two workers were never inside f at once");
}

#[test]
fn par_map_never_runs_more_than_workers_items_at_once() {
    let gauge = InFlight::default();
    let items: Vec<u32> = (0..40).collect();
    par_map(&items, 3, 1, |_| {
        gauge.track(|| thread::sleep(Duration::from_millis(2)))
    });
    assert!(gauge.peak() <= 3, "peak {} with 3 workers", gauge.peak());
}

#[test]
fn a_panic_in_par_map_reaches_the_caller() {
    let items: Vec<i32> = (0..10).collect();
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        par_map(&items, 2, 1, |&i| {
            assert!(i != 6, "item 6 is bad");
            i
        })
    }));
    let payload = result.expect_err("the panic must reach the caller");
    let message = lesson_05_pool_map::threads::panic_message(&*payload);
    assert!(message.contains("item 6 is bad"), "{message}");
}

#[test]
fn imap_unordered_yields_a_slow_first_item_last() {
    let order = within("imap_unordered", || {
        // Item 0 finishes only once the caller has received the 9 others.
        let received = Arc::new(Arrivals::default());
        let r = received.clone();
        let f = move |i: usize| {
            if i == 0 {
                assert!(
                    r.wait_for(9, common::GENEROUS),
                    "the other results never arrived"
                );
            }
            i
        };
        imap_unordered((0..10).collect(), 2, 1, f)
            .map(|o| {
                received.arrive();
                o.unwrap().0
            })
            .collect::<Vec<_>>()
    });
    assert_eq!(order.last(), Some(&0), "item 0 should come last: {order:?}");
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..10).collect::<Vec<_>>());
}

#[test]
fn imap_unordered_returns_every_item_exactly_once() {
    for chunk in [1, 4, 7, 200, 500] {
        let got = within("imap_unordered", move || {
            imap_unordered((0..200u64).collect(), 4, chunk, |i| i * i)
                .map(Result::unwrap)
                .collect::<Vec<_>>()
        });
        assert_eq!(got.len(), 200, "chunk {chunk}");
        let mut seen = [false; 200];
        for (i, square) in got {
            assert!(!seen[i], "chunk {chunk}: item {i} twice");
            seen[i] = true;
            assert_eq!(square, (i * i) as u64);
        }
    }
}

#[test]
fn imap_unordered_hands_over_results_while_others_still_run() {
    // Item 0 only finishes once the caller has received another result:
    // results that were collected until the end would wait forever.
    let streamed = within("imap_unordered streaming", || {
        let got_one = Arc::new(AtomicBool::new(false));
        let flag = got_one.clone();
        let mut results = imap_unordered((0..4).collect(), 2, 1, move |i: usize| {
            if i == 0 {
                for _ in 0..2_000 {
                    if flag.load(Ordering::SeqCst) {
                        return true;
                    }
                    thread::sleep(Duration::from_millis(5));
                }
                return false;
            }
            true
        });
        let first = results.next().unwrap().unwrap();
        got_one.store(true, Ordering::SeqCst);
        let rest: Vec<_> = results.map(Result::unwrap).collect();
        std::iter::once(first).chain(rest).all(|(_, ok)| ok)
    });
    assert!(streamed, "item 0 never saw the caller receive a result");
}

#[test]
fn a_panicking_item_is_reported_and_the_others_still_arrive() {
    let (ok, errors) = within("imap_unordered with a panic", || {
        let outcomes: Vec<_> = imap_unordered((0..20).collect(), 3, 2, |i: i32| {
            assert!(i != 7, "item 7 is bad");
            i
        })
        .collect();
        let (ok, errors): (Vec<_>, Vec<_>) = outcomes.into_iter().partition(Result::is_ok);
        (
            ok.len(),
            errors
                .into_iter()
                .map(Result::unwrap_err)
                .collect::<Vec<_>>(),
        )
    });
    assert_eq!(ok, 19);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].index, 7);
    assert!(errors[0].message.contains("item 7 is bad"), "{}", errors[0]);
}

#[test]
fn in_order_turns_imap_unordered_into_imap() {
    let arrivals = vec![(2, 'c'), (0, 'a'), (3, 'd'), (1, 'b')];
    assert_eq!(in_order(arrivals).collect::<String>(), "abcd");
    let got: Vec<usize> = within("imap", || {
        let unordered = imap_unordered((0..30).collect(), 3, 1, |i: usize| {
            thread::sleep(Duration::from_millis((30 - i as u64) % 4));
            i
        });
        in_order(unordered.map(indexed))
            .map(Result::unwrap)
            .collect()
    });
    assert_eq!(got, (0..30).collect::<Vec<_>>());
}

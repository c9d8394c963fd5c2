//! rayon: `collect` keeps input order; `par_bridge` + a channel yields in
//! completion order, every item once, panics as errors.

mod common;

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use common::{Arrivals, within};
use lesson_05_pool_map::with_rayon::{imap_unordered, map_ordered, pool};

#[test]
fn collect_keeps_input_order_for_any_min_len() {
    let pool = pool(3).unwrap();
    let items: Vec<u64> = (0..40).collect();
    for min_len in [1, 3, 40, 100] {
        let out = map_ordered(&pool, &items, min_len, |&i| {
            thread::sleep(Duration::from_micros(100 * (40 - i)));
            i + 1
        });
        assert_eq!(out, (1..=40).collect::<Vec<_>>(), "min_len {min_len}");
    }
}

#[test]
fn par_bridge_yields_a_slow_first_item_last() {
    let order = within("par_bridge", || {
        let pool = pool(2).unwrap();
        // Item 0 finishes only once the caller has received the 7 others.
        let received = Arc::new(Arrivals::default());
        let r = received.clone();
        let f = move |i: usize| {
            if i == 0 {
                assert!(
                    r.wait_for(7, common::GENEROUS),
                    "the other results never arrived"
                );
            }
            i
        };
        imap_unordered(&pool, 0..8, f)
            .map(|o| {
                received.arrive();
                o.unwrap().0
            })
            .collect::<Vec<_>>()
    });
    assert_eq!(order.len(), 8, "{order:?}");
    assert_eq!(order.last(), Some(&0), "item 0 should come last: {order:?}");
}

#[test]
fn par_bridge_returns_every_item_exactly_once_and_reports_panics() {
    let outcomes = within("par_bridge", || {
        let pool = pool(3).unwrap();
        imap_unordered(&pool, (0..300).collect::<Vec<i64>>(), |i| {
            assert!(i != 123, "item 123 is bad");
            i * 2
        })
        .collect::<Vec<_>>()
    });
    let mut seen = vec![0; 300];
    for o in &outcomes {
        match o {
            Ok((i, v)) => {
                seen[*i] += 1;
                assert_eq!(*v, 2 * *i as i64);
            }
            Err(e) => {
                assert_eq!(e.index, 123);
                assert!(e.message.contains("item 123 is bad"), "{e}");
                seen[e.index] += 1;
            }
        }
    }
    assert!(
        seen.iter().all(|&n| n == 1),
        "every item exactly once: {seen:?}"
    );
}

#![cfg(feature = "model")]
//! Model-checked tests for `exact-counter`: the loom model checker runs each
//! body once per interleaving of the threads your function starts (and, for
//! atomics, once per value each load may see under its ordering), so an
//! update that is lost in one schedule out of a million is lost here every
//! time.
//!
//! Run: `cargo test --release -p exact-counter --features model --test model`.

use exact_counter::{count_with_fetch_add, count_with_local_sums, count_with_mutex};
use model_sync::model;

/// Two items, both matching, one per thread: the count is 2 in every
/// interleaving of the two threads.
const ITEMS: [u64; 2] = [1, 2];

#[test]
fn model_mutex_count_is_exact() {
    model(|| {
        assert_eq!(
            count_with_mutex(&ITEMS, 2, |_| true),
            2,
            "an update was lost: one thread's add overwrote the other's. Read, add and \
             write under ONE lock guard (`*count.lock().unwrap() += 1`), not a read under \
             one lock and a write under another"
        );
    });
}

#[test]
fn model_fetch_add_count_is_exact() {
    model(|| {
        assert_eq!(
            count_with_fetch_add(&ITEMS, 2, |_| true),
            2,
            "an update was lost: a thread read the counter, the other thread added to it, \
             then the first wrote back what it read plus 1. A `load` then a `store` is two \
             steps; `fetch_add` is one"
        );
    });
}

#[test]
fn model_local_sums_count_is_exact() {
    model(|| {
        assert_eq!(
            count_with_local_sums(&ITEMS, 2, |_| true),
            2,
            "the threads' counts do not add up to the number of matches"
        );
    });
}

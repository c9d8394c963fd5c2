#![cfg(feature = "model")]
//! The lesson's counters under the loom model checker: two threads, one
//! increment each, in every interleaving (up to model_sync's preemption
//! bound). The exact fixes count 2 in all of them; the racy load-then-store
//! loses an update in one, which loom finds every time, where a stress run
//! finds it only when the machine happens to switch threads at the wrong moment.
//!
//! Run: `cargo test --release -p lesson-02-data-race --features model --test model`.

use lesson_02_data_race::fixes::{
    atomic_count, local_sums_count, mutex_count, neighbour_counters, padded_counters,
};
use lesson_02_data_race::lost_update::racy_count;
use model_sync::model;

#[test]
fn mutex_count_is_exact_in_every_interleaving() {
    model(|| assert_eq!(mutex_count(2, 1), 2));
}

#[test]
fn fetch_add_count_is_exact_in_every_interleaving() {
    model(|| assert_eq!(atomic_count(2, 1), 2));
}

#[test]
fn local_sums_count_is_exact_in_every_interleaving() {
    model(|| assert_eq!(local_sums_count(2, 1), 2));
}

#[test]
fn neighbour_and_padded_counters_are_exact_in_every_interleaving() {
    model(|| {
        assert_eq!(neighbour_counters(2, 1), 2);
        assert_eq!(padded_counters(2, 1), 2);
    });
}

/// The lost update: loom must find the interleaving where both threads
/// load 0 and both store 1.
#[test]
#[should_panic(expected = "lost an update")]
fn racy_load_then_store_loses_an_update_in_some_interleaving() {
    model(|| {
        let trial = racy_count(2, 1, false);
        assert_eq!(
            trial.lost(),
            0,
            "the racy counter lost an update: {trial:?}"
        );
    });
}

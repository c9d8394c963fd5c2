//! Claims about the three fixes: each is exact, even under stress.

use lesson_02_data_race::fixes::{
    atomic_count, local_sums_count, mutex_count, neighbour_counters, padded_counters, plain_loop,
};
use lesson_02_data_race::together;

const THREADS: usize = 16;
const INCREMENTS: u64 = 100_000;
const EXACT: u64 = THREADS as u64 * INCREMENTS;

#[test]
fn mutex_is_exact_under_stress() {
    assert_eq!(mutex_count(THREADS, INCREMENTS), EXACT);
}

#[test]
fn fetch_add_is_exact_under_stress() {
    assert_eq!(atomic_count(THREADS, INCREMENTS), EXACT);
}

#[test]
fn local_sums_are_exact_under_stress() {
    assert_eq!(local_sums_count(THREADS, INCREMENTS), EXACT);
}

#[test]
fn neighbouring_atomics_are_exact_too() {
    // False sharing costs time, never correctness.
    assert_eq!(neighbour_counters(THREADS, INCREMENTS), EXACT);
    assert_eq!(padded_counters(THREADS, INCREMENTS), EXACT);
}

#[test]
fn the_seed_workload_is_exact_every_time() {
    for _ in 0..20 {
        assert_eq!(mutex_count(10, 1_000), 10_000);
        assert_eq!(atomic_count(10, 1_000), 10_000);
        assert_eq!(local_sums_count(10, 1_000), 10_000);
    }
}

#[test]
fn baseline_counts_too() {
    assert_eq!(plain_loop(1_000_000), 1_000_000);
    assert_eq!(plain_loop(0), 0);
}

/// `together` really runs its threads at the same time: each waits until all
/// have arrived, which would hang (the test would time out) if they ran one
/// after another. It returns results in thread order.
#[test]
fn together_runs_all_threads_at_once_and_keeps_order() {
    let arrived = std::sync::Barrier::new(8);
    let ids = together(8, |i| {
        arrived.wait();
        i
    });
    assert_eq!(ids, (0..8).collect::<Vec<_>>());
    assert!(together(0, |i| i).is_empty());
}

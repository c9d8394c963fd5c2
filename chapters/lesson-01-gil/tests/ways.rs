//! Share-nothing workers: every number is received exactly once, as a copy,
//! and the count matches threads that share one slice.

use course_support::count_primes;
use lesson_01_gil::no_gil::count_primes_shared;
use lesson_01_gil::ways::{WAYS, count_primes_isolated};

#[test]
fn isolated_workers_count_the_same_primes_as_shared_threads() {
    let numbers: Vec<u64> = (1_000..41_000).collect();
    let expected = count_primes(1_000..41_000);
    for workers in [1, 2, 3, 5] {
        let reports = count_primes_isolated(&numbers, 7, workers);
        let total: u64 = reports.iter().map(|r| r.primes).sum();
        assert_eq!(total, expected, "{workers} workers");
        assert_eq!(count_primes_shared(&numbers, workers), expected);
    }
}

#[test]
fn every_number_is_received_once_and_blocks_are_dealt_in_turn() {
    let numbers: Vec<u64> = (0..10_000).collect();
    let reports = count_primes_isolated(&numbers, 8, 3);
    assert_eq!(reports.len(), 3, "one report per worker");
    let workers: Vec<usize> = reports.iter().map(|r| r.worker).collect();
    assert_eq!(workers, [0, 1, 2]);
    let received: usize = reports.iter().map(|r| r.numbers).sum();
    assert_eq!(received, numbers.len());
    // 8 blocks dealt to 3 workers in turn: 3, 3 and 2.
    let blocks: Vec<usize> = reports.iter().map(|r| r.blocks).collect();
    assert_eq!(blocks, [3, 3, 2]);
}

#[test]
fn a_worker_with_nothing_to_do_still_reports() {
    let reports = count_primes_isolated(&[2, 3, 4], 1, 4);
    assert_eq!(reports.len(), 4);
    assert_eq!(reports.iter().map(|r| r.primes).sum::<u64>(), 2);
    assert_eq!(reports.iter().filter(|r| r.blocks == 0).count(), 3);
}

#[test]
fn the_table_has_the_four_ways_in_order() {
    let names: Vec<&str> = WAYS.iter().map(|w| w.way).collect();
    assert_eq!(
        names,
        [
            "GIL threads",
            "free-threaded threads",
            "subinterpreters",
            "processes"
        ]
    );
}

//! Claims about scoped threads.

use std::sync::Arc;

use lesson_03_sync::scoped::{scale_in_place, sum_scoped, sum_with_arc};
use lesson_03_sync::triangle;

#[test]
fn both_ways_add_up_the_same() {
    let numbers: Vec<u64> = (1..=10_001).collect();
    for threads in [1, 2, 3, 8, 64] {
        assert_eq!(sum_scoped(&numbers, threads), triangle(10_001));
        assert_eq!(
            sum_with_arc(Arc::new(numbers.clone()), threads),
            triangle(10_001)
        );
    }
    assert_eq!(sum_scoped(&[], 4), 0);
}

#[test]
fn scoped_threads_change_a_local_vec_in_place() {
    let mut numbers: Vec<u64> = (0..1_000).collect();
    let used = scale_in_place(&mut numbers, 3, 3);
    assert_eq!(used, 3);
    assert!(numbers.iter().enumerate().all(|(i, &n)| n == 3 * i as u64));
}

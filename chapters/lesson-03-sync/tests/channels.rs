//! Claims about the crossbeam fan-in with select!.

use std::time::Duration;

use lesson_03_sync::channels::fan_in;

#[test]
fn every_result_arrives_and_the_loop_ends_on_disconnect() {
    let run = fan_in(
        3,
        30,
        1_000,
        Duration::from_millis(1),
        Duration::from_secs(30),
    );
    assert!(!run.deadline_passed);
    assert_eq!(run.results, 30);
    assert_eq!(run.primes, course_support::count_primes(0..30_000));
}

#[test]
fn the_deadline_arm_stops_the_collector_and_the_workers() {
    // Far more work than fits before the deadline.
    let run = fan_in(
        2,
        10_000,
        50_000,
        Duration::from_millis(1),
        Duration::from_millis(20),
    );
    assert!(run.deadline_passed);
    assert!(run.results < 10_000, "{run:?}");
}

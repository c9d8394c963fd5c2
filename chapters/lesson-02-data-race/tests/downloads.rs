//! Claims about the download total.

use std::thread;
use std::time::{Duration, Instant};

use lesson_02_data_race::downloads::{
    InFlight, Page, Shape, compare, expected_total, page_size, pages, simulated_fetch,
    total_from_joins, total_lock_held_during_fetch, total_sequential, total_with_lock,
};

#[test]
fn sizes_are_deterministic_and_plausible() {
    let a = pages(50);
    let b = pages(50);
    assert_eq!(a, b);
    for p in &a {
        let size = page_size(p);
        assert!((1_000..100_000).contains(&size), "{size}");
        assert_eq!(simulated_fetch(p, Duration::ZERO), size);
    }
}

#[test]
fn every_shape_computes_the_exact_total() {
    let pages = pages(40);
    let exact = expected_total(&pages);
    let fetch = |p: &Page| {
        thread::yield_now();
        page_size(p)
    };
    assert_eq!(total_sequential(&pages, fetch), exact);
    assert_eq!(total_with_lock(&pages, fetch), exact);
    assert_eq!(total_lock_held_during_fetch(&pages, fetch), exact);
    assert_eq!(total_from_joins(&pages, fetch), exact);
    assert_eq!(total_from_joins(&[], fetch), 0);
}

/// A fetch that stays in flight until `want` fetches are in flight together
/// (or a generous deadline passes, so a wrong shape fails instead of hanging).
fn overlapping_fetch(
    gauge: &InFlight,
    want: usize,
    deadline: Instant,
) -> impl Fn(&Page) -> usize + Sync {
    move |p| {
        gauge.track(|| {
            while gauge.peak() < want && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(1));
            }
            page_size(p)
        })
    }
}

#[test]
fn lock_around_the_add_lets_all_downloads_overlap() {
    let pages = pages(8);
    let gauge = InFlight::default();
    let deadline = Instant::now() + Duration::from_secs(5);
    let total = total_with_lock(&pages, overlapping_fetch(&gauge, 8, deadline));
    assert_eq!(total, expected_total(&pages));
    assert_eq!(
        gauge.peak(),
        8,
        "all 8 downloads should be in flight at once"
    );
}

#[test]
fn sum_of_joins_lets_all_downloads_overlap() {
    let pages = pages(8);
    let gauge = InFlight::default();
    let deadline = Instant::now() + Duration::from_secs(5);
    let total = total_from_joins(&pages, overlapping_fetch(&gauge, 8, deadline));
    assert_eq!(total, expected_total(&pages));
    assert_eq!(
        gauge.peak(),
        8,
        "all 8 downloads should be in flight at once"
    );
}

#[test]
fn lock_held_during_the_download_serialises_them() {
    let pages = pages(8);
    let gauge = InFlight::default();
    let total = total_lock_held_during_fetch(&pages, |p| {
        gauge.track(|| {
            thread::sleep(Duration::from_millis(2));
            page_size(p)
        })
    });
    assert_eq!(total, expected_total(&pages));
    assert_eq!(gauge.peak(), 1, "the guard admits one download at a time");
}

#[test]
fn compare_reports_every_shape_exactly() {
    let runs = compare(4, Duration::from_millis(5));
    let exact = expected_total(&pages(4));
    assert_eq!(runs.len(), Shape::ALL.len());
    for run in &runs {
        assert_eq!(run.total, exact, "{:?}", run.shape);
        let serial = matches!(run.shape, Shape::Sequential | Shape::LockHeldDuringFetch);
        if serial {
            assert_eq!(run.peak_in_flight, 1, "{:?}", run.shape);
        } else {
            assert!(run.peak_in_flight <= 4, "{:?}", run.shape);
        }
    }
}

//! Claims about the cost table: every row does the same work, every fix is
//! exact, only the racy row may lose updates. (Times are reported, never
//! asserted: they depend on the machine.)

use lesson_02_data_race::cost::{Method, measure, plan};

#[test]
fn every_row_does_the_same_number_of_increments() {
    let rows = measure(4, 20_000);
    assert_eq!(rows.len(), plan(4).len());
    for row in &rows {
        assert_eq!(row.increments, 80_000, "{:?}", row.method);
        assert!(row.counted <= row.increments, "{:?}", row.method);
        assert!(row.ns_per_increment() >= 0.0);
        if row.method != Method::RacyLoadStore {
            assert!(row.exact(), "{:?} lost updates", row.method);
        }
    }
}

#[test]
fn each_fix_is_measured_alone_and_contended() {
    let plan = plan(4);
    for method in [Method::Mutex, Method::FetchAdd] {
        assert!(plan.contains(&(method, 1)), "{method:?} alone");
        assert!(plan.contains(&(method, 4)), "{method:?} contended");
    }
    assert!(plan.contains(&(Method::PlainLoop, 1)));
    assert!(plan.contains(&(Method::LocalSums, 4)));
}

#[cfg(target_os = "linux")]
#[test]
fn sleeps_are_counted_on_linux() {
    let before = lesson_02_data_race::cost::voluntary_sleeps().unwrap();
    // Joining a thread that is still sleeping puts this thread to sleep.
    std::thread::spawn(|| std::thread::sleep(std::time::Duration::from_millis(20)))
        .join()
        .unwrap();
    let after = lesson_02_data_race::cost::voluntary_sleeps().unwrap();
    assert!(after > before, "before {before}, after {after}");
}

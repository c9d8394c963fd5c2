//! Value: a counter in shared memory, incremented by several processes.

mod common;

use common::{assert_all_gone, listed, spawner, within};
use lesson_06_shared_memory::counter::{self, Increment};

#[test]
fn fetch_add_is_exact_across_processes() {
    let run = within("atomic counter", || {
        counter::run(&spawner(), 4, 50_000, Increment::FetchAdd).unwrap()
    });
    assert_eq!(run.expected, 200_000);
    assert_eq!(
        run.counted, 200_000,
        "4 processes x 50,000 fetch_add must count exactly"
    );
    assert_eq!(run.pids.len(), 4);
    assert!(run.pids.iter().all(|&p| p != std::process::id()));
    assert!(!listed(&run.segment), "{} leaked", run.segment);
    assert_all_gone(&run.pids);
}

/// Every store writes one more than some value stored before, so the racy
/// counter can lose increments but never invent any.
#[test]
fn load_then_store_never_overcounts() {
    for how in [Increment::LoadStore, Increment::LoadYieldStore] {
        let run = within("racy counter", move || {
            counter::run(&spawner(), 3, 20_000, how).unwrap()
        });
        assert!(
            run.counted <= run.expected,
            "{how:?}: {} > {}",
            run.counted,
            run.expected
        );
        assert!(
            run.counted >= 20_000,
            "{how:?}: at least one process's worth lands"
        );
        assert!(!listed(&run.segment));
    }
}

/// With a yield between the load and the store, processes overwrite each
/// other's adds. A loss is likely on every run, but the scheduler could
/// run each process alone, so allow a few tries.
#[test]
fn load_yield_store_loses_updates_across_processes() {
    let lost = within("lost updates", || {
        (0..5)
            .map(|_| counter::run(&spawner(), 4, 20_000, Increment::LoadYieldStore).unwrap())
            .find(|r| r.lost() > 0)
    });
    let run = lost.expect("5 runs of 4 racing processes lost no update at all");
    assert!(run.counted < run.expected);
}

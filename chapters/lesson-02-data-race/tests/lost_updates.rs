//! Claims about the racy load-then-store counter.

use lesson_02_data_race::lost_update::{Trial, racy_count, trials};

/// Each store writes one more than a value some earlier store wrote, so the
/// counter can lose increments but never invent them: it never exceeds the
/// number of increments performed.
#[test]
fn racy_counter_never_counts_more_than_the_increments() {
    for widen in [false, true] {
        for trial in trials(10, 1_000, widen, 5) {
            assert_eq!(trial.expected, 10_000);
            assert!(
                trial.counted <= trial.expected,
                "counted {} of {} (widen = {widen})",
                trial.counted,
                trial.expected
            );
            assert!(trial.counted >= 1, "at least the last store lands");
        }
    }
}

/// With the window widened, updates get lost. A loss can't be guaranteed in
/// any single trial: the OS might happen to run each thread's read and write
/// back to back, with no other thread in between (on one idle core it often
/// does). So we allow up to 20 trials; in practice the first one loses
/// thousands of the 10,000 increments.
#[test]
fn widened_window_loses_updates() {
    let first_loss = (0..20)
        .map(|_| racy_count(10, 1_000, true))
        .find(|t| t.lost() > 0);
    let trial = first_loss.expect("20 trials of the widened race lost no update at all");
    assert!(trial.counted < trial.expected);
}

/// One thread alone can't race with anybody: load-then-store is then exact.
#[test]
fn a_single_thread_loses_nothing() {
    for widen in [false, true] {
        let trial = racy_count(1, 10_000, widen);
        assert_eq!(trial.counted, 10_000, "widen = {widen}");
        assert_eq!(trial.lost(), 0);
    }
}

#[test]
fn trial_arithmetic() {
    let t = Trial {
        expected: 10_000,
        counted: 9_000,
    };
    assert_eq!(t.lost(), 1_000);
    assert!((t.lost_percent() - 10.0).abs() < 1e-9);
    assert_eq!(trials(2, 10, false, 3).len(), 3);
}

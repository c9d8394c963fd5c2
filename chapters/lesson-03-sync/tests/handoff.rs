//! The hand-off's stress test (the model-checked tests are in tests/model.rs).
#![cfg(not(feature = "model"))]

use lesson_03_sync::handoff::{Handoff, OneShot, RelaxedHandoffWrong, stress};

#[test]
fn release_acquire_handoff_never_reads_a_stale_value() {
    let run = stress::<Handoff>(200_000);
    assert_eq!(run.rounds, 200_000);
    assert_eq!(run.stale, 0);
}

#[test]
fn one_slot_hands_over_its_value() {
    let slot = RelaxedHandoffWrong::default();
    assert_eq!(slot.take(), None);
    slot.put(7);
    assert_eq!(slot.take(), Some(7));
    let slot = Handoff::default();
    assert_eq!(slot.take(), None);
    slot.put(7);
    assert_eq!(slot.take(), Some(7));
}

#[test]
fn the_wrong_variant_runs_the_stress_test_to_the_end() {
    // It may read stale values on a CPU that reorders stores (or after a
    // compiler that does); on x86 it does not. Either way every round ends.
    let run = stress::<RelaxedHandoffWrong>(200_000);
    assert!(run.stale <= run.rounds);
}

//! Claims about `Mutex`: where a guard ends, poisoning, and recovery.

use std::sync::Mutex;

use lesson_03_sync::lock::{
    Ledger, crash_mid_transfer, guard_scope, lock_ignoring_poison, locked_elsewhere, recover,
    transfer,
};

#[test]
fn a_guard_unlocks_when_it_is_dropped() {
    let shared = Mutex::new(Vec::new());
    let probes = guard_scope(&shared);
    let locked: Vec<bool> = probes.iter().map(|p| p.locked).collect();
    assert_eq!(locked, [true, false, false, true, false], "{probes:?}");
    assert_eq!(*shared.lock().unwrap(), [1, 2, 3]);
    assert!(!locked_elsewhere(&shared));
}

#[test]
fn a_panic_while_locked_poisons_the_mutex() {
    let ledger = Mutex::new(Ledger {
        checking: 100,
        savings: 0,
    });
    transfer(&ledger, 40, false);
    assert_eq!(ledger.lock().unwrap().total(), 100);
    crash_mid_transfer(&ledger, 25);
    assert!(ledger.is_poisoned());
    assert!(ledger.lock().is_err(), "lock() reports the poison");
    // The data is really torn: the money left checking and never arrived.
    let torn = *lock_ignoring_poison(&ledger);
    assert_eq!((torn.checking, torn.savings), (35, 40));
    assert!(!locked_elsewhere(&ledger), "unwinding dropped the guard");
}

#[test]
fn recovery_repairs_and_clears_the_poison() {
    let ledger = Mutex::new(Ledger {
        checking: 100,
        savings: 0,
    });
    crash_mid_transfer(&ledger, 30);
    let r = recover(&ledger, 100);
    assert!(r.poisoned_after_crash);
    assert!(r.lock_returned_err);
    assert_eq!(r.total_seen, 70);
    assert_eq!(r.total_repaired, 100);
    assert!(!r.poisoned_after_clear);
    assert!(
        ledger.lock().is_ok(),
        "after clear_poison, lock() is Ok again"
    );
    assert_eq!(ledger.lock().unwrap().total(), 100);
}

#[test]
fn a_healthy_ledger_needs_no_recovery() {
    let ledger = Mutex::new(Ledger {
        checking: 5,
        savings: 5,
    });
    let r = recover(&ledger, 10);
    assert!(!r.poisoned_after_crash && !r.lock_returned_err);
    assert_eq!((r.total_seen, r.total_repaired), (10, 10));
}

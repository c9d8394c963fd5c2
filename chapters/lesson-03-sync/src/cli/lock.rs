//! `lock`: Python's Lock as a Mutex.

use std::sync::Mutex;

use course_support::report::yes_no;
use course_support::table;
use lesson_03_sync::lock::{self, Ledger};

pub(crate) fn run() {
    println!("Where a MutexGuard ends (asked from another thread with try_lock):");
    let shared = Mutex::new(Vec::new());
    let mut t = table(["place", "locked?"]);
    for probe in lock::guard_scope(&shared) {
        t.add_row([probe.place, yes_no(probe.locked)]);
    }
    println!("{t}");

    println!("\nPoisoning: a thread panics half-way through a transfer, holding the guard.");
    let ledger = Mutex::new(Ledger {
        checking: 100,
        savings: 0,
    });
    lock::transfer(&ledger, 10, false);
    let expected = ledger.lock().unwrap().total();
    lock::crash_mid_transfer(&ledger, 25);
    let r = lock::recover(&ledger, expected);
    let mut t = table(["step", "what happened"]);
    t.add_row([
        "after the panic".to_owned(),
        format!("is_poisoned() = {}", r.poisoned_after_crash),
    ]);
    t.add_row([
        "next lock()".to_owned(),
        if r.lock_returned_err {
            "Err(PoisonError): the data may be half-updated".to_owned()
        } else {
            "Ok".to_owned()
        },
    ]);
    t.add_row([
        "PoisonError::into_inner()".to_owned(),
        format!(
            "guard anyway; total is {}, should be {expected}",
            r.total_seen
        ),
    ]);
    t.add_row([
        "repair, then clear_poison()".to_owned(),
        format!(
            "total {}; is_poisoned() = {}",
            r.total_repaired, r.poisoned_after_clear
        ),
    ]);
    println!("{t}");
    println!(
        "Python's `with lock:` releases on an exception too, but nobody is told the data is torn."
    );
}

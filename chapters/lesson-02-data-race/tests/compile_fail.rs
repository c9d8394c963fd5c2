//! The racy `counter += 1` from many threads, written the ways a Python
//! programmer would reach for first, does not compile. Each file in `ui/`
//! must fail to build with the error recorded next to it in `ui/*.stderr`.
//!
//! After a compiler upgrade changes the wording, regenerate the expected
//! output with `TRYBUILD=overwrite cargo test -p lesson-02-data-race --test
//! compile_fail` and review the diff.

use std::fs;

#[test]
fn racy_counters_do_not_compile() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}

/// Each case fails for the reason the chapter gives, not for some other
/// mistake: its recorded compiler output names the expected error.
#[test]
fn each_case_fails_for_the_reason_the_book_gives() {
    let expected = [
        (
            "rc_cell_not_send",
            "error[E0277]: `Rc<Cell<u64>>` cannot be sent between threads safely",
        ),
        (
            "arc_cell_not_sync",
            "error[E0277]: `Cell<u64>` cannot be shared between threads safely",
        ),
        (
            "borrow_escapes",
            "error[E0373]: closure may outlive the current function",
        ),
        (
            "two_mutable_borrows",
            "error[E0499]: cannot borrow `counter` as mutable more than once at a time",
        ),
        (
            "static_mut",
            "error[E0133]: use of mutable static is unsafe",
        ),
        (
            "move_copies_counter",
            "error: value captured by `counter` is never read",
        ),
    ];
    for (case, error) in expected {
        let path = format!("{}/tests/ui/{case}.stderr", env!("CARGO_MANIFEST_DIR"));
        let stderr = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            stderr.contains(error),
            "{case}.rs should fail with `{error}`, but its recorded output is:\n{stderr}"
        );
    }
}

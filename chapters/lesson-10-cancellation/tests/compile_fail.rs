//! A `std::sync::MutexGuard` held across `.await` in a spawned task does not
//! compile. After a compiler upgrade changes the wording, regenerate with
//! `TRYBUILD=overwrite cargo test -p lesson-10-cancellation --test compile_fail`.

use std::fs;

#[test]
fn a_guard_across_await_does_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}

#[test]
fn it_fails_for_the_reason_the_book_gives() {
    let stderr = fs::read_to_string("tests/ui/guard_across_await.stderr").unwrap();
    assert!(
        stderr.contains("future cannot be sent between threads safely"),
        "{stderr}"
    );
    assert!(stderr.contains("MutexGuard"), "{stderr}");
    assert!(stderr.contains("await occurs here"), "{stderr}");
}

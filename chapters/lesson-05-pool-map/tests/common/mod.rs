//! Helpers shared by the lesson's tests: nothing here may hang, and nothing
//! may leave a process behind.

#![allow(dead_code, unused_imports)] // each test binary uses a different subset

use std::time::Duration;

use course_support::child::Spawner;

/// Long enough for any healthy run on a loaded machine; a bug fails instead of hanging.
pub const GENEROUS: Duration = Duration::from_secs(20);

/// Children of the lesson binary (inside `cargo test`, `current_exe()` is
/// the test harness, so we name the binary).
pub fn spawner() -> Spawner {
    Spawner::new(env!("CARGO_BIN_EXE_lesson-05-pool-map"))
}

/// Runs `f` on its own thread and fails the test if it has not finished
/// within [`GENEROUS`]: a hang becomes a failure, not a stuck test run.
pub fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    course_support::testing::within(what, GENEROUS, f)
}

pub use course_support::testing::{Arrivals, Rendezvous, assert_all_gone};

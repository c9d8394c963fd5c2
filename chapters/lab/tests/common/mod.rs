//! Helpers shared by the lab's tests: nothing here may hang.

#![allow(dead_code, unused_imports)] // each test binary uses a different subset

use std::path::PathBuf;
use std::thread;
use std::time::Duration;

use course_support::child::Spawner;

/// Long enough for any healthy run on a loaded machine; a bug fails instead of hanging.
pub const GENEROUS: Duration = Duration::from_secs(60);

/// Runs `f` on its own thread and fails the test if it has not finished
/// within [`GENEROUS`]: a hang becomes a failure, not a stuck test run.
pub fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    course_support::testing::within(what, GENEROUS, f)
}

/// Starts worker processes of the lab binary Cargo built for the tests.
pub fn spawner() -> Spawner {
    Spawner::new(env!("CARGO_BIN_EXE_lab"))
}

/// A fresh, empty directory for one test's files.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lab-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

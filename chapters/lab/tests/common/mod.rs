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

/// A fresh, empty directory for one test's files, removed with everything
/// in it when the value is dropped (at the end of the test, also when it
/// fails). Use it as a `Path`; keep it alive while the files are needed.
pub fn scratch(name: &str) -> Scratch {
    let dir = tempfile::Builder::new()
        .prefix(&format!("lab-test-{name}-"))
        .tempdir()
        .expect("a scratch directory");
    Scratch(dir)
}

/// See [`scratch`].
#[derive(Debug)]
pub struct Scratch(tempfile::TempDir);

impl std::ops::Deref for Scratch {
    type Target = std::path::Path;

    fn deref(&self) -> &std::path::Path {
        self.0.path()
    }
}

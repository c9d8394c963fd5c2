//! Helpers shared by the lesson's tests: nothing here may hang, and nothing
//! may leave a process behind.

#![allow(dead_code, unused_imports)] // each test binary uses a different subset

use std::sync::{Condvar, Mutex};
use std::thread;
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

pub use course_support::testing::assert_all_gone;

pub use course_support::testing::Rendezvous;

/// Counts finished items; `wait_for(n)` blocks until `n` are done (or
/// [`GENEROUS`] passes) and says whether they were.
#[derive(Debug, Default)]
pub struct Finished {
    count: Mutex<usize>,
    changed: Condvar,
}

impl Finished {
    pub fn one_more(&self) {
        *self.count.lock().unwrap() += 1;
        self.changed.notify_all();
    }

    pub fn wait_for(&self, n: usize) -> bool {
        let count = self.count.lock().unwrap();
        let (count, _) = self
            .changed
            .wait_timeout_while(count, GENEROUS, |c| *c < n)
            .unwrap();
        *count >= n
    }
}

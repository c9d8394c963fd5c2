//! Helpers shared by the lesson's tests: nothing here may hang, and nothing
//! may leave a process or a segment behind.

#![allow(dead_code, unused_imports)] // each test binary uses a different subset

use std::thread;
use std::time::Duration;

use course_support::child::{Spawner, exists};

/// Long enough for any healthy run on a loaded machine; a bug fails instead of hanging.
pub const GENEROUS: Duration = Duration::from_secs(30);

/// The lesson binary (inside `cargo test`, `current_exe()` is the test harness).
pub const BIN: &str = env!("CARGO_BIN_EXE_lesson-06-shared-memory");

pub fn spawner() -> Spawner {
    Spawner::new(BIN)
}

/// Runs `f` on its own thread and fails the test if it has not finished
/// within [`GENEROUS`]: a hang becomes a failure, not a stuck test run.
pub fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    course_support::testing::within(what, GENEROUS, f)
}

pub use course_support::testing::assert_all_gone;

/// `/dev/shm/<name>` exists.
pub fn listed(name: &str) -> bool {
    lesson_06_shared_memory::segment::exists(name)
}

/// The children of `pid` right now, from /proc (every thread's list).
pub fn children_of(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut kids = Vec::new();
    for task in tasks.flatten() {
        if let Ok(text) = std::fs::read_to_string(task.path().join("children")) {
            kids.extend(
                text.split_whitespace()
                    .filter_map(|p| p.parse::<u32>().ok()),
            );
        }
    }
    kids
}

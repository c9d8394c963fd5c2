//! Helpers shared by the lesson's tests: nothing here may hang, and nothing
//! may leave a process or a segment behind.

#![allow(dead_code)] // each test binary uses a different subset

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

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
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(GENEROUS) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: still running after {GENEROUS:?}, hung?")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("sent nothing without panicking"),
        },
    }
}

/// Every pid is gone: the process ended *and* was reaped (a zombie would
/// still exist). Allows a moment for a kill to land.
pub fn assert_all_gone(pids: &[u32]) {
    let deadline = Instant::now() + Duration::from_secs(5);
    for &pid in pids {
        while exists(pid) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        assert!(!exists(pid), "process {pid} was left behind");
    }
}

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

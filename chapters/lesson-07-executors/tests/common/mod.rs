//! Helpers shared by the lesson's tests: nothing here may hang, and nothing
//! may leave a process behind.

#![allow(dead_code, unused_imports)] // each test binary uses a different subset

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::{Duration, Instant};

use course_support::child::Spawner;

/// Long enough for any healthy run on a loaded machine; a bug fails instead of hanging.
pub const GENEROUS: Duration = Duration::from_secs(20);

/// Worker processes of the lesson binary (inside `cargo test`,
/// `current_exe()` is the test harness, so we name the binary).
pub fn spawner() -> Spawner {
    Spawner::new(env!("CARGO_BIN_EXE_lesson-07-executors"))
}

/// Runs `f` on its own thread and fails the test if it has not finished
/// within [`GENEROUS`]: a hang becomes a failure, not a stuck test run.
pub fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    course_support::testing::within(what, GENEROUS, f)
}

pub use course_support::testing::assert_all_gone;

/// A gate that tasks wait at until the test opens it (or [`GENEROUS`]
/// passes, so a bug can't hang the test).
pub struct Gate {
    open: crossbeam::channel::Sender<()>,
    wait: crossbeam::channel::Receiver<()>,
}

impl Gate {
    pub fn new() -> Self {
        let (open, wait) = crossbeam::channel::bounded(0);
        Gate { open, wait }
    }

    /// For a task: blocks until the gate opens. `true` if it opened,
    /// `false` if it timed out.
    pub fn waiter(&self) -> impl Fn() -> bool + Send + Sync + 'static {
        let wait = self.wait.clone();
        move || {
            matches!(
                wait.recv_timeout(GENEROUS),
                Err(crossbeam::channel::RecvTimeoutError::Disconnected)
            )
        }
    }

    /// Opens it for every waiter, now and later.
    pub fn open(self) {
        drop(self.open);
    }
}

/// Waits (up to [`GENEROUS`]) until `counter` reaches `n`.
pub fn wait_for(counter: &AtomicUsize, n: usize, what: &str) {
    let deadline = Instant::now() + GENEROUS;
    while counter.load(SeqCst) < n {
        assert!(Instant::now() < deadline, "{what}: never got to {n}");
        thread::sleep(Duration::from_millis(1));
    }
}

//! Helpers shared by the lesson's tests: nothing here may hang, and nothing
//! may leave a process behind.

#![allow(dead_code)] // each test binary uses a different subset

use std::sync::mpsc;
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use course_support::child::{Spawner, exists};

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
        assert!(!exists(pid), "worker pid {pid} was left behind");
    }
}

/// A barrier with a timeout: `arrive` returns `true` once `n` threads are
/// inside it together, `false` if that did not happen within [`GENEROUS`].
#[derive(Debug)]
pub struct Rendezvous {
    n: usize,
    arrived: Mutex<usize>,
    all_here: Condvar,
}

impl Rendezvous {
    pub fn new(n: usize) -> Self {
        Self {
            n,
            arrived: Mutex::new(0),
            all_here: Condvar::new(),
        }
    }

    pub fn arrive(&self) -> bool {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.all_here.notify_all();
        let (arrived, _) = self
            .all_here
            .wait_timeout_while(arrived, GENEROUS, |a| *a < self.n)
            .unwrap();
        *arrived >= self.n
    }
}

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

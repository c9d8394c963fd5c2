//! Helpers shared by the lesson's tests: nothing here may hang.

#![allow(dead_code)] // each test binary uses a different subset

use std::sync::mpsc;
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::Duration;

/// Long enough for any healthy run on a loaded machine; a bug fails instead of hanging.
pub const GENEROUS: Duration = Duration::from_secs(10);

/// Runs `f` on its own thread and fails the test if it has not finished
/// within [`GENEROUS`]: a deadlock becomes a failure, not a hung test run.
pub fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(GENEROUS) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: still running after {GENEROUS:?}, deadlocked?")
        }
        // The closure panicked: re-raise its panic so the test shows the message.
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("sent nothing without panicking"),
        },
    }
}

/// A barrier with a timeout: `arrive` returns `true` once `n` threads are
/// inside it together, or `false` (and leaves) if that did not happen within `timeout`.
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

    pub fn arrive(&self, timeout: Duration) -> bool {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.all_here.notify_all();
        let (mut arrived, _) = self
            .all_here
            .wait_timeout_while(arrived, timeout, |a| *a < self.n)
            .unwrap();
        if *arrived >= self.n {
            return true;
        }
        *arrived -= 1; // gave up: no longer here
        false
    }
}

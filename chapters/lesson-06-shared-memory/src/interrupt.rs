//! Ctrl-C without a leaked segment.
//!
//! By default SIGINT kills a process on the spot: no destructor runs, so a
//! [`Segment`](crate::segment::Segment) owner would leave its name in
//! `/dev/shm`. [`install`] replaces that with a handler (the `ctrlc` crate
//! runs it on a thread of its own, where ordinary code is allowed) that
//!
//! 1. unlinks every segment this process owns, at once, and refuses new ones;
//! 2. raises a flag that the main thread polls ([`check`]) between steps, so
//!    it returns an error, unwinds, and its guards kill and reap the children;
//! 3. exits with code 130 after [`GRACE`] if the main thread has not finished
//!    by then (children notice the closed pipe, or their parent's death, and
//!    exit by themselves).
//!
//! SIGTERM and SIGHUP get the same treatment (ctrlc's `termination`
//! feature). SIGKILL cannot be caught: see
//! [`Segment::unlink_now`](crate::segment::Segment::unlink_now) for the
//! defence against that one.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::Duration;

use crate::segment;

/// How long the main thread gets to clean up after Ctrl-C.
pub const GRACE: Duration = Duration::from_secs(2);

/// The exit code of a program ended by Ctrl-C (128 + SIGINT).
pub const EXIT_CODE: u8 = 130;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The error the main thread returns once Ctrl-C has been pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

// ANCHOR: install
/// Installs the handler (once per process).
pub fn install() -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(|| {
        INTERRUPTED.store(true, SeqCst);
        let removed = segment::unlink_all_and_close();
        eprintln!(
            "\ninterrupted: unlinked {} shared-memory segment(s){}",
            removed.len(),
            if removed.is_empty() {
                String::new()
            } else {
                format!(" ({})", removed.join(", "))
            }
        );
        // The main thread normally finishes first, and the process ends with it.
        std::thread::sleep(GRACE);
        std::process::exit(i32::from(EXIT_CODE));
    })
}
// ANCHOR_END: install

/// Has Ctrl-C been pressed?
pub fn interrupted() -> bool {
    INTERRUPTED.load(SeqCst)
}

/// `Err(Interrupted)` once Ctrl-C has been pressed: call it between steps.
pub fn check() -> Result<(), Interrupted> {
    if interrupted() {
        Err(Interrupted)
    } else {
        Ok(())
    }
}

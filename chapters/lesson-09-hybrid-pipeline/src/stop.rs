//! Asking a running pipeline to stop: one flag that Ctrl-C, a test, or the
//! pipeline itself can raise, and every stage can read.
//!
//! [`StopSignal`] is a small cancellation token (tokio-util's
//! `CancellationToken` does the same) built on a `tokio::sync::watch`
//! channel: synchronous code reads it with [`StopSignal::is_triggered`],
//! async code can await [`StopSignal::triggered`]. Clones share one flag.
//!
//! Stopping is *graceful*: the fetch stage starts no new request, the
//! requests already in flight finish, and every item already fetched goes
//! through the CPU stage and into the aggregate. Nothing is dropped half
//! done, so the partial result is exact for the items it covers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::Duration;

use tokio::sync::watch;

/// The exit code of a program stopped by Ctrl-C (128 + SIGINT), as shells report it.
pub const EXIT_INTERRUPTED: u8 = 130;

// ANCHOR: stop_signal
/// A shared "please stop" flag; clones raise and read the same flag. A
/// [`child`](StopSignal::child) also counts as raised when its parent is.
#[derive(Debug, Clone)]
pub struct StopSignal {
    flag: Arc<watch::Sender<bool>>,
    parent: Option<Box<StopSignal>>,
}

impl Default for StopSignal {
    fn default() -> Self {
        Self::new()
    }
}

impl StopSignal {
    /// A flag that is not raised.
    pub fn new() -> Self {
        Self {
            flag: Arc::new(watch::Sender::new(false)),
            parent: None,
        }
    }

    /// A new flag that is raised on its own or together with this one:
    /// stopping the child leaves the parent alone.
    pub fn child(&self) -> Self {
        Self {
            flag: Arc::new(watch::Sender::new(false)),
            parent: Some(Box::new(self.clone())),
        }
    }

    /// Raises the flag (again is harmless). Callable from any thread,
    /// including a signal-handling thread.
    pub fn trigger(&self) {
        self.flag.send_replace(true);
    }

    /// Has it (or its parent) been raised?
    pub fn is_triggered(&self) -> bool {
        *self.flag.borrow() || self.parent.as_ref().is_some_and(|p| p.is_triggered())
    }

    /// Completes once the flag (or its parent) is raised; at once if it already is.
    pub async fn triggered(&self) {
        let mut seen = self.flag.subscribe();
        // `wait_for` fails only if the sender were gone, and we hold it.
        let own = async move {
            let _ = seen.wait_for(|&raised| raised).await;
        };
        match &self.parent {
            None => own.await,
            Some(parent) => {
                let parent = Box::pin(parent.triggered());
                tokio::select! {
                    _ = own => {}
                    _ = parent => {}
                }
            }
        }
    }
}
// ANCHOR_END: stop_signal

// ANCHOR: ctrl_c
/// Makes Ctrl-C (SIGINT, and SIGTERM) raise `stop` instead of killing the
/// process: the pipeline drains and the program prints what it has. A
/// second Ctrl-C, for the impatient, exits at once with code 130.
pub fn install_ctrl_c(stop: &StopSignal) -> Result<(), ctrlc::Error> {
    let stop = stop.clone();
    let pressed_before = AtomicBool::new(false);
    ctrlc::set_handler(move || {
        if pressed_before.swap(true, SeqCst) {
            eprintln!("\nsecond Ctrl-C: exiting at once");
            std::process::exit(i32::from(EXIT_INTERRUPTED));
        }
        eprintln!(
            "\nCtrl-C: no new fetches; draining the items in flight (Ctrl-C again to quit at once)"
        );
        stop.trigger();
    })
}
// ANCHOR_END: ctrl_c

/// Raises `stop` after `delay`, from a thread of its own; the returned
/// handle ends when it has. For demos and tests of the same path Ctrl-C takes.
pub fn trigger_after(stop: &StopSignal, delay: Duration) -> std::thread::JoinHandle<()> {
    let stop = stop.clone();
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        stop.trigger();
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_flag() {
        let a = StopSignal::new();
        let b = a.clone();
        assert!(!b.is_triggered());
        a.trigger();
        assert!(b.is_triggered());
        a.trigger();
        assert!(b.is_triggered(), "raising twice is harmless");
    }

    #[test]
    fn awaiting_wakes_when_raised_from_another_thread() {
        let stop = StopSignal::new();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let raiser = trigger_after(&stop, Duration::from_millis(20));
        rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(10), stop.triggered())
                .await
                .expect("the flag was raised: the waiter must wake");
        });
        raiser.join().unwrap();
        // Already raised: completes at once.
        rt.block_on(stop.triggered());
    }

    #[test]
    fn a_child_stops_with_its_parent_but_not_the_other_way() {
        let parent = StopSignal::new();
        let child = parent.child();
        child.trigger();
        assert!(child.is_triggered() && !parent.is_triggered());

        let child = parent.child();
        assert!(!child.is_triggered());
        parent.trigger();
        assert!(
            child.is_triggered(),
            "raising the parent raises its children"
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(10), child.triggered())
                .await
                .expect("the child's waiter wakes when the parent is raised");
        });
    }
}

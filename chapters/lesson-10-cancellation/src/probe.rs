//! A task's life seen from outside, for the demos and tests: did it start,
//! did it reach the end of its body, did its cleanup (`Drop`) run; and how
//! many tasks are alive right now.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// What one piece of async work went through.
#[derive(Debug, Default)]
pub struct Probe {
    started: AtomicBool,
    reached_end: AtomicBool,
    cleaned_up: AtomicBool,
}

impl Probe {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }
    pub fn started(&self) -> bool {
        self.started.load(Ordering::SeqCst)
    }
    /// The code after the last `.await` ran.
    pub fn reached_end(&self) -> bool {
        self.reached_end.load(Ordering::SeqCst)
    }
    /// The work's local values were dropped: a `finally` block ran.
    pub fn cleaned_up(&self) -> bool {
        self.cleaned_up.load(Ordering::SeqCst)
    }
}

/// Sets `cleaned_up` when dropped: Rust's `finally`.
#[derive(Debug)]
pub struct Cleanup(Arc<Probe>);

impl Cleanup {
    /// Marks the start of some work and arms its cleanup flag.
    pub fn begin(probe: &Arc<Probe>) -> Self {
        probe.started.store(true, Ordering::SeqCst);
        Cleanup(probe.clone())
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        self.0.cleaned_up.store(true, Ordering::SeqCst);
    }
}

// ANCHOR: work
/// Work that waits `ms`, then marks its end. If it is cancelled, it stops at
/// the `.await` and its locals are dropped: `cleanup` runs, the last line
/// does not.
pub async fn work(probe: Arc<Probe>, ms: u64) {
    let _cleanup = Cleanup::begin(&probe); // its Drop runs on return *and* on cancel
    tokio::time::sleep(Duration::from_millis(ms)).await; // a cancel stops here
    probe.reached_end.store(true, Ordering::SeqCst);
}
// ANCHOR_END: work

/// Marks the end without an `.await` in between: for work that blocks.
pub fn mark_end(probe: &Probe) {
    probe.reached_end.store(true, Ordering::SeqCst);
}

/// Counts live tasks: each holds an [`Alive`] guard for as long as it lives.
#[derive(Debug, Clone, Default)]
pub struct Census(Arc<AtomicUsize>);

/// One live task; dropped when the task ends, however it ends.
#[derive(Debug)]
pub struct Alive(Arc<AtomicUsize>);

impl Census {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn enter(&self) -> Alive {
        self.0.fetch_add(1, Ordering::SeqCst);
        Alive(self.0.clone())
    }
    pub fn alive(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

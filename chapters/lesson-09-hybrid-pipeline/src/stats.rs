//! Counting what each stage did: items in and out, errors, and how long its
//! workers were busy, blocked, or idle.
//!
//! A stage with `w` workers that ran for `wall` seconds had `w × wall`
//! worker-seconds to spend. The share it spent working is its
//! **utilisation**; the rest it spent *blocked* (a fetch slot holding a body
//! while the channel is full) or *idle* (a CPU thread waiting for input).
//! A stage whose items take `t` each can finish at most `w / t` items per
//! second: its **limit**. In a pipeline every item passes every stage, so
//! the pipeline can go no faster than its slowest stage's limit.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

use course_support::{Table, table};

// ANCHOR: meter
/// The live counters of one stage, updated by its workers.
#[derive(Debug, Default)]
pub struct StageMeter {
    taken: AtomicUsize,
    done: AtomicUsize,
    failed: AtomicUsize,
    busy_ns: AtomicU64,
    blocked_ns: AtomicU64,
}

impl StageMeter {
    /// A worker took an item.
    pub fn take(&self) {
        self.taken.fetch_add(1, SeqCst);
    }

    /// A worker passed an item on to the next stage.
    pub fn done(&self) {
        self.done.fetch_add(1, SeqCst);
    }

    /// A worker gave up on an item (an error).
    pub fn fail(&self) {
        self.failed.fetch_add(1, SeqCst);
    }

    /// Runs `f`, counting its time as busy.
    pub fn busy<T>(&self, f: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let value = f();
        self.add_busy(started.elapsed());
        value
    }

    /// Counts `d` as busy (for work that was awaited, not called).
    pub fn add_busy(&self, d: Duration) {
        self.busy_ns.fetch_add(nanos(d), SeqCst);
    }

    /// Counts `d` as blocked: holding a finished item, waiting for room downstream.
    pub fn add_blocked(&self, d: Duration) {
        self.blocked_ns.fetch_add(nanos(d), SeqCst);
    }

    /// The counters, for a stage called `name` with `workers` workers that ran `wall`.
    pub fn stats(&self, name: &'static str, workers: usize, wall: Duration) -> StageStats {
        StageStats {
            name,
            workers,
            items_in: self.taken.load(SeqCst),
            items_out: self.done.load(SeqCst),
            failed: self.failed.load(SeqCst),
            busy: Duration::from_nanos(self.busy_ns.load(SeqCst)),
            blocked: Duration::from_nanos(self.blocked_ns.load(SeqCst)),
            wall,
        }
    }
}
// ANCHOR_END: meter

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// What one stage did during a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageStats {
    pub name: &'static str,
    /// Workers: fetches in flight at most, CPU threads, ...
    pub workers: usize,
    /// Items the stage took.
    pub items_in: usize,
    /// Items it passed on.
    pub items_out: usize,
    /// Items it gave up on.
    pub failed: usize,
    /// Worker time spent working, summed over workers.
    pub busy: Duration,
    /// Worker time spent holding a finished item until the next stage had room.
    pub blocked: Duration,
    /// The run's wall-clock time.
    pub wall: Duration,
}

// ANCHOR: utilisation
impl StageStats {
    /// Busy worker-time over available worker-time: `busy / (workers × wall)`.
    pub fn utilisation(&self) -> f64 {
        share(self.busy, self.workers, self.wall)
    }

    /// Blocked worker-time over available worker-time.
    pub fn blocked_share(&self) -> f64 {
        share(self.blocked, self.workers, self.wall)
    }

    /// Items passed on per second of the run.
    pub fn throughput(&self) -> f64 {
        per_second(self.items_out, self.wall)
    }

    /// Mean busy time per item handled (passed on or failed).
    pub fn per_item(&self) -> Duration {
        let handled = self.items_out + self.failed;
        if handled == 0 {
            Duration::ZERO
        } else {
            self.busy / handled as u32
        }
    }

    /// Most items per second its workers could handle at this per-item time.
    pub fn limit(&self) -> f64 {
        limit(self.workers, self.per_item())
    }
}

/// `workers / per_item`: the most items per second a stage can finish.
pub fn limit(workers: usize, per_item: Duration) -> f64 {
    let t = per_item.as_secs_f64();
    if t <= 0.0 {
        f64::INFINITY
    } else {
        workers as f64 / t
    }
}
// ANCHOR_END: utilisation

fn share(part: Duration, workers: usize, wall: Duration) -> f64 {
    let available = wall.as_secs_f64() * workers as f64;
    if available <= 0.0 {
        0.0
    } else {
        part.as_secs_f64() / available
    }
}

/// `items / wall` in items per second (0 for an empty run).
pub fn per_second(items: usize, wall: Duration) -> f64 {
    let s = wall.as_secs_f64();
    if s <= 0.0 { 0.0 } else { items as f64 / s }
}

/// `0.934` as `93%`.
pub fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// Items per second for a table: `1234`, or `-` for no limit.
pub fn rate(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.0}")
    } else {
        "-".to_owned()
    }
}

/// Milliseconds with one decimal.
pub use course_support::report::ms;

/// The per-stage table: workers, items in and out, utilisation, rate, limit.
pub fn stage_table(stages: &[StageStats]) -> Table {
    let mut t = table([
        "stage", "workers", "in", "out", "errors", "busy", "blocked", "items/s", "ms/item",
        "limit/s",
    ]);
    for s in stages {
        t.add_row([
            s.name.to_owned(),
            s.workers.to_string(),
            s.items_in.to_string(),
            s.items_out.to_string(),
            s.failed.to_string(),
            percent(s.utilisation()),
            percent(s.blocked_share()),
            rate(s.throughput()),
            format!("{:.2}", s.per_item().as_secs_f64() * 1e3),
            rate(s.limit()),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utilisation_and_limit_follow_from_the_counters() {
        let meter = StageMeter::default();
        for _ in 0..4 {
            meter.take();
            meter.add_busy(Duration::from_millis(10));
            meter.done();
        }
        let s = meter.stats("cpu", 2, Duration::from_millis(40));
        assert_eq!((s.items_in, s.items_out, s.failed), (4, 4, 0));
        assert_eq!(s.per_item(), Duration::from_millis(10));
        assert!(
            (s.utilisation() - 0.5).abs() < 1e-9,
            "40 ms busy of 2 x 40 ms"
        );
        assert!((s.limit() - 200.0).abs() < 1e-6, "2 workers / 10 ms");
        assert!((s.throughput() - 100.0).abs() < 1e-6, "4 items in 40 ms");
    }

    #[test]
    fn an_idle_stage_has_no_limit() {
        let s = StageMeter::default().stats("idle", 1, Duration::ZERO);
        assert_eq!(s.utilisation(), 0.0);
        assert_eq!(s.throughput(), 0.0);
        assert!(s.limit().is_infinite());
        assert_eq!(rate(s.limit()), "-");
    }
}

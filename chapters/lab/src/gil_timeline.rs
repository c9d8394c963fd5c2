//! Lesson 01's GIL timeline, drawn as an SVG from a real run: the slices that
//! lesson 01's recorder takes while T1..T4 share the simulated interpreter
//! lock, and while P1..P4 run free.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use gil_sim::timeline::{self, Activity};
use gil_sim::workload::{self, Job, Mode, Run, Workload};

use crate::chart::{self, LaneGroup};

/// Both runs of a timeline.
#[derive(Debug)]
pub struct Recorded {
    pub lanes: usize,
    pub workload: Workload,
    pub locked: Run,
    pub free: Run,
}

impl Recorded {
    /// The time axis both drawings share.
    pub fn total(&self) -> Duration {
        timeline::span(&self.locked.slices).max(timeline::span(&self.free.slices))
    }
}

// ANCHOR: record
/// Runs one task per lane under the lock, then free, recording who ran when.
pub fn record(workload: Workload, lanes: usize, numbers: u64, switch: Duration) -> Recorded {
    let job = Job {
        numbers,
        switch_interval: switch,
        ..Job::new(workload, lanes)
    };
    Recorded {
        lanes,
        workload,
        locked: workload::run(&job, Mode::LockedThreads, lanes),
        free: workload::run(&job, Mode::FreeThreads, lanes),
    }
}
// ANCHOR_END: record

/// Draws the recorded runs as an SVG at `path`.
pub fn svg(rec: &Recorded, path: &Path) -> Result<()> {
    let what = match rec.workload {
        Workload::Cpu => "CPU-bound",
        Workload::Io => "I/O-bound",
    };
    let groups = [
        LaneGroup {
            prefix: "T",
            title: format!(
                "T: threads sharing one simulated GIL ({:.0} ms, {} handoffs)",
                rec.locked.elapsed.as_secs_f64() * 1e3,
                rec.locked.handoffs
            ),
            lanes: rec.lanes,
            slices: &rec.locked.slices,
        },
        LaneGroup {
            prefix: "P",
            title: format!(
                "P: free workers, one interpreter each, as processes ({:.0} ms)",
                rec.free.elapsed.as_secs_f64() * 1e3
            ),
            lanes: rec.lanes,
            slices: &rec.free.slices,
        },
    ];
    chart::timeline(
        path,
        &format!(
            "Who ran when: {} {what} tasks, dark = running, light = waiting for I/O",
            rec.lanes
        ),
        &groups,
        rec.total(),
        &chart::Caption::this_run(env!("CARGO_PKG_NAME")),
    )
}

/// The same runs as text, and what they show.
pub fn text(rec: &Recorded, width: usize) -> String {
    let total = rec.total();
    let mut out = String::new();
    out.push_str(&timeline::render(
        &rec.locked.slices,
        rec.lanes,
        "T",
        width,
        total,
    ));
    out.push('\n');
    out.push_str(&timeline::render(
        &rec.free.slices,
        rec.lanes,
        "P",
        width,
        total,
    ));
    for (run, prefix) in [(&rec.locked, "T"), (&rec.free, "P")] {
        out.push_str(&format!(
            "\n{prefix} lanes: {:.0} ms, at most {} running at once, at most {} waiting for I/O at once.",
            run.elapsed.as_secs_f64() * 1e3,
            timeline::max_at_once(&run.slices, Activity::Running),
            timeline::max_at_once(&run.slices, Activity::Waiting),
        ));
    }
    out.push('\n');
    out
}

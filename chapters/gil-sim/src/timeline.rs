//! Recording which worker ran when, and drawing it as text.
//!
//! Workers record real `(lane, start, end)` slices while they run; [`render`]
//! turns them into one bar per lane:
//!
//! - `█` the lane was running (under the interpreter lock: holding it),
//! - `░` the lane was waiting for I/O (under the lock: with the lock released),
//! - `·` the lane was idle or waiting for its turn.

use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// What a lane was doing during a [`Slice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Running code (for a simulated Python thread: holding the lock).
    Running,
    /// Blocked in I/O, not using a core.
    Waiting,
}

/// One stretch of time a lane spent on one activity, measured from the
/// recorder's origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slice {
    pub lane: usize,
    pub start: Duration,
    pub end: Duration,
    pub activity: Activity,
}

/// Collects slices from many threads. Cheap enough to call a few thousand
/// times a second: one short mutex section per slice.
#[derive(Debug)]
pub struct Recorder {
    origin: Instant,
    slices: Mutex<Vec<Slice>>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    /// A recorder whose time zero is now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
            slices: Mutex::new(Vec::new()),
        }
    }

    /// Records that `lane` spent `start..end` on `activity`.
    pub fn record(&self, lane: usize, start: Instant, end: Instant, activity: Activity) {
        let slice = Slice {
            lane,
            start: start.saturating_duration_since(self.origin),
            end: end.saturating_duration_since(self.origin),
            activity,
        };
        self.slices
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(slice);
    }

    /// All slices so far, in start order.
    pub fn slices(&self) -> Vec<Slice> {
        let mut slices = self
            .slices
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        slices.sort_by_key(|s| (s.start, s.end));
        slices
    }
}

/// The end of the last slice: how long the recorded run took.
pub fn span(slices: &[Slice]) -> Duration {
    slices.iter().map(|s| s.end).max().unwrap_or_default()
}

/// The most lanes that were `Running` at the same instant.
pub fn max_running_at_once(slices: &[Slice]) -> usize {
    max_at_once(slices, Activity::Running)
}

/// The most lanes that spent the same instant on `activity`.
pub fn max_at_once(slices: &[Slice], activity: Activity) -> usize {
    // Sweep over start (+1) and end (-1) events; at equal times ends go first,
    // so a slice that starts exactly when another ends does not count as overlap.
    let mut events: Vec<(Duration, i32)> = slices
        .iter()
        .filter(|s| s.activity == activity && s.end > s.start)
        .flat_map(|s| [(s.start, 1), (s.end, -1)])
        .collect();
    events.sort();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, delta) in events {
        now += delta;
        most = most.max(now);
    }
    most as usize
}

// ANCHOR: render
/// Draws `lanes` bars of `width` cells covering `0..total`, labelled
/// `{prefix}1`, `{prefix}2`, ... A cell shows what its lane did for more than
/// half of the cell's time, so lanes that never overlap never share a `█` column.
pub fn render(
    slices: &[Slice],
    lanes: usize,
    prefix: &str,
    width: usize,
    total: Duration,
) -> String {
    let width = width.max(1);
    let cell = total.as_secs_f64().max(f64::MIN_POSITIVE) / width as f64;
    // time[lane][c] = (seconds running, seconds waiting) inside cell c.
    let mut time = vec![vec![(0.0, 0.0); width]; lanes];
    for s in slices.iter().filter(|s| s.lane < lanes) {
        let (start, end) = (s.start.as_secs_f64(), s.end.as_secs_f64());
        let first = ((start / cell) as usize).min(width - 1);
        let last = ((end / cell) as usize).min(width - 1);
        for (c, slot) in time[s.lane]
            .iter_mut()
            .enumerate()
            .take(last + 1)
            .skip(first)
        {
            let overlap = (end.min((c + 1) as f64 * cell) - start.max(c as f64 * cell)).max(0.0);
            match s.activity {
                Activity::Running => slot.0 += overlap,
                Activity::Waiting => slot.1 += overlap,
            }
        }
    }
    let glyph = |&(running, waiting): &(f64, f64)| {
        if running > cell / 2.0 {
            '█'
        } else if waiting > cell / 2.0 {
            '░'
        } else {
            '·'
        }
    };
    let mut out = String::new();
    for (lane, cells) in time.iter().enumerate() {
        let bar: String = cells.iter().map(glyph).collect();
        let label = format!("{prefix}{}", lane + 1);
        let _ = writeln!(out, "{label:>3} {bar}");
    }
    let end = format!("{:.0} ms", total.as_secs_f64() * 1e3);
    let _ = writeln!(out, "    0{end:>pad$}", pad = width - 1);
    out
}
// ANCHOR_END: render

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn slice(lane: usize, start: u64, end: u64) -> Slice {
        Slice {
            lane,
            start: ms(start),
            end: ms(end),
            activity: Activity::Running,
        }
    }

    #[test]
    fn touching_slices_do_not_overlap() {
        let slices = [slice(0, 0, 10), slice(1, 10, 20), slice(0, 20, 30)];
        assert_eq!(max_running_at_once(&slices), 1);
        let slices = [slice(0, 0, 10), slice(1, 5, 20)];
        assert_eq!(max_running_at_once(&slices), 2);
    }

    #[test]
    fn renders_alternating_lanes() {
        let slices = [slice(0, 0, 10), slice(1, 10, 20)];
        let text = render(&slices, 2, "T", 4, ms(20));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], " T1 ██··");
        assert_eq!(lines[1], " T2 ··██");
    }
}

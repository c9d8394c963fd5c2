//! The timeline: recorded slices and their rendering.

mod common;

use std::time::Duration;

use common::within;
use lesson_01_gil::timeline::{Activity, Slice, max_running_at_once, render, span};
use lesson_01_gil::workload::{Job, Mode, Workload, run};

fn slice(lane: usize, start_ms: u64, end_ms: u64, activity: Activity) -> Slice {
    Slice {
        lane,
        start: Duration::from_millis(start_ms),
        end: Duration::from_millis(end_ms),
        activity,
    }
}

/// The bars of a rendered timeline, without their labels or the axis.
fn bars(text: &str, lanes: usize) -> Vec<Vec<char>> {
    text.lines()
        .take(lanes)
        .map(|l| l.chars().skip(4).collect())
        .collect()
}

#[test]
fn renders_one_labelled_bar_per_lane_and_an_axis() {
    let slices = [
        slice(0, 0, 50, Activity::Running),
        slice(2, 50, 100, Activity::Waiting),
    ];
    let text = render(&slices, 4, "T", 60, Duration::from_millis(100));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "4 lanes and an axis:\n{text}");
    for (i, line) in lines[..4].iter().enumerate() {
        assert!(
            line.starts_with(&format!(" T{} ", i + 1)),
            "bad label: {line:?}"
        );
        assert_eq!(line.chars().count(), 4 + 60, "bar is not 60 wide: {line:?}");
    }
    assert_eq!(
        lines[4].chars().count(),
        4 + 60,
        "axis width: {:?}",
        lines[4]
    );
    assert!(lines[4].trim_start().starts_with('0') && lines[4].ends_with("100 ms"));
    let b = bars(&text, 4);
    assert!(b[0][..30].iter().all(|&c| c == '█') && b[0][30..].iter().all(|&c| c == '·'));
    assert!(b[1].iter().all(|&c| c == '·'), "an idle lane shows dots");
    assert!(b[2][30..].iter().all(|&c| c == '░'), "I/O waits show as ░");
}

#[test]
fn a_cell_is_busy_only_if_busy_for_more_than_half_of_it() {
    // Lanes switching mid-cell never both show █ in that cell.
    let slices = [
        slice(0, 0, 12, Activity::Running),
        slice(1, 12, 30, Activity::Running),
        slice(0, 30, 40, Activity::Running),
    ];
    let text = render(&slices, 2, "T", 4, Duration::from_millis(40));
    let b = bars(&text, 2);
    assert_eq!(b[0].iter().collect::<String>(), "█··█");
    assert_eq!(b[1].iter().collect::<String>(), "·██·");
}

#[test]
fn a_locked_run_draws_at_most_one_busy_lane_per_column() {
    let job = Job {
        numbers: 20_000,
        switch_interval: Duration::from_micros(200),
        ..Job::new(Workload::Cpu, 4)
    };
    let r = within("a locked run", move || run(&job, Mode::LockedThreads, 4));
    assert_eq!(max_running_at_once(&r.slices), 1);
    let text = render(&r.slices, 4, "T", 60, span(&r.slices));
    let b = bars(&text, 4);
    for col in 0..60 {
        let busy = b.iter().filter(|bar| bar[col] == '█').count();
        assert!(
            busy <= 1,
            "column {col} shows {busy} lanes running at once:\n{text}"
        );
    }
}

#[test]
fn free_runs_record_every_lane() {
    let job = Job {
        numbers: 20_000,
        ..Job::new(Workload::Cpu, 4)
    };
    let r = within("a free run", move || run(&job, Mode::FreeThreads, 4));
    // Four tasks for four workers: each task is one slice, on some lane.
    assert_eq!(r.slices.len(), 4);
    assert!(r.slices.iter().all(|s| s.lane < 4 && s.end >= s.start));
    let text = render(&r.slices, 4, "P", 40, span(&r.slices));
    assert_eq!(text.lines().count(), 5);
    assert!(text.lines().nth(3).unwrap().starts_with(" P4 "));
}

//! The history file: records append and read back, bad lines are skipped,
//! and "since the last comparable run" compares only comparable runs.

mod common;

use std::time::Duration;

use lab::history::{self, ModeResult, Record};
use lab::task::{TaskSpec, Workload};

fn record(
    workload: &str,
    tasks: u64,
    workers: usize,
    seq_ms: f64,
    threads_ms: f64,
    at: u64,
) -> Record {
    let spec = TaskSpec::for_workload(
        if workload == "io" {
            Workload::Io
        } else {
            Workload::Cpu
        },
        2_000,
        Duration::from_millis(1),
    );
    Record {
        timestamp: at,
        time: history::utc(at),
        workload: workload.to_owned(),
        tasks,
        workers,
        in_flight: workers,
        spec,
        cores: 2,
        profile: "release".to_owned(),
        results: vec![
            ModeResult {
                mode: "sequential".into(),
                workers: 1,
                ms: seq_ms,
                speedup: 1.0,
                efficiency: 1.0,
            },
            ModeResult {
                mode: "threads".into(),
                workers,
                ms: threads_ms,
                speedup: seq_ms / threads_ms,
                efficiency: seq_ms / threads_ms / workers as f64,
            },
        ],
    }
}

#[test]
fn records_append_and_read_back_in_order() {
    let dir = common::scratch("append");
    let path = dir.join("nested/history.jsonl");
    let (empty, skipped) = history::read(&path).unwrap();
    assert!(
        empty.is_empty() && skipped == 0,
        "a missing file is an empty history"
    );
    let a = record("cpu", 5_000, 2, 1_000.0, 500.0, 1); // ratios that print exactly
    let b = record("io", 5_000, 4, 6_000.0, 1_500.0, 2);
    history::append(&path, &a).unwrap();
    history::append(&path, &b).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 2, "one JSON object per line:\n{text}");
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
        for key in [
            "timestamp",
            "workload",
            "tasks",
            "workers",
            "cores",
            "results",
            "spec",
        ] {
            assert!(v.get(key).is_some(), "missing {key} in {line}");
        }
    }
    let (back, skipped) = history::read(&path).unwrap();
    assert_eq!(skipped, 0);
    assert_eq!(back, vec![a, b]);
}

#[test]
fn unreadable_lines_are_skipped_and_counted() {
    let dir = common::scratch("garbage");
    let path = dir.join("history.jsonl");
    history::append(&path, &record("cpu", 10, 2, 10.0, 5.0, 1)).unwrap();
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("not json\n\n{\"half\": true}\n");
    std::fs::write(&path, text).unwrap();
    history::append(&path, &record("cpu", 10, 2, 11.0, 6.0, 2)).unwrap();
    let (back, skipped) = history::read(&path).unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(skipped, 2, "the blank line is not counted");
}

#[test]
fn the_last_comparable_run_has_the_same_workload_tasks_workers_and_task() {
    let old = record("cpu", 5_000, 2, 1_000.0, 500.0, 1);
    let other_workers = record("cpu", 5_000, 4, 1_000.0, 260.0, 2);
    let other_tasks = record("cpu", 100, 2, 20.0, 10.0, 3);
    let other_workload = record("io", 5_000, 2, 6_000.0, 3_000.0, 4);
    let mut debug = record("cpu", 5_000, 2, 3_000.0, 1_500.0, 5);
    debug.profile = "debug".into();
    let mut bigger_tasks = record("cpu", 5_000, 2, 2_000.0, 1_000.0, 6);
    bigger_tasks.spec.numbers = 4_000;
    let past = vec![
        old.clone(),
        other_workers,
        other_tasks,
        other_workload,
        debug,
        bigger_tasks,
    ];
    let now = record("cpu", 5_000, 2, 1_100.0, 450.0, 7);
    let prev = history::last_comparable(&past, &now).expect("the first record is comparable");
    assert_eq!(prev, &old);

    let newer = record("cpu", 5_000, 2, 900.0, 480.0, 6);
    let mut past2 = past.clone();
    past2.push(newer.clone());
    assert_eq!(
        history::last_comparable(&past2, &now),
        Some(&newer),
        "the most recent one"
    );
    assert_eq!(history::series(&past2, &now).len(), 2);

    let lonely = record("mixed", 5_000, 2, 1.0, 1.0, 8);
    assert!(history::last_comparable(&past, &lonely).is_none());
}

#[test]
fn changes_are_relative_to_the_previous_run() {
    let before = record("cpu", 5_000, 2, 1_000.0, 500.0, 1);
    let mut now = record("cpu", 5_000, 2, 1_100.0, 450.0, 2);
    now.results.push(ModeResult {
        mode: "processes".into(),
        workers: 2,
        ms: 520.0,
        speedup: 2.1,
        efficiency: 1.05,
    });
    let changes = history::changes(&before, &now);
    assert_eq!(changes.len(), 2, "processes was not measured before");
    assert_eq!(changes[0].mode, "sequential");
    assert!((changes[0].relative() - 0.10).abs() < 1e-12, "10% slower");
    assert!((changes[1].relative() + 0.10).abs() < 1e-12, "10% faster");
}

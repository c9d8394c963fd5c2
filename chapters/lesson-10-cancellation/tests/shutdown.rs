//! Graceful shutdown: every job is accounted for exactly once, jobs that fit
//! in the grace period finish, the others are cancelled, and no child
//! process is left behind, also when a real SIGINT stops it.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use course_support::testing::assert_all_gone;
use lesson_10_cancellation::shutdown::{Config, serve};
use tokio::sync::mpsc;

const BIN: &str = env!("CARGO_BIN_EXE_lesson-10-cancellation");

fn run(config: &Config, stop_after: Option<Duration>) -> lesson_10_cancellation::shutdown::Report {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (stop_tx, stop_rx) = mpsc::channel(1);
        if let Some(after) = stop_after {
            tokio::spawn(async move {
                tokio::time::sleep(after).await;
                let _ = stop_tx.send("test".to_owned()).await;
            });
        }
        let (events, mut rx) = mpsc::unbounded_channel();
        tokio::spawn(async move { while rx.recv().await.is_some() {} });
        serve(Path::new(BIN), config, stop_rx, events).await
    })
}

fn accounted_once(report: &lesson_10_cancellation::shutdown::Report, jobs: usize) {
    let mut all: Vec<usize> = report.finished.clone();
    all.extend(&report.cancelled);
    all.extend(&report.never_started);
    all.sort_unstable();
    assert_eq!(all, (0..jobs).collect::<Vec<_>>(), "{report:?}");
}

#[test]
fn without_a_stop_every_job_finishes() {
    let config = Config {
        jobs: 5,
        concurrency: 3,
        job_ms: 20,
        grace: Duration::from_millis(50),
    };
    let report = run(&config, None);
    assert_eq!(report.finished.len(), 5, "{report:?}");
    assert!(report.cancelled.is_empty() && report.never_started.is_empty());
    assert_eq!(report.pids.len(), 5);
    assert_all_gone(&report.pids);
}

#[test]
fn after_a_stop_running_jobs_finish_in_the_grace_period_and_nothing_new_starts() {
    // Jobs take 100, 200, 300 ms; the stop comes at 250 ms; a grace of 1 s is
    // enough for every running job.
    let config = Config {
        jobs: 12,
        concurrency: 3,
        job_ms: 100,
        grace: Duration::from_secs(1),
    };
    let start = Instant::now();
    let report = run(&config, Some(Duration::from_millis(250)));
    accounted_once(&report, 12);
    assert_eq!(report.stopped_by.as_deref(), Some("test"));
    assert!(report.cancelled.is_empty(), "{report:?}");
    assert!(!report.never_started.is_empty(), "{report:?}");
    assert!(!report.finished_in_grace.is_empty(), "{report:?}");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(report.pids.len(), report.finished.len());
    assert_all_gone(&report.pids);
}

#[test]
fn jobs_longer_than_the_grace_period_are_cancelled_and_their_processes_reaped() {
    let config = Config {
        jobs: 6,
        concurrency: 3,
        job_ms: 5_000,
        grace: Duration::from_millis(100),
    };
    let start = Instant::now();
    let report = run(&config, Some(Duration::from_millis(300)));
    accounted_once(&report, 6);
    assert_eq!(report.cancelled.len(), 3, "{report:?}");
    assert_eq!(report.never_started, vec![3, 4, 5]);
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "took {:?}",
        start.elapsed()
    );
    assert_all_gone(&report.pids);
}

/// `timeout -s INT` on the demo, as the chapter does: it reports, exits 130
/// and leaves no child process behind.
#[cfg(unix)]
#[test]
fn sigint_from_timeout_shuts_the_demo_down_cleanly() {
    if Command::new("timeout").arg("--version").output().is_err() {
        eprintln!("`timeout` (coreutils) not found: skipped");
        return;
    }
    let mut child = Command::new("timeout")
        .args([
            "--preserve-status",
            "-s",
            "INT",
            "1",
            BIN,
            "shutdown",
            "--stop-after-ms",
            "0",
        ])
        .args(["--jobs", "30", "--job-ms", "3000", "--grace-ms", "200"])
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let out = BufReader::new(child.stdout.take().unwrap());
    let mut pids = BTreeSet::new();
    let mut text = String::new();
    for line in out.lines() {
        let line = line.unwrap();
        if let Some(pid) = line.split("as pid ").nth(1) {
            pids.insert(pid.trim().parse::<u32>().unwrap());
        }
        text.push_str(&line);
        text.push('\n');
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{text}");
    assert!(text.contains("stopped by:    SIGINT"), "{text}");
    assert!(text.contains("cancelled:     0 1 2"), "{text}");
    assert!(text.contains("still running: 0"), "{text}");
    assert_eq!(pids.len(), 3, "{text}");
    assert_all_gone(&pids.into_iter().collect::<Vec<_>>());
}

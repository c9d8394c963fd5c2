//! The command line: every demo runs with small settings; bad flags are
//! usage errors, not panics.

use std::process::Output;

use course_support::testing::Cli;

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_lesson-03-sync"))
}

fn run(args: &[&str]) -> Output {
    cli().run(args)
}

/// Stdout of a demo that must succeed without writing to stderr.
fn stdout_of(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{args:?} failed or wrote to stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn lock_and_rlock() {
    let text = stdout_of(&["lock"]);
    assert!(text.contains("Err(PoisonError)"), "{text}");
    assert!(text.contains("is_poisoned() = false"), "{text}");
    let text = stdout_of(&["rlock"]);
    assert!(text.contains("WouldBlock"), "{text}");
}

#[test]
fn semaphore_reports_the_peak() {
    let text = stdout_of(&[
        "semaphore",
        "--downloads",
        "4",
        "--limit",
        "2",
        "--latency-ms",
        "1",
    ]);
    assert!(text.contains("Semaphore(2)"), "{text}");
}

#[test]
fn condition_event_barrier() {
    let text = stdout_of(&[
        "condition",
        "--items",
        "100",
        "--rounds",
        "2",
        "--patience-ms",
        "2",
    ]);
    assert!(text.contains("notify_all"), "{text}");
    assert!(!text.contains("| no "), "{text}");
    let text = stdout_of(&["event", "--waiters", "3", "--timeout-ms", "5"]);
    assert!(text.contains("3 of 3 woke"), "{text}");
    let text = stdout_of(&[
        "barrier",
        "--workers",
        "3",
        "--phases",
        "2",
        "--numbers",
        "1000",
    ]);
    assert!(text.contains("Phases never overlapped: yes"), "{text}");
}

#[test]
fn bounded_and_bench() {
    let text = stdout_of(&[
        "bounded",
        "--items",
        "20",
        "--consume-us",
        "10",
        "--throughput-items",
        "2000",
    ]);
    assert!(text.contains("crossbeam bounded(8)"), "{text}");
    assert!(!text.contains("| no "), "{text}");
    let text = stdout_of(&["bench", "--items", "2000"]);
    assert!(text.contains("crossbeam bounded(1024)"), "{text}");
}

#[test]
fn deadlock_is_detected_and_fixed() {
    let text = stdout_of(&[
        "deadlock",
        "--patience-ms",
        "30",
        "--transfers",
        "20",
        "--stress-patience-ms",
        "2",
    ]);
    assert!(text.contains("deadlock detected after"), "{text}");
    assert!(text.contains("lower id first"), "{text}");
}

#[test]
fn scoped_channels_map() {
    let text = stdout_of(&["scoped", "--numbers", "1000", "--threads", "3"]);
    assert!(!text.contains("| no "), "{text}");
    let text = stdout_of(&["channels", "--jobs", "5", "--numbers", "100"]);
    assert!(text.contains("exact: yes"), "{text}");
    let text = stdout_of(&["map"]);
    assert!(text.contains("threading.RLock"), "{text}");
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["semaphore", "--limit", "0"][..],
        &["semaphore", "--downloads", "many"],
        &["condition", "--threads", "1"],
        &["deadlock", "--patience-ms", "0"],
        &["bounded", "--capacity", "0"],
        &["handoff", "--rounds", "0"],
        &["lock", "--bogus"],
        &["no-such-demo"],
    ] {
        cli().assert_usage_error(args);
    }
}

#[test]
fn handoff_stress_runs_and_model_needs_its_feature() {
    let text = stdout_of(&["handoff", "--rounds", "1000", "--runs", "1"]);
    assert!(text.contains("RelaxedHandoffWrong"), "{text}");
    assert!(text.contains("Handoff (Release / Acquire flag)"), "{text}");
    // This build has std's atomics: --model says how to get loom's.
    let out = run(&["handoff", "--model"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--features model"));
}

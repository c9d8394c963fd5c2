//! The command line: every demo runs with small settings, leaves no segment
//! behind, and mistakes get a clear error, not a panic.

mod common;

use common::BIN;
use course_support::testing::Cli;
use lesson_06_shared_memory::segment;

fn cli() -> Cli {
    Cli::new(BIN)
}

/// Runs a demo that must succeed; returns its stdout. Checks that the
/// process left no segment: the pid of a finished process is in no name.
fn stdout_of(args: &[&str]) -> String {
    let (pid, out) = cli().run_with_pid(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        segment::leftovers_of(pid),
        Vec::<String>::new(),
        "{args:?} leaked"
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn segment_demo_shows_the_name_come_and_go() {
    let text = stdout_of(&["segment"]);
    assert!(text.contains("listed in /dev/shm: yes"), "{text}");
    assert!(text.contains("hello from pid"), "{text}");
    assert!(text.contains("listed now: no"), "{text}");
}

#[test]
fn transform_demo_checks_every_band() {
    let text = stdout_of(&[
        "transform",
        "--rows",
        "90",
        "--cols",
        "40",
        "--workers",
        "3",
    ]);
    assert_eq!(text.matches("| yes").count(), 3, "{text}");
    assert!(text.contains("Every number is right"), "{text}");
    let text = stdout_of(&[
        "transform",
        "--rows",
        "10",
        "--cols",
        "4",
        "--workers",
        "2",
        "--unlink-early",
    ]);
    assert!(text.contains("unlinked"), "{text}");
}

#[test]
fn crash_demo_reports_the_panic_in_every_mode() {
    let text = stdout_of(&["crash", "--rows", "40", "--cols", "10", "--workers", "2"]);
    assert_eq!(
        text.matches("panicked: worker 1 panics after 10 rows")
            .count(),
        3,
        "{text}"
    );
}

#[test]
fn counter_demo() {
    let text = stdout_of(&[
        "counter",
        "--processes",
        "2",
        "--increments",
        "1000",
        "--how",
        "fetch-add",
    ]);
    assert!(
        text.contains("| 1,000       | 2,000    | 2,000   | 0"),
        "{text}"
    );
}

#[test]
fn compare_demo_prints_every_mode() {
    let text = stdout_of(&["compare", "--rows", "50", "--cols", "50", "--rounds", "2"]);
    for label in [
        "memcpy",
        "1 thread",
        "shared memory, in place",
        "raw f64 bytes",
        "JSON text",
    ] {
        assert!(text.contains(label), "missing {label}: {text}");
    }
    assert!(!text.contains("| no"), "a mode gave different bits: {text}");
}

#[test]
fn bench_prints_the_targets() {
    let text = stdout_of(&[
        "bench",
        "--rows",
        "60",
        "--cols",
        "60",
        "--rounds",
        "2",
        "--json-rounds",
        "1",
    ]);
    assert!(text.contains("within 1.5x of memcpy"), "{text}");
    assert!(text.contains(">= 20x faster"), "{text}");
    assert!(
        text.contains("Every mode produced the same bits: yes"),
        "{text}"
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["transform", "--workers", "0"][..],
        &["transform", "--rows", "ten"],
        &["counter", "--processes", "0"],
        &["compare", "--factor", "inf"],
        &["compare", "--modes", "carrier-pigeon"],
        &["segment", "--size", "10"],
        &["no-such-demo"],
    ] {
        cli().assert_usage_error(args);
    }
}

#[test]
fn impossible_settings_are_clear_errors() {
    for (args, says) in [
        (
            &["transform", "--rows", "3", "--workers", "4"][..],
            "more than --rows",
        ),
        (
            &["crash", "--rows", "20", "--workers", "2", "--band", "5"],
            "only 2 workers",
        ),
    ] {
        cli().assert_fails_with(args, says);
    }
}

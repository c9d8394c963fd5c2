//! The command line: demos run with small settings, bad flags are usage
//! errors, and a child's failure is an error message, not a panic.

use course_support::testing::Cli;

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_lesson-04-ipc"))
}

fn stdout_of(args: &[&str]) -> String {
    cli().stdout_of(args)
}

#[test]
fn process_prints_pids_and_exit_codes() {
    let text = stdout_of(&["process", "--exit-codes", "0,7", "--wait-ms", "10"]);
    assert!(text.contains("exit code 7"), "{text}");
    assert!(text.contains("(us)"), "{text}");
    assert!(text.contains("killed by SIGTERM"), "{text}");
}

#[test]
fn queue_and_crash_report_every_producer() {
    let text = stdout_of(&["queue", "--producers", "3", "--messages", "100"]);
    assert_eq!(text.matches("| yes").count(), 3, "{text}");
    let text = stdout_of(&["crash", "--messages", "50", "--after", "5"]);
    assert!(text.contains("exit code 101"), "{text}");
    assert!(text.contains("SIGABRT"), "{text}");
    assert!(
        text.contains("panicked: producer 1 crashes after 5 messages"),
        "{text}"
    );
}

#[test]
fn joinable_pipe_and_throughput_run() {
    let text = stdout_of(&[
        "joinable",
        "--workers",
        "2",
        "--tasks",
        "4",
        "--below",
        "1000",
    ]);
    assert!(text.contains("same"), "{text}");
    let text = stdout_of(&["pipe", "--rounds", "50"]);
    assert!(text.contains("2 x ipc-channel"), "{text}");
    let text = stdout_of(&["throughput", "--messages", "500", "--producers", "2"]);
    for row in [
        "std mpsc",
        "crossbeam",
        "2 processes",
        "batches of 64",
        "byte pipe",
    ] {
        assert!(text.contains(row), "missing {row}: {text}");
    }
}

#[test]
fn startup_and_fork() {
    let text = stdout_of(&["startup", "--threads", "5", "--processes", "3"]);
    assert!(text.contains("process: spawn (exec) + wait"), "{text}");
    let text = stdout_of(&["fork"]);
    assert!(text.contains("1 thread"), "{text}");
    assert!(text.contains("forkserver"), "{text}");
    assert!(text.contains("pre_exec"), "{text}");
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["queue", "--producers", "0"][..],
        &["queue", "--messages", "many"],
        &["process", "--exit-codes", "300"],
        &["pipe", "--bogus"],
        &["no-such-demo"],
        &["child", "no-such-role"],
    ] {
        cli().assert_usage_error(args);
    }
}

#[test]
fn a_child_that_cannot_reach_its_parent_fails_cleanly() {
    cli().assert_fails_with(
        &["child", "echo", "--server", "/nonexistent/socket"],
        "error:",
    );
}

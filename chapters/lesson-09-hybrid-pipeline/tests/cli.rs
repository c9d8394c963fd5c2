//! The command line: every demo runs with small settings, Ctrl-C drains and
//! exits 130, mistakes get a clear error, and nothing hangs.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use course_support::child::{ChildGuard, describe};
use course_support::testing::Cli;

const BIN: &str = env!("CARGO_BIN_EXE_lesson-09-hybrid-pipeline");

fn cli() -> Cli {
    Cli::new(BIN)
}

fn run(args: &[&str]) -> Output {
    cli().run(args)
}

fn stdout_of(args: &[&str]) -> String {
    cli().stdout_of(args)
}

#[test]
fn pipeline_prints_stages_queue_and_the_ratio_to_the_slowest_stage() {
    let text = stdout_of(&[
        "pipeline",
        "--items",
        "30",
        "--latency-ms",
        "5",
        "--cpu-ms",
        "1",
    ]);
    for needle in [
        "started:",
        "| fetch",
        "| cpu",
        "| aggregate",
        "slowest stage:",
        "of its slowest stage's limit measured alone",
        "every item accounted for",
        "at most",
    ] {
        assert!(text.contains(needle), "missing {needle:?}:\n{text}");
    }
}

#[test]
fn compare_shows_four_variants_with_identical_results() {
    let text = stdout_of(&[
        "compare",
        "--items",
        "12",
        "--latency-ms",
        "5",
        "--cpu-ms",
        "1",
    ]);
    for row in [
        "| sequential",
        "| I/O concurrent only",
        "| CPU parallel only",
        "| pipeline",
    ] {
        assert!(text.contains(row), "missing {row}:\n{text}");
    }
    assert!(text.contains("identical"), "{text}");
}

#[test]
fn bottleneck_backpressure_errors_and_shutdown_run() {
    let text = stdout_of(&[
        "bottleneck",
        "--items",
        "12",
        "--levels",
        "1,4",
        "--latency-ms",
        "5",
        "--cpu-ms",
        "1",
    ]);
    assert!(text.contains("| 1 ") && text.contains("| 4 "), "{text}");

    let text = stdout_of(&[
        "backpressure",
        "--items",
        "30",
        "--cpu-ms",
        "1",
        "--body-kib",
        "16",
    ]);
    assert!(
        text.contains("| bounded(8)") && text.contains("| unbounded"),
        "{text}"
    );

    let text = stdout_of(&[
        "errors",
        "--items",
        "40",
        "--latency-ms",
        "2",
        "--cpu-ms",
        "1",
        "--fatal-at",
        "10",
        "--stall-at",
        "8",
    ]);
    assert!(text.contains("| HTTP 500"), "{text}");
    assert!(text.contains("fatal fetch error: item 10"), "{text}");
    assert!(text.contains("still alive: 0"), "{text}");

    let text = stdout_of(&[
        "shutdown",
        "--items",
        "200",
        "--stop-after",
        "10",
        "--latency-ms",
        "5",
        "--cpu-ms",
        "1",
    ]);
    assert!(text.contains("stopped early: true"), "{text}");
    assert!(text.contains("every item accounted for"), "{text}");
}

#[test]
fn bench_prints_the_ratio_and_the_table() {
    let text = stdout_of(&[
        "bench",
        "--items",
        "10",
        "--pipeline-items",
        "20",
        "--latency-ms",
        "5",
        "--cpu-ms",
        "1",
    ]);
    assert!(
        text.contains("of its slowest stage's limit during the run"),
        "{text}"
    );
    assert!(text.contains("| CPU parallel only"), "{text}");
    assert!(text.contains("| unbounded"), "{text}");
}

#[test]
fn a_fatal_error_exits_1_with_the_error_and_the_partial_result() {
    let out = run(&[
        "pipeline",
        "--items",
        "100",
        "--latency-ms",
        "5",
        "--cpu-ms",
        "1",
        "--fatal-at",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(out.status));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fatal fetch error: item 3"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("every item accounted for"), "{text}");
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["pipeline", "--concurrency", "0"][..],
        &["pipeline", "--cpu-ms", "0"],
        &["pipeline", "--capacity", "0"],
        &["errors", "--fail-rate", "1.5"],
        &["bottleneck", "--levels", "0"],
        &["pipeline", "--items", "many"],
        &["no-such-demo"],
    ] {
        cli().assert_usage_error(args);
    }
}

/// Sends SIGINT, as Ctrl-C in a terminal does.
#[cfg(unix)]
fn sigint(pid: u32) {
    // SAFETY: kill(2) with integers only.
    let r = unsafe { libc::kill(pid as libc::pid_t, libc::SIGINT) };
    assert_eq!(r, 0, "could not send SIGINT to {pid}");
}

/// Waits (30 s at most) for a stdout line containing `needle`.
fn wait_for_line(lines: &mpsc::Receiver<String>, needle: &str, seen: &mut Vec<String>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                let found = line.contains(needle);
                seen.push(line);
                if found {
                    return;
                }
            }
            Err(e) => panic!(
                "no line containing {needle:?} ({e:?}); got:\n{}",
                seen.join("\n")
            ),
        }
    }
}

#[test]
#[cfg(unix)]
fn ctrl_c_stops_fetching_drains_and_exits_130_with_partial_results() {
    let mut cmd = Command::new(BIN);
    // Far more items than it could finish before the signal.
    cmd.args([
        "pipeline",
        "--items",
        "100000",
        "--latency-ms",
        "5",
        "--cpu-ms",
        "1",
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut program = ChildGuard::spawn(&mut cmd).expect("the lesson binary starts");
    let stdout = program.child_mut().stdout.take().unwrap();
    let mut stderr = program.child_mut().stderr.take().unwrap();
    let (tx, lines) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let errors = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut seen = Vec::new();
    wait_for_line(&lines, "started:", &mut seen);
    thread::sleep(Duration::from_millis(200)); // let items flow through every stage
    sigint(program.id());
    let status: ExitStatus = program
        .wait_timeout(Duration::from_secs(30))
        .unwrap()
        .expect("the program must drain and exit after Ctrl-C, not hang");
    let rest: Vec<String> = lines.iter().collect();
    seen.extend(rest);
    let text = seen.join("\n");
    let err = errors.join().unwrap();
    assert_eq!(
        status.code(),
        Some(130),
        "Ctrl-C should end it with 130, got {}\n{text}\n{err}",
        describe(status)
    );
    assert!(err.contains("Ctrl-C: no new fetches"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for needle in [
        "stopped early:",
        "every item accounted for",
        "0 cancelled",
        "interrupted by Ctrl-C",
    ] {
        assert!(text.contains(needle), "missing {needle:?}:\n{text}");
    }
}

//! Ctrl-C (SIGINT) while the program holds a segment: the handler unlinks
//! it, the children are stopped, and the program exits with code 130.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::{BIN, assert_all_gone, children_of};
use course_support::child::{ChildGuard, describe};
use lesson_06_shared_memory::segment;

/// Starts the lesson binary with `args`, stdout piped, and returns its guard
/// and a channel of its stdout lines.
fn start(args: &[&str]) -> (ChildGuard, mpsc::Receiver<String>) {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut guard = ChildGuard::spawn(&mut cmd).expect("the lesson binary starts");
    let stdout = guard.child_mut().stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (guard, rx)
}

/// Waits for a stdout line containing `needle`.
fn wait_for_line(rx: &mpsc::Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(_) => {}
            Err(e) => panic!("no line containing {needle:?} ({e:?})"),
        }
    }
}

fn sigint(pid: u32) {
    // SAFETY: kill(2) with integers only.
    let r = unsafe { libc::kill(pid as libc::pid_t, libc::SIGINT) };
    assert_eq!(r, 0, "could not send SIGINT to {pid}");
}

fn exit_status(guard: &mut ChildGuard) -> std::process::ExitStatus {
    guard
        .wait_timeout(Duration::from_secs(20))
        .unwrap()
        .expect("the program did not exit after Ctrl-C")
}

#[test]
fn ctrl_c_while_holding_a_segment_unlinks_it() {
    let (mut prog, lines) = start(&["segment", "--hold-secs", "60"]);
    let line = wait_for_line(&lines, "created /dev/shm/");
    let path = line
        .split_whitespace()
        .nth(1)
        .expect("created <path> ...")
        .to_owned();
    assert!(
        std::path::Path::new(&path).exists(),
        "{path} should exist while held"
    );
    sigint(prog.id());
    let status = exit_status(&mut prog);
    assert_eq!(
        status.code(),
        Some(130),
        "Ctrl-C should end it with 130, got {}",
        describe(status)
    );
    assert!(
        !std::path::Path::new(&path).exists(),
        "{path} leaked after Ctrl-C"
    );
    assert!(segment::leftovers_of(prog.id()).is_empty());
}

#[test]
fn ctrl_c_during_the_tour_leaves_no_segment() {
    let (mut prog, lines) = start(&[]);
    wait_for_line(&lines, "created /dev/shm/");
    let pid = prog.id();
    sigint(pid);
    let status = exit_status(&mut prog);
    assert_eq!(
        status.code(),
        Some(130),
        "the tour should stop with 130, got {}",
        describe(status)
    );
    assert_eq!(
        segment::leftovers_of(pid),
        Vec::<String>::new(),
        "segments leaked"
    );
}

#[test]
fn ctrl_c_while_workers_run_stops_them_and_leaves_nothing() {
    // A long comparison: worker processes stay up for thousands of rounds.
    let (mut prog, _lines) = start(&[
        "compare",
        "--modes",
        "shm",
        "--workers",
        "2",
        "--rounds",
        "10000",
    ]);
    let pid = prog.id();
    // Wait until it has worker processes (the in-process rows come first).
    let deadline = Instant::now() + Duration::from_secs(30);
    let workers = loop {
        let kids = children_of(pid);
        if kids.len() >= 2 {
            break kids;
        }
        assert!(Instant::now() < deadline, "no workers were started");
        assert!(
            prog.try_wait().unwrap().is_none(),
            "the program ended early"
        );
        thread::sleep(Duration::from_millis(5));
    };
    assert!(
        !segment::leftovers_of(pid).is_empty(),
        "the matrix's segment exists while its workers run"
    );
    sigint(pid);
    let status = exit_status(&mut prog);
    assert_eq!(status.code(), Some(130), "got {}", describe(status));
    assert_eq!(
        segment::leftovers_of(pid),
        Vec::<String>::new(),
        "segments leaked"
    );
    assert_all_gone(&workers);
}

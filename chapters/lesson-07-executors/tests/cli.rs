//! The command line: demos run with small settings and print what the book
//! says they print; bad flags are usage errors, never panics.

use course_support::testing::Cli;

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_lesson-07-executors"))
}

fn stdout_of(args: &[&str]) -> String {
    cli().stdout_of(args)
}

#[test]
fn seed_submit_map_and_as_completed() {
    let text = stdout_of(&["seed"]);
    assert!(text.contains(", 1)"), "{text}");
    let text = stdout_of(&["submit", "--task-ms", "60", "--timeout-ms", "5"]);
    assert!(text.contains("Err(TimedOut)"), "{text}");
    assert!(text.contains("Ok(\"the value\")"), "{text}");
    let text = stdout_of(&["map", "--items", "4", "--step-ms", "2"]);
    assert!(text.contains("Input order kept: yes."), "{text}");
    let text = stdout_of(&["as-completed", "--sleeps-ms", "80,0"]);
    let first = text.find("| #1").expect("task #1 listed");
    let last = text.find("| #0").expect("task #0 listed");
    assert!(first < last, "the quick task comes first:\n{text}");
}

#[test]
fn cancel_shutdown_and_wait() {
    let text = stdout_of(&["cancel", "--queued", "4"]);
    assert!(text.contains("Tasks that ran: 2 (expected 2)"), "{text}");
    let text = stdout_of(&["shutdown", "--queued", "3", "--running-ms", "30"]);
    assert!(text.contains("| wait=false"), "{text}");
    assert!(text.contains("3 (it says 3)"), "{text}");
    let text = stdout_of(&["wait"]);
    assert!(text.contains("FirstException"), "{text}");
}

#[test]
fn robust_reports_every_kind_of_outcome() {
    let text = stdout_of(&["robust", "--timeout-ms", "200", "--slow-ms", "400"]);
    for kind in [
        "| ok",
        "| Failed",
        "| Panicked",
        "| TimedOut",
        "attempt to divide by zero",
    ] {
        assert!(text.contains(kind), "missing {kind}:\n{text}");
    }
    assert!(text.contains("5 succeeded, 3 failed"), "{text}");
}

#[test]
fn processes_demo_leaves_nothing_behind() {
    let text = stdout_of(&["processes", "--workers", "2"]);
    assert!(text.contains("killed by SIGABRT"), "{text}");
    assert!(text.contains("exit code 3"), "{text}");
    assert!(text.contains("Err(TimedOut)"), "{text}");
    assert!(text.contains("none left behind"), "{text}");
}

#[test]
fn overhead_and_cpu_run() {
    let text = stdout_of(&[
        "overhead",
        "--workers",
        "2",
        "--tasks",
        "200",
        "--process-tasks",
        "20",
    ]);
    assert!(text.contains("process pool, one at a time"), "{text}");
    assert!(text.contains("interpreter pool, one at a time"), "{text}");
    let text = stdout_of(&["cpu", "--limit", "20000", "--tasks", "4", "--workers", "2"]);
    assert_eq!(
        text.matches("| 2262 ").count(),
        4,
        "same count four ways:\n{text}"
    );
    assert!(text.contains("| interpreter pool"), "{text}");
}

#[test]
fn interpreters_demo_shows_one_process_own_globals_and_copies() {
    let text = stdout_of(&["interpreters", "--workers", "2", "--big-tasks", "2"]);
    assert!(text.contains("every pid is ours"), "{text}");
    assert!(text.contains(": yes."), "{text}");
    assert!(
        text.contains("the highest is") && !text.contains("the highest is 8"),
        "{text}"
    );
    assert!(
        text.contains("share one counter, which reached 8"),
        "{text}"
    );
    assert!(text.contains("interpreter pool (a copy each)"), "{text}");
    assert!(text.contains("Err(Panicked(\"boom\"))"), "{text}");
    let help = stdout_of(&["--help"]);
    assert!(
        help.contains("interpreters") && help.contains("InterpreterPoolExecutor"),
        "{help}"
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["map", "--workers", "0"][..],
        &["cancel", "--queued", "lots"],
        &["as-completed", "--sleeps-ms", "10,x"],
        &["cpu", "--limit", "0"],
        &["no-such-demo"],
        &["child", "no-such-role"],
    ] {
        cli().assert_usage_error(args);
    }
}

#[test]
fn a_worker_fed_garbage_fails_cleanly() {
    let out = cli().run_with_input(
        &["child", "worker"],
        b"{\"id\":1,\"task\":\"echo\",\"args\":4}\nnot json\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("{\"id\":1,\"reply\":{\"Ok\":4}}"), "{text}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("malformed request") && !err.contains("panicked"),
        "{err}"
    );
}

/// The children of `pid` (Linux: `/proc/PID/task/*/children`).
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|s| {
            s.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

#[test]
fn a_worker_killed_mid_bench_is_named_not_a_silent_exit() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    // Enough process-pool tasks that the run is still going when we strike.
    let run = Command::new(env!("CARGO_BIN_EXE_lesson-07-executors"))
        .args(["overhead", "--workers", "2", "--tasks", "10"])
        .args(["--process-tasks", "1000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the lesson starts");
    let started = Instant::now();
    let victim = loop {
        let workers = children_of(run.id());
        if workers.len() >= 2 {
            break workers[0];
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no worker processes appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-KILL", &victim.to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success(), "the worker {victim} was there to kill");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(run.wait_with_output()));
    let out = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the lesson ends after its worker is killed, not hangs")
        .expect("its output is read");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a clean error exit: {err}");
    assert!(
        err.contains(&format!("worker pid {victim} died")),
        "names the dead worker: {err}"
    );
}

//! A program stopped by Ctrl-C (or SIGTERM, SIGHUP) while a Python script
//! runs leaves neither the interpreter nor the script's folder behind.
//!
//! The test runs itself again as the program to stop (`sh` stands in for
//! Python: the runner only starts a program on a file).
#![cfg(unix)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use course_support::python::{Program, Python};

const ROLE: &str = "COURSE_SUPPORT_SIGNAL_ROLE";

/// The program to stop: a script that records its folder and its pid, then
/// waits; its `sleep` is a worker in the script's process group.
#[test]
fn signal_role() {
    let Some(marker) = std::env::var_os(ROLE) else {
        return;
    };
    let program = Program {
        name: "course-support-signal",
        main: "echo \"$(dirname \"$0\") $$\" > \"$1\"; sleep 30 & wait",
        modules: &[("task.py", "a module beside it\n")],
    };
    let _ = Python::at("sh").run_program(&program, [marker], Duration::from_secs(60));
    // Only a signal that failed to stop us gets here.
    std::process::exit(3);
}

fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(") ")
            .is_some_and(|(_, r)| !r.starts_with('Z'))
    })
}

#[test]
fn a_signal_mid_run_kills_the_script_and_removes_its_folder() {
    if std::env::var_os(ROLE).is_some() {
        return;
    }
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let marker = tempfile::NamedTempFile::new().unwrap();
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "signal_role", "--nocapture", "--test-threads=1"])
            .env(ROLE, marker.path())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        let text = loop {
            let text = std::fs::read_to_string(marker.path()).unwrap_or_default();
            if text.ends_with('\n') {
                break text;
            }
            assert!(Instant::now() < deadline, "the script never started");
            std::thread::sleep(Duration::from_millis(20));
        };
        let (dir, script_pid) = text.trim().split_once(' ').unwrap();
        let dir = PathBuf::from(dir);
        assert!(dir.join("task.py").exists());
        // SAFETY: kill(2) with the pid of our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(signal),
            "{status:?}: the signal still stops the program"
        );
        let gone = Instant::now() + Duration::from_secs(5);
        while alive(script_pid) && Instant::now() < gone {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(
            !alive(script_pid),
            "signal {signal}: the script outlived its program"
        );
        assert!(
            !dir.exists(),
            "signal {signal}: {} was left behind",
            dir.display()
        );
    }
}

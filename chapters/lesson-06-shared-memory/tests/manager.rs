//! Manager(): a server process owning a dict and a list, called from other
//! processes; lost `+=`, an exact server-side increment, and the manager's
//! death reported to its clients instead of a hang.

mod common;

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use common::{BIN, assert_all_gone, spawner, within};
use course_support::testing::Cli;
use lesson_06_shared_memory::manager::{self, Add, KEY, Manager};

#[test]
fn a_proxy_reads_and_writes_the_servers_dict_and_list() {
    let (manager_pid, socket) = within("manager round trips", || {
        let m = Manager::start(&spawner()).unwrap();
        assert_ne!(
            m.pid(),
            std::process::id(),
            "the manager is its own process"
        );
        let mut a = m.connect().unwrap();
        let mut b = m.connect().unwrap();
        a.set("x", 40).unwrap();
        assert_eq!(
            b.get("x").unwrap(),
            40,
            "a second proxy sees the first's set"
        );
        assert_eq!(b.incr("x", 2).unwrap(), 42);
        assert_eq!(a.get("x").unwrap(), 42);
        assert_eq!(a.append(7).unwrap(), 1);
        assert_eq!(b.append(8).unwrap(), 2, "one list, in the server");
        let missing = a.get("nope").unwrap_err().to_string();
        assert!(missing.contains("KeyError"), "{missing}");
        (m.pid(), m.socket().to_owned())
    });
    assert_all_gone(&[manager_pid]);
    assert!(!socket.exists(), "{} left behind", socket.display());
}

#[test]
fn clients_in_other_processes_reach_the_manager() {
    let r = within("one client process", || {
        manager::count(&spawner(), 2, 300, Add::ServerIncr).unwrap()
    });
    assert_eq!(r.counted, 600);
    assert!(
        r.pids
            .iter()
            .all(|&p| p != std::process::id() && p != r.manager_pid)
    );
    assert_all_gone(&r.pids);
    assert_all_gone(&[r.manager_pid]);
    assert!(!r.socket.exists());
}

/// `d[k] += 1` is two round trips: between the get and the set, another
/// process's set is overwritten. Very likely on every run (the window is a
/// whole round trip), but allow a few tries.
#[test]
fn get_then_set_loses_updates_across_processes() {
    let lossy = within("racy +=", || {
        (0..5)
            .map(|_| manager::count(&spawner(), 4, 1_000, Add::GetSet).unwrap())
            .find(|r| r.lost() > 0)
    });
    let r = lossy.expect("5 runs of 4 processes x 1,000 get-then-set lost nothing");
    assert!(r.counted < r.expected && r.counted >= 1_000, "{r:?}");
}

#[test]
fn a_server_side_increment_is_exact() {
    for _ in 0..3 {
        let r = within("server incr", || {
            manager::count(&spawner(), 4, 1_000, Add::ServerIncr).unwrap()
        });
        assert_eq!(r.counted, 4_000, "the server's incr lost updates");
        assert_all_gone(&r.pids);
    }
}

#[test]
fn the_managers_death_is_an_error_for_every_client_not_a_hang() {
    let d = within("manager killed", || {
        manager::manager_dies(&spawner(), 3, Duration::from_millis(100)).unwrap()
    });
    assert!(d.manager_ended.contains("SIGKILL"), "{}", d.manager_ended);
    assert_eq!(d.clients.len(), 3);
    for (pid, line, ended) in &d.clients {
        assert!(
            line.starts_with("failed after") && line.contains("the manager is gone"),
            "client {pid} said {line:?}"
        );
        assert_eq!(ended, "exit code 3", "client {pid}");
    }
    assert!(
        d.all_reported_in < Duration::from_secs(5),
        "{:?}",
        d.all_reported_in
    );
    let pids: Vec<u32> = d.clients.iter().map(|c| c.0).collect();
    assert_all_gone(&pids);
    assert_all_gone(&[d.manager_pid]);
    assert!(!d.socket.exists());
}

#[test]
fn a_proxy_of_a_killed_manager_fails_at_once() {
    let (error, took) = within("call after the kill", || {
        let mut m = Manager::start(&spawner()).unwrap();
        let mut p = m.connect().unwrap();
        p.set(KEY, 1).unwrap();
        m.kill().unwrap();
        let t = Instant::now();
        let e = p.get(KEY).unwrap_err().to_string();
        (e, t.elapsed())
    });
    assert!(error.contains("the manager is gone"), "{error}");
    assert!(
        took < Duration::from_secs(2),
        "{took:?}: it waited for the timeout"
    );
}

#[test]
fn a_client_that_dies_mid_request_does_not_wedge_the_manager() {
    within("half a request", || {
        let m = Manager::start(&spawner()).unwrap();
        let mut p = m.connect().unwrap();
        p.set(KEY, 0).unwrap();
        {
            let mut raw = UnixStream::connect(m.socket()).unwrap();
            raw.write_all(b"incr hits").unwrap(); // no newline: then gone
        }
        let mut q = m.connect().unwrap();
        assert_eq!(q.incr(KEY, 5).unwrap(), 5);
        assert_eq!(p.get(KEY).unwrap(), 5, "the half request changed nothing");
    });
}

#[test]
fn the_demo_runs_without_python_and_says_so() {
    let (pid, out) = Cli::new(BIN)
        .env("PATH", "/nonexistent")
        .env_remove("PYTHON")
        .run_with_pid(&[
            "manager",
            "--increments",
            "200",
            "--shm-increments",
            "1000",
            "--calls",
            "200",
        ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("skipped: the Python rows"), "{text}");
    assert!(text.contains("server-side incr"), "{text}");
    assert!(
        text.contains("4 of 4 clients reported the failure"),
        "{text}"
    );
    assert!(
        text.contains("Processes left running after these runs: 0."),
        "{text}"
    );
    assert!(common::children_of(pid).is_empty());
}

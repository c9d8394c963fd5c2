//! The scenarios' behaviour: every server answers and serves every
//! connection, pre-forked workers share one socket and all die with their
//! master, a broadcast reaches every client, the frame loop counts the
//! frames a blocked loop misses, and nothing is left running, even after Ctrl-C.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use course_support::child::Spawner;
use course_support::testing::{Cli, within};
use scenarios::load::{self, LoadPlan};
use scenarios::procs::{ServerProcess, listener};
use scenarios::realtime::{Placement, frame_loop, run_clients};

const BIN: &str = env!("CARGO_BIN_EXE_scenarios");

fn spawner() -> Spawner {
    Spawner::new(BIN)
}

/// Running, not a zombie (an orphaned worker may wait for an init that
/// does not reap, in a container).
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        s.rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z'))
    })
}

fn assert_none_running(pids: &[u32]) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while pids.iter().any(|p| running(*p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left: Vec<_> = pids.iter().filter(|p| running(**p)).collect();
    assert!(left.is_empty(), "still running: {left:?}");
}

fn start(model: &str, workers: usize) -> ServerProcess {
    let l = listener().unwrap();
    let w = workers.to_string();
    let mut cmd = spawner().command("web-server", ["--model", model, "--workers", &w]);
    let mut s = ServerProcess::spawn(model, &mut cmd, &l).unwrap();
    s.wait_ready(Duration::from_secs(20), |a| load::probe(a, "/"))
        .unwrap();
    s
}

fn load(server: &ServerProcess, path: &str, connections: usize) -> load::LoadResult {
    let plan = LoadPlan {
        addr: server.addr,
        path: path.to_owned(),
        connections,
        duration: Duration::from_millis(300),
    };
    load::runtime().block_on(load::run(&plan))
}

#[test]
fn every_server_answers_both_endpoints_and_serves_every_connection() {
    within("the scenario", Duration::from_secs(60), || {
        for model in ["threads", "async", "prefork"] {
            let server = start(model, 3);
            for path in ["/io?ms=5", "/cpu?n=2000"] {
                let r = load(&server, path, 20);
                assert!(r.ok > 0, "{model} {path}: no answers: {r:?}");
                assert_eq!(r.errors, 0, "{model} {path}: {:?}", r.first_error);
                assert_eq!(r.unserved, 0, "{model} {path}: connections never served");
                assert_eq!(r.latencies_us.len() as u64, r.ok);
            }
            let pids = server.stop();
            assert_none_running(&pids);
        }
    });
}

#[test]
fn async_and_threads_serve_hundreds_of_connections_at_once() {
    within("the scenario", Duration::from_secs(60), || {
        for model in ["threads", "async"] {
            let server = start(model, 1);
            // 300 connections each waiting 100 ms: served one at a time it
            // would take 30 s; at once, every connection gets answers.
            let r = load(&server, "/io?ms=100", 300);
            assert_eq!(r.unserved, 0, "{model}: {r:?}");
            assert!(r.ok >= 300, "{model}: only {} answers", r.ok);
            let pids = server.stop();
            assert_none_running(&pids);
        }
    });
}

fn socket_inode(pid: u32, fd: u32) -> Option<String> {
    std::fs::read_link(format!("/proc/{pid}/fd/{fd}"))
        .ok()
        .map(|p| p.display().to_string())
}

#[test]
fn pre_forked_workers_share_one_listening_socket_and_all_exit() {
    within("the scenario", Duration::from_secs(30), || {
        let server = start("prefork", 3);
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut pids = server.pids();
        while pids.len() < 4 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            pids = server.pids();
        }
        assert_eq!(pids.len(), 4, "a master and 3 workers: {pids:?}");
        let sockets: Vec<_> = pids.iter().map(|p| socket_inode(*p, 3)).collect();
        assert!(
            sockets[0]
                .as_deref()
                .is_some_and(|s| s.starts_with("socket:")),
            "{sockets:?}"
        );
        assert!(
            sockets.iter().all(|s| *s == sockets[0]),
            "one socket: {sockets:?}"
        );
        // Each worker serves one request at a time and closes: 6 connections
        // waiting 100 ms each on 3 workers keep all of them busy.
        let r = load(&server, "/io?ms=100", 6);
        assert!(r.ok >= 3, "{r:?}");
        let gone = server.stop();
        assert_none_running(&gone);
        // The listening socket itself is closed. (Not "connecting fails": tests
        // run in parallel, and another test may already listen on the freed port.)
        let socket = sockets[0].clone().unwrap_or_default();
        let inode = socket.trim_start_matches("socket:[").trim_end_matches(']');
        let tables = ["/proc/net/tcp", "/proc/net/tcp6"]
            .map(|t| std::fs::read_to_string(t).unwrap_or_default())
            .concat();
        assert!(
            !tables
                .lines()
                .any(|l| l.split_whitespace().nth(9) == Some(inode)),
            "nobody holds the listening socket {socket} any more"
        );
    });
}

#[test]
fn a_broadcast_reaches_every_client() {
    within("the scenario", Duration::from_secs(60), || {
        let l = listener().unwrap();
        let mut cmd = spawner().command(
            "ws-server",
            ["--clients", "100", "--messages", "5", "--interval-ms", "10"],
        );
        let mut server = ServerProcess::spawn_reporting("ws", &mut cmd, &l).unwrap();
        drop(l);
        let mut connected_called = false;
        let r =
            load::runtime().block_on(run_clients(server.addr, 100, 5, || connected_called = true));
        server.wait_output(Duration::from_secs(20)).unwrap();
        assert!(connected_called);
        assert_eq!(r.connected, 100, "{:?}", r.first_error);
        assert_eq!(r.complete, 100, "every client got all 5 messages");
        assert_eq!(r.latencies_us.len(), 500);
    });
}

#[test]
fn the_frame_loop_counts_the_frames_a_blocked_loop_misses() {
    let frame = Duration::from_millis(10);
    let blocked = frame_loop(40, frame, || {
        std::thread::sleep(Duration::from_millis(150));
        Box::new(|| Some(1))
    });
    assert!(
        blocked.missed >= 13,
        "150 ms blocked spans 15 frames: {blocked:?}"
    );
    assert!(blocked.worst_late_ms >= 100.0, "{blocked:?}");
    assert!(blocked.answer_ms.is_some());
    let free = frame_loop(40, frame, || {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(150));
            tx.send(1)
        });
        Box::new(move || rx.try_recv().ok())
    });
    assert!(
        free.answer_ms.is_some(),
        "the answer came back in time: {free:?}"
    );
    assert!(
        free.missed < blocked.missed,
        "work elsewhere must miss fewer frames: {free:?} vs {blocked:?}"
    );
}

#[test]
fn the_placements_run_and_the_computation_answers() {
    let r = scenarios::realtime::run_placement(
        Placement::Process,
        20,
        Duration::from_millis(10),
        50_000,
        &spawner(),
    )
    .unwrap();
    assert!(
        r.answer_ms.is_some(),
        "the child process finished in time: {r:?}"
    );
    let r = scenarios::realtime::run_placement(
        Placement::Thread,
        20,
        Duration::from_millis(10),
        50_000,
        &spawner(),
    )
    .unwrap();
    assert!(r.answer_ms.is_some(), "{r:?}");
}

#[test]
fn collect_end_to_end_receives_every_reading_and_every_parser_agrees() {
    let out = Cli::new(BIN).limit(Duration::from_secs(60)).stdout_of(&[
        "collect",
        "--sensors",
        "50",
        "--every-ms",
        "20",
        "--for-ms",
        "300",
        "--csv-mib",
        "2",
        "--no-python",
    ]);
    let row = out
        .lines()
        .find(|l| l.starts_with("| Rust: tokio"))
        .expect(&out);
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    assert_eq!(cells[2], cells[3], "received all that was sent: {row}");
    let parsers: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("| Rust: ") && l.contains('x'))
        .collect();
    assert_eq!(parsers.len(), 3, "{out}");
    assert!(
        parsers
            .iter()
            .all(|l| l.split('|').map(str::trim).nth(5) == Some("yes")),
        "{out}"
    );
}

/// Processes whose parent is `pid`, and theirs, recursively.
fn descendants(pid: u32) -> Vec<u32> {
    let mut all = Vec::new();
    let mut frontier = vec![pid];
    while let Some(p) = frontier.pop() {
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Some(child) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
                continue;
            };
            let ppid = stat
                .rsplit_once(") ")
                .and_then(|(_, r)| r.split_whitespace().nth(1)?.parse::<u32>().ok());
            if ppid == Some(p) {
                all.push(child);
                frontier.push(child);
            }
        }
    }
    all
}

#[test]
fn ctrl_c_leaves_no_server_or_worker_behind() {
    let mut child = Command::new(BIN)
        .args([
            "web",
            "--no-python",
            "--levels",
            "10",
            "--cpu-levels",
            "10",
            "--ms",
            "20000",
            "--workers",
            "2",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until its first server is up (a grandchild exists).
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        seen = descendants(child.id());
        if !seen.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!seen.is_empty(), "no server started");
    // SAFETY: kill(2) takes two integers.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = course_support::child::wait_timeout(&mut child, Duration::from_secs(10)).unwrap();
    let _ = child.kill();
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(130),
        "ended by the Ctrl-C handler"
    );
    assert_none_running(&seen);
}

//! Canonical tests for `manager-counter`: a server that serialises
//! increments for many client processes, survives crashed clients, and whose
//! death the clients report instead of hanging.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use course_support::testing::{LineChild, TaggedChildren as Tagged, within};
use manager_counter::{ANSWER_TIMEOUT, Client, serve};

const NODE: &str = env!("CARGO_BIN_EXE_manager-node");
const LIMIT: Duration = Duration::from_secs(20);

/// A folder for the socket, removed when the test ends.
fn socket_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("manager-counter-")
        .tempdir()
        .expect("a temporary directory");
    let path = dir.path().join("manager.sock");
    (dir, path)
}

/// The server on a thread of this test process.
fn server_thread(path: &Path) {
    let listener = UnixListener::bind(path).expect("bind the socket");
    std::thread::spawn(move || serve(listener));
}

/// A manager-node process that says `ready` and waits for `go`, killed and
/// reaped when dropped.
type Proc = LineChild;

fn start(t: &Tagged, args: &[&str]) -> Proc {
    t.start_line_child(NODE, args)
}

/// `processes` clients x `times` increments of `key`, all released together;
/// returns each client's last line.
fn run_clients(t: &Tagged, path: &Path, key: &str, processes: usize, times: u64) -> Vec<String> {
    let path = path.to_str().unwrap();
    let times = times.to_string();
    let mut clients: Vec<Proc> = (0..processes)
        .map(|_| start(t, &["client", path, key, &times]))
        .collect();
    for c in &mut clients {
        let said = c.line();
        assert_eq!(said, "ready", "a client could not connect: {said:?}");
    }
    for c in &mut clients {
        c.go();
    }
    clients.iter_mut().map(LineChild::line).collect()
}

#[test]
fn one_client_increments_and_reads() {
    let (_dir, path) = socket_dir();
    server_thread(&path);
    within("one client", LIMIT, move || {
        let mut c = Client::connect(&path).expect("connect to the server");
        assert_eq!(
            c.get("new").expect("get"),
            0,
            "a key never incremented is 0"
        );
        assert_eq!(c.incr("a", 5).expect("incr"), 5);
        assert_eq!(c.incr("a", -2).expect("incr"), 3);
        assert_eq!(c.get("a").expect("get"), 3);
        let mut other = Client::connect(&path).unwrap();
        assert_eq!(
            other.get("a").unwrap(),
            3,
            "one map, shared by every connection"
        );
    });
}

#[test]
fn many_client_processes_count_exactly() {
    let (_dir, path) = socket_dir();
    server_thread(&path);
    let t = Tagged::new("manager-counter-test");
    within("4 clients x 500, three rounds", LIMIT, move || {
        for round in 1..=3u64 {
            let said = run_clients(&t, &path, "hits", 4, 500);
            assert!(
                said.iter().all(|s| s == "done"),
                "round {round}: every client should finish: {said:?}"
            );
            let total = Client::connect(&path).unwrap().get("hits").unwrap();
            assert_eq!(
                total,
                round as i64 * 2_000,
                "round {round}: 4 processes x 500 increments: {} were lost. The server must \
                 read and write the value under one lock",
                round as i64 * 2_000 - total
            );
        }
    });
}

#[test]
fn threads_sharing_the_server_count_exactly() {
    let (_dir, path) = socket_dir();
    server_thread(&path);
    let total = within("8 threads x 1,000", LIMIT, move || {
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    let mut c = Client::connect(&path).unwrap();
                    for _ in 0..1_000 {
                        c.incr("k", 1).unwrap();
                    }
                });
            }
        });
        Client::connect(&path).unwrap().get("k").unwrap()
    });
    assert_eq!(
        total, 8_000,
        "lost increments: one connection per thread, one map"
    );
}

#[test]
fn a_crashed_client_does_not_wedge_the_server() {
    let (_dir, path) = socket_dir();
    server_thread(&path);
    let t = Tagged::new("manager-counter-test");
    within("crashed clients", LIMIT, move || {
        // Half a request, then gone.
        let mut raw = UnixStream::connect(&path).unwrap();
        raw.write_all(b"incr hits").unwrap();
        drop(raw);
        // Garbage gets an `err` answer, and the connection still works.
        let mut raw = UnixStream::connect(&path).unwrap();
        raw.write_all(b"frobnicate\nget hits\n").unwrap();
        let mut lines = BufReader::new(raw).lines();
        let first = lines.next().unwrap().unwrap();
        assert!(
            first.starts_with("err"),
            "garbage should get `err ...`, got {first:?}"
        );
        assert_eq!(lines.next().unwrap().unwrap(), "ok 0");
        // A client process killed in the middle of its loop.
        let p = path.to_str().unwrap();
        let mut victim = start(&t, &["client", p, "hits", "0"]);
        assert_eq!(victim.line(), "ready");
        victim.go();
        std::thread::sleep(Duration::from_millis(100));
        victim.kill();
        let mut c = Client::connect(&path).expect("the server still accepts");
        let before = c.get("hits").expect("the server still answers");
        assert!(before > 0, "the killed client's increments landed");
        assert_eq!(c.incr("hits", 1).unwrap(), before + 1);
        let said = run_clients(&t, &path, "other", 2, 100);
        assert!(said.iter().all(|s| s == "done"), "{said:?}");
        assert_eq!(c.get("other").unwrap(), 200);
    });
}

#[test]
fn the_servers_death_is_an_error_for_its_clients() {
    let (_dir, path) = socket_dir();
    let t = Tagged::new("manager-counter-test");
    within("server killed", LIMIT, move || {
        let p = path.to_str().unwrap().to_owned();
        let mut server = start(&t, &["server", &p]);
        assert_eq!(server.line(), "ready");
        let mut mine = Client::connect(&path).unwrap();
        assert_eq!(mine.incr("x", 1).unwrap(), 1);
        let mut looping = start(&t, &["client", &p, "x", "0"]);
        assert_eq!(looping.line(), "ready");
        looping.go();
        std::thread::sleep(Duration::from_millis(100));
        server.kill();
        let started = Instant::now();
        let err = mine.incr("x", 1);
        assert!(
            err.is_err(),
            "the server is dead: incr must return an error, not {err:?}"
        );
        assert!(
            started.elapsed() < ANSWER_TIMEOUT,
            "a dead server closes the connection: notice the end of file at once, \
             do not wait for the timeout ({:?})",
            started.elapsed()
        );
        let said = looping.line();
        assert!(
            said.starts_with("error"),
            "a client process looping on incr should stop with an error, it said {said:?}"
        );
        assert!(
            Client::connect(&path).is_err() || Client::connect(&path).unwrap().get("x").is_err(),
            "nobody serves the socket any more"
        );
    });
}

#[test]
fn a_server_that_never_answers_is_a_timeout_not_a_hang() {
    let (_dir, path) = socket_dir();
    // Bound but never served: connect succeeds (the backlog), no answer comes.
    let _listener = UnixListener::bind(&path).unwrap();
    let (result, took) = within("silent server", LIMIT, move || {
        let started = Instant::now();
        let r = Client::connect(&path).and_then(|mut c| c.incr("x", 1));
        (r, started.elapsed())
    });
    assert!(
        result.is_err(),
        "no answer must be an error, not {result:?}"
    );
    assert!(
        took >= ANSWER_TIMEOUT / 2 && took < ANSWER_TIMEOUT * 3,
        "gave up after {took:?}: wait about ANSWER_TIMEOUT ({ANSWER_TIMEOUT:?}) (set_read_timeout)"
    );
}

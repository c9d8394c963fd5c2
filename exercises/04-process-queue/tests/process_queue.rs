//! Canonical tests for `process-queue`: every message exactly once, all
//! producers at once, crashed and hung producers reported, nothing left.

use std::collections::{HashMap, HashSet};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use course_support::testing::TaggedChildren as Tagged;
use process_queue::{Fault, Message, Plan, Report, collect};

const PRODUCER: &str = env!("CARGO_BIN_EXE_producer");

/// Runs `collect` on another thread, so a hang fails with a message.
fn run(plans: Vec<Plan>, timeout: Duration) -> Report {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(collect(Path::new(PRODUCER), &plans, timeout).map_err(|e| e.to_string()));
    });
    match rx.recv_timeout(timeout + Duration::from_secs(10)) {
        Ok(Ok(report)) => report,
        Ok(Err(e)) => panic!("collect returned an error: {e}"),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "collect did not return within 10 s after its timeout: producers still running \
             at the deadline must be killed, and nothing may wait for them forever"
        ),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            panic!("collect panicked (see its message above)")
        }
    }
}

/// `plan`, with `t`'s tag on the producer's command line.
fn tagged(t: &Tagged, mut plan: Plan) -> Plan {
    plan.tag = Some(t.tag().to_owned());
    plan
}

fn crash(messages: u64, fault: Fault, after: u64) -> Plan {
    Plan {
        fault: Some((fault, after)),
        ..Plan::ok(messages)
    }
}

/// Checks that producer `p` delivered exactly `0..n`, once each.
fn assert_delivered(report: &Report, p: u32, n: u64) {
    let mut seen = HashSet::new();
    for m in report.messages.iter().filter(|m| m.producer == p) {
        assert!(
            seen.insert(m.seq),
            "message {} of producer {p} arrived twice",
            m.seq
        );
    }
    let missing: Vec<u64> = (0..n).filter(|s| !seen.contains(s)).take(5).collect();
    assert!(
        missing.is_empty(),
        "producer {p} sent messages 0..{n}, but {} arrived; missing e.g. {missing:?} \
         (don't drop the first message that accept() returns, and keep receiving until \
         every producer is gone)",
        seen.len()
    );
    assert_eq!(
        seen.len() as u64,
        n,
        "producer {p}: unexpected extra messages"
    );
}

fn assert_none_left(report: &Report, tagged: &Tagged) {
    for p in &report.producers {
        // SAFETY: signal 0 only checks for existence.
        let exists = unsafe { libc::kill(p.pid as i32, 0) == 0 };
        assert!(
            !exists,
            "producer {} (pid {}) still exists after collect returned: wait for every \
             producer, also the ones you killed",
            p.id, p.pid
        );
    }
    assert!(tagged.running().is_empty(), "a producer is still running");
}

#[test]
fn every_message_arrives_exactly_once() {
    let t = Tagged::new("process-queue-test");
    let plans = (0..5).map(|_| tagged(&t, Plan::ok(1_000))).collect();
    let report = run(plans, Duration::from_secs(15));
    assert_eq!(report.producers.len(), 5, "one ProducerEnd per plan");
    for p in 0..5 {
        assert_delivered(&report, p, 1_000);
    }
    assert_eq!(report.messages.len(), 5_000);
    assert!(
        report.died().is_empty(),
        "no producer should die: {:?}",
        report.producers
    );
    let ids: Vec<u32> = report.producers.iter().map(|p| p.id).collect();
    assert_eq!(ids, [0, 1, 2, 3, 4], "producers are reported in plan order");
    let pids: HashSet<u32> = report.producers.iter().map(|p| p.pid).collect();
    assert_eq!(pids.len(), 5, "each producer is its own process");
    assert!(!pids.contains(&std::process::id()));
    assert_none_left(&report, &t);
}

#[test]
fn producers_run_at_the_same_time() {
    let t = Tagged::new("process-queue-test");
    // Removed when the test ends, also when it fails.
    let meeting = tempfile::Builder::new()
        .prefix(t.tag())
        .tempdir()
        .expect("a temporary directory");
    let dir: PathBuf = meeting.path().to_owned();
    let plans = (0..4)
        .map(|_| {
            tagged(
                &t,
                Plan {
                    meet: Some((dir.clone(), 4)),
                    ..Plan::ok(50)
                },
            )
        })
        .collect();
    let report = run(plans, Duration::from_secs(15));
    for p in &report.producers {
        assert_eq!(
            p.status.code(),
            Some(0),
            "producer {} gave up waiting for the other producers (exit code 3 means it \
             waited 1.5 s alone): start every producer before accepting or receiving",
            p.id
        );
    }
    for p in 0..4 {
        assert_delivered(&report, p, 50);
    }
    assert_none_left(&report, &t);
}

#[test]
fn crashed_producers_are_reported_and_what_they_sent_arrives() {
    let t = Tagged::new("process-queue-test");
    let plans = vec![
        tagged(&t, Plan::ok(300)),
        tagged(&t, crash(300, Fault::Panic, 50)),
        tagged(&t, crash(300, Fault::Abort, 1)),
        tagged(&t, Plan::ok(300)),
    ];
    let report = run(plans, Duration::from_secs(15));
    assert_eq!(
        report.died(),
        [1, 2],
        "producers 1 and 2 crash; the others finish"
    );
    let by_id: HashMap<u32, _> = report.producers.iter().map(|p| (p.id, p.status)).collect();
    assert_eq!(
        by_id[&1].code(),
        Some(101),
        "a panicking producer exits with code 101"
    );
    assert_eq!(
        by_id[&2].signal(),
        Some(6),
        "an aborting producer is killed by SIGABRT"
    );
    assert_delivered(&report, 0, 300);
    assert_delivered(&report, 1, 50);
    assert_delivered(&report, 2, 1);
    assert_delivered(&report, 3, 300);
    assert_none_left(&report, &t);
}

#[test]
fn a_hanging_producer_is_killed_at_the_timeout() {
    let t = Tagged::new("process-queue-test");
    let plans = vec![
        tagged(&t, Plan::ok(200)),
        tagged(&t, crash(200, Fault::Hang, 10)),
        tagged(&t, Plan::ok(200)),
    ];
    let report = run(plans, Duration::from_millis(1_500));
    assert_eq!(
        report.died(),
        [1],
        "the hanging producer must be killed at the timeout and reported as died"
    );
    assert!(
        report.producers[1].status.signal().is_some(),
        "the hanging producer should end killed by a signal: {:?}",
        report.producers[1].status
    );
    assert_delivered(&report, 0, 200);
    assert_delivered(&report, 1, 10);
    assert_delivered(&report, 2, 200);
    assert_none_left(&report, &t);
}

#[test]
fn messages_keep_their_producer_and_number() {
    let t = Tagged::new("process-queue-test");
    let report = run(vec![tagged(&t, Plan::ok(3))], Duration::from_secs(10));
    let mut got = report.messages.clone();
    got.sort_by_key(|m| m.seq);
    assert_eq!(
        got,
        [0, 1, 2].map(|seq| Message { producer: 0, seq }),
        "one producer with 3 messages"
    );
    assert_none_left(&report, &t);
}

#[test]
fn a_producer_that_cannot_start_is_an_error() {
    // A path where no program is: every spawn fails.
    let empty = tempfile::tempdir().expect("a temporary directory");
    let missing = empty.path().join("no-such-producer");
    let plans = vec![Plan::ok(3), Plan::ok(3)];
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let result = collect(&missing, &plans, Duration::from_secs(2)).map(|r| r.producers.len());
        let _ = tx.send(result.map_err(|e| e.to_string()));
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(Err(_)) => {}
        Ok(Ok(reported)) => panic!(
            "collect returned Ok (with {reported} of 2 producers reported) although no producer \
             could be started: a producer that cannot start is an error. Return the spawn \
             error with `?` instead of skipping that plan: a report that silently lacks a \
             producer looks like a producer that sent nothing"
        ),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "collect did not return within 10 s when no producer could be started: return \
             the spawn error at once (with `?`)"
        ),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!(
            "collect panicked when a producer could not be started (see its message above): \
             return the error instead (with `?`)"
        ),
    }
}

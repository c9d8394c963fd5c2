//! Many producer processes, one consumer: every message exactly once; a
//! crashing or hanging producer is reported, never waited for.

mod common;

use std::time::Duration;

use common::{assert_all_gone, spawner, within};
use course_support::child::describe;
use lesson_04_ipc::queue::{self, Crash, Plan};

fn pids(run: &queue::Collected) -> Vec<u32> {
    run.producers.iter().map(|p| p.pid).collect()
}

#[test]
fn all_messages_from_k_producers_arrive_exactly_once() {
    let plans = vec![Plan::ok(2_000); 6];
    let run = within("queue::run", move || {
        queue::run(&spawner(), &plans, Duration::from_secs(20)).unwrap()
    });
    assert_eq!(run.total, 12_000);
    assert!(run.exactly_once(), "{:?}", run.producers);
    assert!(!run.timed_out);
    let mut distinct = pids(&run);
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 6, "each producer is its own process");
    for p in &run.producers {
        assert!(
            p.status.success(),
            "producer {}: {}",
            p.id,
            describe(p.status)
        );
    }
    assert_all_gone(&pids(&run));
}

#[test]
fn a_crashing_producer_is_reported_with_what_it_sent_before() {
    let plans = [
        Plan::ok(500),
        Plan::crash(500, 120, Crash::Panic),
        Plan::crash(500, 7, Crash::Abort),
        Plan::crash(500, 0, Crash::Panic),
    ];
    let run = within("queue::run with crashes", move || {
        queue::run(&spawner(), &plans, Duration::from_secs(20)).unwrap()
    });
    assert!(!run.timed_out, "crashes end the stream; no timeout needed");
    let got: Vec<u64> = run.producers.iter().map(|p| p.received).collect();
    assert_eq!(got, [500, 120, 7, 0], "messages sent before a crash arrive");
    assert!(run.exactly_once());
    let p = &run.producers;
    assert!(p[0].status.success());
    assert_eq!(p[1].status.code(), Some(101), "a Rust panic exits with 101");
    assert_eq!(
        p[1].stderr,
        "panicked: producer 1 crashes after 120 messages"
    );
    assert_eq!(describe(p[2].status), "killed by SIGABRT (signal 6)");
    assert_eq!(p[3].status.code(), Some(101));
    assert_all_gone(&pids(&run));
}

#[test]
fn a_hanging_producer_is_killed_at_the_deadline() {
    let plans = [Plan::ok(300), Plan::crash(300, 10, Crash::Hang)];
    let run = within("queue::run with a hang", move || {
        queue::run(&spawner(), &plans, Duration::from_millis(1_500)).unwrap()
    });
    assert!(run.timed_out, "the watchdog must fire");
    assert_eq!(run.producers[0].received, 300);
    assert!(run.producers[0].status.success());
    assert_eq!(run.producers[1].received, 10);
    assert_eq!(
        describe(run.producers[1].status),
        "killed by SIGKILL (signal 9)"
    );
    assert_all_gone(&pids(&run));
}

//! Children are real processes: their own pids, our pid as their parent,
//! their exit codes come back, and terminate stops one that never would.

mod common;

use std::time::Duration;

use common::{assert_all_gone, spawner, within};
use course_support::child::{describe, python_exitcode};
use lesson_04_ipc::process;

#[test]
fn children_are_separate_processes_with_us_as_parent() {
    let reports = within("start_and_join", || {
        process::start_and_join(&spawner(), &[0, 0, 0, 0]).unwrap()
    });
    let me = std::process::id();
    let mut pids: Vec<u32> = reports.iter().map(|r| r.pid).collect();
    for r in &reports {
        assert_eq!(
            r.own_pid, r.pid,
            "the child saw a different pid than spawn returned"
        );
        assert_ne!(r.pid, me, "a child is not this process");
        assert_eq!(r.parent, me, "the child's parent pid must be ours");
    }
    pids.sort_unstable();
    pids.dedup();
    assert_eq!(pids.len(), 4, "4 children, 4 different pids: {reports:?}");
    assert_all_gone(&pids);
}

#[test]
fn exit_codes_propagate() {
    let codes = [0, 1, 3, 42, 255];
    let reports = within("start_and_join", move || {
        process::start_and_join(&spawner(), &codes).unwrap()
    });
    for (r, code) in reports.iter().zip(codes) {
        assert_eq!(r.status.code(), Some(code), "{}", describe(r.status));
        assert_eq!(python_exitcode(r.status), Some(code));
    }
    assert_all_gone(&reports.iter().map(|r| r.pid).collect::<Vec<_>>());
}

#[test]
fn terminate_kills_a_child_that_loops_forever_and_reaps_it() {
    let t = within("terminate_forever", || {
        process::terminate_forever(&spawner(), Duration::from_millis(100)).unwrap()
    });
    assert!(
        t.running_after_wait,
        "the endless child had already stopped"
    );
    assert_eq!(describe(t.status), "killed by SIGTERM (signal 15)");
    assert_eq!(python_exitcode(t.status), Some(-15));
    assert!(t.gone, "the terminated child was not reaped");
    assert_all_gone(&[t.pid]);
}

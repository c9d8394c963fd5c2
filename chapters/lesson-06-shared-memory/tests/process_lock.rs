//! multiprocessing.Lock: a robust process-shared mutex excludes across
//! processes, and a holder killed while holding it is recovered from.

#![cfg(target_os = "linux")]

mod common;

use std::time::Duration;

use common::{assert_all_gone, listed, spawner, within};
use lesson_06_shared_memory::plock::{self, OnOwnerDead, Taken};

/// Each round reads, yields the CPU, then writes: without exclusion the
/// processes overwrite each other; under the lock nothing is lost.
#[test]
fn the_lock_excludes_across_processes() {
    for _ in 0..3 {
        let r = within("locked rounds", || {
            plock::count(&spawner(), 4, 3_000, true, true).unwrap()
        });
        assert_eq!(r.counted, 12_000, "updates lost under the lock");
        assert_all_gone(&r.pids);
        assert!(!listed(&r.segment));
    }
}

/// The same rounds without the lock do lose updates: the test above can fail.
#[test]
fn without_the_lock_the_same_rounds_lose_updates() {
    let lossy = within("unlocked rounds", || {
        (0..5)
            .map(|_| plock::count(&spawner(), 4, 3_000, false, true).unwrap())
            .find(|r| r.counted < r.expected)
    });
    assert!(lossy.is_some(), "5 unlocked runs lost nothing");
}

#[test]
fn a_holder_killed_while_holding_is_recovered_by_the_next_taker() {
    let d = within("dead holder", || {
        plock::dead_holder(&spawner(), OnOwnerDead::Recover).unwrap()
    });
    assert!(d.holder_ended.contains("SIGKILL"), "{}", d.holder_ended);
    assert_eq!(
        d.first,
        Ok(Taken::OwnerDied {
            pid: d.holder_pid,
            dirty: true
        }),
        "the next taker gets EOWNERDEAD and sees who died mid-update"
    );
    assert!(d.first_wait < Duration::from_secs(1), "{:?}", d.first_wait);
    assert_eq!(d.second, Ok(Taken::Clean), "after consistent, a clean lock");
    assert_eq!(d.recoveries, 1);
    assert_all_gone(&[d.holder_pid]);
    assert!(!listed(&d.segment));
}

#[test]
fn unlocking_without_consistent_makes_the_lock_unusable() {
    let d = within("forgotten recovery", || {
        plock::dead_holder(&spawner(), OnOwnerDead::Forget).unwrap()
    });
    assert!(
        matches!(d.first, Ok(Taken::OwnerDied { .. })),
        "{:?}",
        d.first
    );
    let second = d.second.unwrap_err();
    assert!(second.contains("ENOTRECOVERABLE"), "{second}");
    assert_eq!(d.recoveries, 0);
}

#[test]
fn the_demo_runs_without_python_and_says_so() {
    let out = course_support::testing::Cli::new(common::BIN)
        .env("PATH", "/nonexistent")
        .env_remove("PYTHON")
        .run(&["lock", "--rounds", "2000"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("skipped: the Python rows"), "{text}");
    assert!(text.contains("taken with EOWNERDEAD"), "{text}");
    assert!(text.contains("ENOTRECOVERABLE"), "{text}");
}

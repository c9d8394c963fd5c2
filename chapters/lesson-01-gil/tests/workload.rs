//! The chapter's claims about the three ways of running work, the convoy
//! effect and lock-free sharing, checked as behaviour (never as timings).

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{GENEROUS, Rendezvous, within};
use course_support::count_primes;
use lesson_01_gil::convoy::{self, HOG_LANE, IO_LANE};
use lesson_01_gil::interpreter_lock::InterpreterLock;
use lesson_01_gil::no_gil::count_primes_shared;
use lesson_01_gil::timeline::{Activity, max_running_at_once};
use lesson_01_gil::workload::{Job, Mode, Workload, free_workers, locked_workers, run};

fn small_job(workload: Workload) -> Job {
    Job {
        numbers: 5_000,
        io_wait: Duration::from_millis(2),
        ..Job::new(workload, 6)
    }
}

#[test]
fn every_mode_finds_the_same_primes() {
    for workload in [Workload::Cpu, Workload::Io] {
        let job = small_job(workload);
        let expected = job.expected();
        assert_eq!(expected, count_primes(job.range(0).start..job.range(5).end));
        for mode in Mode::ALL {
            for workers in [1, 2, 3, 8] {
                let r = within("a small run", move || run(&job, mode, workers));
                assert_eq!(
                    r.primes, expected,
                    "{mode:?} with {workers} workers on {workload:?}"
                );
            }
        }
    }
}

#[test]
fn threads_under_the_lock_never_run_at_the_same_time() {
    let job = Job {
        switch_interval: Duration::from_micros(100),
        ..small_job(Workload::Cpu)
    };
    let r = within("a locked run", move || run(&job, Mode::LockedThreads, 4));
    let running: Vec<_> = r
        .slices
        .iter()
        .filter(|s| s.activity == Activity::Running)
        .collect();
    assert!(!running.is_empty(), "the locked run recorded nothing");
    assert_eq!(max_running_at_once(&r.slices), 1, "two T lanes ran at once");
}

#[test]
fn free_workers_run_at_the_same_time() {
    // All four tasks must be in progress together for the rendezvous to open.
    let meet = Arc::new(Rendezvous::new(4));
    let met = within("4 free workers meeting", move || {
        free_workers(4, 4, |_, _| u64::from(meet.arrive(GENEROUS)))
    });
    assert_eq!(met, 4, "free workers did not run at the same time");
}

#[test]
fn locked_workers_meet_only_while_waiting_for_io() {
    let lock = Arc::new(InterpreterLock::new(Duration::from_millis(5)));
    let meet = Arc::new(Rendezvous::new(4));
    let met = within("4 locked workers meeting in allow_threads", move || {
        locked_workers(&lock, 4, 4, |held, _| {
            u64::from(held.allow_threads(|| meet.arrive(GENEROUS)))
        })
    });
    assert_eq!(met, 4, "I/O waits under the lock did not overlap");

    let lock = Arc::new(InterpreterLock::new(Duration::from_millis(5)));
    let meet = Arc::new(Rendezvous::new(2));
    let met = within("2 locked workers meeting while holding", move || {
        locked_workers(&lock, 2, 2, |_, _| {
            u64::from(meet.arrive(Duration::from_millis(100)))
        })
    });
    assert_eq!(met, 0, "two workers ran at once while holding the lock");
}

#[test]
fn every_task_runs_exactly_once() {
    let lock = InterpreterLock::new(Duration::ZERO);
    // Task i returns 2^i: any task lost or repeated changes the sum.
    let all = (1u64 << 20) - 1;
    assert_eq!(free_workers(3, 20, |_, i| 1 << i), all);
    assert_eq!(locked_workers(&lock, 3, 20, |_, i| 1 << i), all);
}

#[test]
fn io_thread_waits_behind_a_cpu_hog_after_every_call() {
    let run = within("the convoy", || {
        convoy::run(
            20,
            Duration::from_micros(100),
            Duration::from_millis(1),
            true,
        )
    });
    let lanes: Vec<usize> = run
        .slices
        .iter()
        .filter(|s| s.activity == Activity::Running)
        .map(|s| s.lane)
        .collect();
    // The hog runs first; after that, every turn of the I/O thread is followed
    // by one of the hog: the I/O thread never gets the lock straight back.
    assert_eq!(
        lanes.first(),
        Some(&HOG_LANE),
        "the hog did not start first: {lanes:?}"
    );
    assert!(
        lanes.windows(2).all(|w| w[0] != w[1]),
        "the I/O thread got the lock back without waiting for the hog: {lanes:?}"
    );
    // One turn before each of the 20 calls, and one after the last.
    let io_turns = lanes.iter().filter(|&&l| l == IO_LANE).count();
    assert_eq!(io_turns, 21, "{lanes:?}");
}

#[test]
fn io_thread_alone_never_waits_for_the_lock() {
    let run = within("the I/O thread alone", || {
        convoy::run(
            10,
            Duration::from_micros(100),
            Duration::from_millis(5),
            false,
        )
    });
    assert!(run.slices.iter().all(|s| s.lane == IO_LANE));
}

#[test]
fn threads_share_one_vec_without_a_lock_and_agree() {
    let numbers: Vec<u64> = (0..50_000).collect();
    let expected = count_primes(0..50_000);
    for threads in [1, 2, 3, 7, 64] {
        assert_eq!(
            count_primes_shared(&numbers, threads),
            expected,
            "{threads} threads"
        );
    }
    assert_eq!(count_primes_shared(&[], 4), 0);
}

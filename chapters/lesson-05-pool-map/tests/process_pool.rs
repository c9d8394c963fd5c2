//! The pool of worker processes: input order, the same answers as one
//! thread, separate processes, completion order, and failures that are
//! reported (never a hang) and leave no process behind.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{GENEROUS, assert_all_gone, spawner, within};
use course_support::child::{Signal, Spawner, signal};
use lesson_05_pool_map::chunks::{blocks, count_block};
use lesson_05_pool_map::process_pool::{PoolError, ProcessPool};
use lesson_05_pool_map::remote::{CountPrimes, PrintItem, SleepThenEcho, SquareOrPanic};

fn start(workers: usize) -> ProcessPool {
    ProcessPool::start(&spawner(), workers)
        .expect("the pool starts")
        .with_timeout(GENEROUS)
}

#[test]
fn map_returns_input_order_and_the_same_answers_as_one_thread() {
    let items = blocks(0..60_000, 23);
    let expected: Vec<u64> = items.iter().map(count_block).collect();
    let (results, pids) = within("process map", move || {
        let mut results = Vec::new();
        let mut pids = Vec::new();
        for prefetch in [1, 2, 3] {
            let mut pool = start(3).with_prefetch(prefetch);
            for chunk in [1, 4, 23, 100] {
                results.push(pool.map::<CountPrimes>(&items, chunk).unwrap());
            }
            pids.extend(pool.pids());
            let statuses = pool.close().unwrap();
            assert!(statuses.iter().all(|s| s.success()), "{statuses:?}");
        }
        (results, pids)
    });
    for r in results {
        assert_eq!(r, expected);
    }
    assert_all_gone(&pids);
}

#[test]
fn workers_are_separate_processes() {
    let (spawned, reported, chunk_pids) = within("pids", || {
        let mut pool = start(2);
        let items: Vec<u64> = (0..8).collect();
        // 4 chunks: each worker gets one of the first two, so both report.
        let report = pool.map_report::<PrintItem>(&items, 2).unwrap();
        let out = (
            pool.pids(),
            pool.reported_pids().to_vec(),
            report.chunk_pids,
        );
        pool.close().unwrap();
        out
    });
    let me = std::process::id();
    let distinct: BTreeSet<u32> = reported.iter().copied().collect();
    assert_eq!(distinct.len(), 2, "two workers, two pids: {reported:?}");
    assert!(
        !distinct.contains(&me),
        "a worker reported the parent's pid {me}"
    );
    assert_eq!(
        distinct,
        spawned.iter().copied().collect(),
        "the pids workers report are the ones we spawned"
    );
    let used: BTreeSet<u32> = chunk_pids.iter().copied().collect();
    assert_eq!(used, distinct, "both workers ran chunks: {chunk_pids:?}");
    assert_all_gone(&spawned);
}

#[test]
fn imap_unordered_yields_a_slow_first_item_last() {
    let order = within("process imap_unordered", || {
        let mut pool = start(2);
        // Item 0 sleeps 1.5 s; the other worker does items 1..9 meanwhile.
        let jobs: Vec<(u64, u64)> = (0..10)
            .map(|i| (i, if i == 0 { 1_500 } else { 0 }))
            .collect();
        let mut order = Vec::new();
        pool.imap_unordered::<SleepThenEcho>(&jobs, 1, |index, value| {
            assert_eq!(index as u64, value);
            order.push(value);
        })
        .unwrap();
        pool.close().unwrap();
        order
    });
    assert_eq!(order.last(), Some(&0), "item 0 should come last: {order:?}");
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        (0..10).collect::<Vec<_>>(),
        "every item exactly once"
    );
}

#[test]
fn with_prefetch_a_chunk_queued_behind_a_slow_one_waits_for_it() {
    let order = within("prefetch", || {
        // Worker 0 holds items 0 (slow) and 2; worker 1 holds 1 and 3, then takes the rest.
        let mut pool = start(2).with_prefetch(2);
        let jobs: Vec<(u64, u64)> = (0..10)
            .map(|i| (i, if i == 0 { 1_500 } else { 0 }))
            .collect();
        let mut order = Vec::new();
        pool.imap_unordered::<SleepThenEcho>(&jobs, 1, |_, value| order.push(value))
            .unwrap();
        pool.close().unwrap();
        order
    });
    assert_eq!(
        order[8..],
        [0, 2],
        "item 2 waited in worker 0's pipe: {order:?}"
    );
}

#[test]
fn every_printed_line_arrives_once_and_results_stay_in_order() {
    let report = within("printing", || {
        let mut pool = start(3);
        let items: Vec<u64> = (0..40).collect();
        let report = pool.map_report::<PrintItem>(&items, 4).unwrap();
        pool.close().unwrap();
        report
    });
    assert_eq!(report.results, (0..40).collect::<Vec<_>>());
    let mut printed: Vec<u64> = report
        .printed
        .iter()
        .map(|(_, l)| l.parse().unwrap())
        .collect();
    printed.sort_unstable();
    assert_eq!(printed, (0..40).collect::<Vec<_>>());
}

#[test]
fn a_panicking_task_is_an_error_not_a_hang_and_leaves_no_process() {
    let (err, again, pids) = within("crash", || {
        // Two chunks in flight: the error names the one that was running.
        let mut pool = start(2).with_prefetch(2);
        let pids = pool.pids();
        let items = [0, 1, 2, -3, 4, 5, 6, 7];
        let err = pool.map::<SquareOrPanic>(&items, 2).unwrap_err();
        let again = pool.map::<SquareOrPanic>(&[1], 1).unwrap_err();
        (err, again, pids)
        // The pool drops here.
    });
    match &err {
        PoolError::WorkerDied {
            status,
            chunk,
            stderr,
            ..
        } => {
            assert_eq!(status, "exit code 101", "a Rust panic exits with 101");
            assert_eq!(chunk.clone(), Some((1, 2..4)), "item 3 is in chunk 1");
            let last = stderr.last().map(String::as_str).unwrap_or_default();
            assert!(last.contains("negative input: -3"), "{stderr:?}");
        }
        other => panic!("expected WorkerDied, got {other}"),
    }
    assert!(matches!(again, PoolError::Broken(_)), "{again}");
    assert_all_gone(&pids);
}

#[test]
fn a_worker_killed_from_outside_is_reported() {
    let (err, pids) = within("killed worker", || {
        let mut pool = start(2).with_prefetch(2);
        let pids = pool.pids();
        signal(pids[1], Signal::Kill).unwrap();
        let items = blocks(0..10_000, 8);
        let err = pool.map::<CountPrimes>(&items, 1).unwrap_err();
        (err.to_string(), pids)
    });
    assert!(err.contains("SIGKILL"), "{err}");
    assert_all_gone(&pids);
}

#[test]
fn a_hung_task_is_killed_at_the_timeout() {
    let (err, pids) = within("timeout", || {
        let mut pool = ProcessPool::start(&spawner(), 2)
            .unwrap()
            .with_timeout(Duration::from_millis(300));
        let pids = pool.pids();
        let err = pool
            .map::<SleepThenEcho>(&[(0, 60_000), (1, 0)], 1)
            .unwrap_err();
        // No drop yet: the timeout itself killed and reaped every worker.
        assert_all_gone(&pids);
        (err, pids)
    });
    // Item 0 never finishes; item 1 may or may not have, on a busy machine.
    assert!(
        matches!(
            err,
            PoolError::Timeout {
                unfinished: 1..=2,
                ..
            }
        ),
        "{err}"
    );
    assert_all_gone(&pids);
}

#[test]
fn a_program_that_cannot_start_is_an_error() {
    let err = within("bad program", || {
        ProcessPool::start(&Spawner::new("/no/such/program"), 2).unwrap_err()
    });
    assert!(matches!(err, PoolError::Start(_)), "{err}");
    // `true` starts, ignores its arguments and exits before saying Ready.
    let err = within("not a worker", || {
        ProcessPool::start(&Spawner::new("true"), 2).unwrap_err()
    });
    assert!(err.to_string().contains("exit code 0"), "{err}");
}

#[test]
fn the_seed_examples_give_the_seed_answers() {
    let runs = within("seed", || {
        lesson_05_pool_map::seed::sum_of_squares(&spawner(), 4).unwrap()
    });
    for results in [&runs.rayon, &runs.threads, &runs.processes] {
        assert_eq!(results, &vec![14; 10]);
        assert_eq!(results.iter().sum::<i64>(), 140);
    }
    let (chunk, report) = within("seed printing", || {
        lesson_05_pool_map::seed::printing(&spawner(), 8, 100).unwrap()
    });
    assert_eq!(chunk, 4, "Python's default for 100 items on 8 workers");
    assert_eq!(report.results, (0..100).collect::<Vec<_>>());
    assert_eq!(report.printed.len(), 100);
}

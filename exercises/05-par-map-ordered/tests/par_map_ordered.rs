//! Canonical tests for `par-map-ordered`: chunks cover every index once,
//! results come back in input order, every item runs exactly once, workers
//! really run at the same time and take chunks as they become free, no more
//! than `workers` run at once, and a panic reaches the caller.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use course_support::InFlight;
use course_support::testing::{Arrivals, StartLine};
use par_map_ordered::{chunks, par_map};

/// How long a task waits for the others before giving up.
const PATIENCE: Duration = Duration::from_secs(3);

#[test]
fn chunks_cover_every_index_exactly_once() {
    for len in [0, 1, 2, 5, 10, 99, 100] {
        for size in [1, 2, 3, 10, 99, 100, 101, 1_000] {
            let got = chunks(len, size);
            let covered: Vec<usize> = got.iter().flat_map(|r| r.clone()).collect();
            assert_eq!(
                covered,
                (0..len).collect::<Vec<_>>(),
                "chunks({len}, {size}) = {got:?} must cover 0..{len} once, in order"
            );
            assert_eq!(
                got.len(),
                len.div_ceil(size),
                "chunks({len}, {size}) = {got:?}: wrong number of chunks"
            );
            for (i, r) in got.iter().enumerate() {
                assert!(
                    !r.is_empty(),
                    "chunks({len}, {size}) has an empty chunk: {got:?}"
                );
                let last = i + 1 == got.len();
                assert!(
                    r.len() == size || (last && r.len() < size),
                    "chunks({len}, {size}) = {got:?}: only the last chunk may be shorter than {size}"
                );
            }
        }
    }
}

#[test]
fn chunk_edge_cases() {
    assert!(chunks(0, 4).is_empty(), "no items, no chunks");
    let one = chunks(3, 1_000);
    assert_eq!(
        one.len(),
        1,
        "a chunk larger than the input is one chunk: {one:?}"
    );
    assert_eq!(one[0], 0..3);
    assert_eq!(chunks(6, 3), [0..3, 3..6]);
}

#[test]
#[should_panic(expected = "chunk_size must be at least 1")]
fn a_chunk_size_of_zero_is_refused() {
    chunks(10, 0);
}

#[test]
#[should_panic(expected = "workers must be at least 1")]
fn zero_workers_are_refused() {
    par_map(&[1, 2, 3], 0, 1, |x| *x);
}

#[test]
fn results_come_back_in_input_order() {
    let items: Vec<u64> = (0..20).collect();
    for chunk_size in [1, 3, 20, 50] {
        // Later items finish first.
        let out = par_map(&items, 4, chunk_size, |&i| {
            thread::sleep(Duration::from_millis(20 - i));
            i * 100
        });
        let expected: Vec<u64> = items.iter().map(|i| i * 100).collect();
        assert_eq!(
            out, expected,
            "chunk_size {chunk_size}: results must be in input order, not in the order they finished"
        );
    }
}

#[test]
fn every_item_runs_exactly_once() {
    for (workers, chunk_size) in [(1, 1), (3, 1), (3, 4), (4, 7), (2, 60), (8, 1_000)] {
        let runs: Vec<AtomicUsize> = (0..60).map(|_| AtomicUsize::new(0)).collect();
        let items: Vec<usize> = (0..60).collect();
        let out = par_map(&items, workers, chunk_size, |&i| {
            runs[i].fetch_add(1, Ordering::SeqCst);
            i
        });
        assert_eq!(
            out, items,
            "{workers} workers, chunk_size {chunk_size}: wrong results"
        );
        for (i, r) in runs.iter().enumerate() {
            let n = r.load(Ordering::SeqCst);
            assert_eq!(
                n, 1,
                "{workers} workers, chunk_size {chunk_size}: item {i} ran {n} times, expected once"
            );
        }
    }
}

/// Workers that reach for the next chunk at the same moment, over and over:
/// each worker's first call waits until all are running, then thousands of
/// one-item chunks keep them claiming side by side. A claim that is a load
/// and then a store hands one chunk to two workers here.
#[test]
fn workers_that_claim_at_the_same_moment_never_share_a_chunk() {
    const WORKERS: usize = 4;
    const N: usize = 4_000;
    let items: Vec<usize> = (0..N).collect();
    // Rounds for half a second: on two cores the workers collide within a
    // round or two; squeezed onto fewer cores they need more rounds.
    let started = Instant::now();
    for round in 1.. {
        if round > 10 && started.elapsed() > Duration::from_millis(500) {
            break;
        }
        let runs: Vec<AtomicUsize> = (0..N).map(|_| AtomicUsize::new(0)).collect();
        let start = StartLine::new(WORKERS, Duration::from_secs(3));
        let out = par_map(&items, WORKERS, 1, |&i| {
            start.wait();
            runs[i].fetch_add(1, Ordering::SeqCst);
            i
        });
        let twice: Vec<usize> = (0..N)
            .filter(|&i| runs[i].load(Ordering::SeqCst) > 1)
            .collect();
        let never: Vec<usize> = (0..N)
            .filter(|&i| runs[i].load(Ordering::SeqCst) == 0)
            .collect();
        assert!(
            twice.is_empty() && never.is_empty(),
            "round {round}: with {WORKERS} workers taking one-item chunks at the same moment, {} \
             item(s) ran more than once (first: {:?}) and {} never (first: {:?}). Taking the next \
             chunk must be one atomic step, `next.fetch_add(1, ...)` (or a lock held across the \
             read and the increment): a `load` followed by a `store` lets two workers read the \
             same chunk number before either writes it back",
            twice.len(),
            &twice[..twice.len().min(5)],
            never.len(),
            &never[..never.len().min(5)],
        );
        assert_eq!(out, items, "round {round}: wrong results");
    }
}

#[test]
fn no_items_give_no_results_and_no_calls() {
    let out: Vec<u8> = par_map(&[] as &[u8], 4, 3, |_| unreachable!("there are no items"));
    assert!(
        out.is_empty(),
        "par_map of no items must return an empty Vec"
    );
}

#[test]
fn two_workers_really_run_at_the_same_time() {
    // Each call waits until both are inside: only true parallelism gets both through.
    let inside = Arrivals::default();
    let met = par_map(&[0, 1], 2, 1, |_| {
        inside.arrive();
        inside.wait_for(2, PATIENCE)
    });
    assert_eq!(
        met,
        [true, true],
        "the two items never ran at the same time: spawn every worker before joining any"
    );
}

#[test]
fn a_slow_chunk_does_not_hold_up_the_chunks_after_it() {
    // Item 0 waits until items 1..10 are all done. With two workers taking
    // the next free chunk, the other worker does all of them meanwhile.
    let done = Arrivals::default();
    let out = par_map(&(0..10).collect::<Vec<usize>>(), 2, 1, |&i| {
        if i == 0 {
            done.wait_for(9, PATIENCE)
        } else {
            done.arrive();
            true
        }
    });
    assert!(
        out[0],
        "item 0 waited in vain for items 1..10: chunks must go to whichever worker is free \
         (a shared counter), not be dealt out to the workers in advance"
    );
}

#[test]
fn never_more_than_workers_calls_at_once() {
    let gauge = InFlight::default();
    let items: Vec<u32> = (0..40).collect();
    par_map(&items, 3, 2, |_| {
        gauge.track(|| thread::sleep(Duration::from_millis(2)))
    });
    assert!(
        gauge.peak() <= 3,
        "{} calls of f ran at once with 3 workers",
        gauge.peak()
    );
    assert!(gauge.peak() >= 2, "with 3 workers, calls never overlapped");
}

#[test]
fn each_chunk_runs_whole_on_one_worker_in_order() {
    let seen: Mutex<Vec<(thread::ThreadId, usize)>> = Mutex::new(Vec::new());
    let items: Vec<usize> = (0..22).collect();
    par_map(&items, 3, 4, |&i| {
        seen.lock().unwrap().push((thread::current().id(), i));
        thread::sleep(Duration::from_millis(1));
    });
    let seen = seen.into_inner().unwrap();
    let mut by_thread: HashMap<thread::ThreadId, Vec<usize>> = HashMap::new();
    for (id, i) in seen {
        by_thread.entry(id).or_default().push(i);
    }
    for chunk in chunks(22, 4) {
        let owners: Vec<_> = by_thread
            .iter()
            .filter(|(_, items)| items.iter().any(|i| chunk.contains(i)))
            .collect();
        assert_eq!(
            owners.len(),
            1,
            "the items of chunk {chunk:?} ran on {} threads: a chunk belongs to one worker",
            owners.len()
        );
        let mine: Vec<usize> = owners[0]
            .1
            .iter()
            .copied()
            .filter(|i| chunk.contains(i))
            .collect();
        assert_eq!(
            mine,
            chunk.clone().collect::<Vec<_>>(),
            "chunk {chunk:?} must run its items one after another, in order"
        );
    }
}

#[test]
fn a_panic_in_f_reaches_the_caller() {
    let items: Vec<i32> = (0..12).collect();
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        par_map(&items, 3, 2, |&i| {
            assert!(i != 7, "item 7 is bad");
            i
        })
    }));
    let payload = result.expect_err("par_map must panic when f panics");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(
        message.contains("item 7 is bad"),
        "par_map must re-raise f's own panic (resume_unwind), got: {message:?}"
    );
}

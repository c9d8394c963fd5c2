//! Canonical tests for `run-together`. They check that tasks really run at the
//! same time (a barrier that only opens when all of them are inside), that
//! every task runs exactly once, and that the answers are exact.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::Duration;

use run_together::{run_in_parallel, split_range, sum_in_parallel};

/// How long a task waits at the barrier for the others before giving up.
const PATIENCE: Duration = Duration::from_secs(2);

/// A barrier for `n` threads that gives up after [`PATIENCE`]: `arrive`
/// returns `true` if all `n` were inside together. Once one thread has given
/// up, later ones give up at once, so a wrong solution fails fast.
struct Rendezvous {
    n: usize,
    state: Mutex<(usize, bool)>, // (arrived, broken)
    changed: Condvar,
}

impl Rendezvous {
    fn new(n: usize) -> Self {
        Self {
            n,
            state: Mutex::new((0, false)),
            changed: Condvar::new(),
        }
    }

    fn arrive(&self) -> bool {
        let mut state = self.state.lock().unwrap();
        state.0 += 1;
        self.changed.notify_all();
        let (mut state, _) = self
            .changed
            .wait_timeout_while(state, PATIENCE, |(arrived, broken)| {
                *arrived < self.n && !*broken
            })
            .unwrap();
        if state.0 < self.n {
            state.1 = true;
            self.changed.notify_all();
            return false;
        }
        true
    }
}

/// What the answers of `n` tasks that each waited at a [`Rendezvous`] say:
/// `true` is a task that saw all `n` arrive, `false` one that gave up.
fn meeting_failed(met: &[bool]) -> Option<String> {
    let n = met.len();
    let gave_up: Vec<usize> = (0..n).filter(|&i| !met[i]).collect();
    if gave_up.is_empty() {
        return None;
    }
    let one_by_one = "the tasks ran one after another, not at the same time. Start every thread \
        before joining any: collect the JoinHandles into a Vec first, then join them (a lazy \
        chain such as `.map(|i| s.spawn(..)).map(|h| h.join())` joins each thread before it \
        spawns the next)";
    Some(if gave_up.len() == n - 1 && met[n - 1] {
        format!(
            "run_in_parallel returned {met:?}: each task waited at a barrier for all {n} and \
             answered whether they all arrived. Tasks 0 to {} gave up waiting alone; only the \
             last one saw {n}, because it arrived after the others had given up: {one_by_one}",
            n - 2
        )
    } else {
        format!(
            "run_in_parallel returned {met:?}: each task waited at a barrier for all {n} and \
             answered whether they all arrived; {} of {n} gave up (tasks {gave_up:?}), so the \
             {n} tasks were never all running at once. Give every task its own thread, and \
             {one_by_one}",
            gave_up.len()
        )
    })
}

#[test]
fn all_tasks_run_at_the_same_time() {
    let meet = Rendezvous::new(4);
    let met = run_in_parallel(4, |_| meet.arrive());
    assert_eq!(met.len(), 4, "4 tasks, 4 results");
    if let Some(why) = meeting_failed(&met) {
        panic!("{why}");
    }
}

#[test]
fn more_tasks_than_cores_still_run_together() {
    // One thread per task, not one per core: 16 tasks must all be in progress at once.
    let meet = Rendezvous::new(16);
    let met = run_in_parallel(16, |_| meet.arrive());
    assert_eq!(met.len(), 16, "16 tasks, 16 results");
    if let Some(why) = meeting_failed(&met) {
        panic!("{why}");
    }
}

#[test]
fn every_task_runs_exactly_once() {
    let runs: Vec<AtomicUsize> = (0..50).map(|_| AtomicUsize::new(0)).collect();
    run_in_parallel(50, |i| runs[i].fetch_add(1, Ordering::SeqCst));
    for (i, count) in runs.iter().enumerate() {
        let count = count.load(Ordering::SeqCst);
        assert_eq!(
            count, 1,
            "task {i} ran {count} times, expected exactly once (or it ran after run_in_parallel returned)"
        );
    }
}

#[test]
fn results_come_back_in_index_order() {
    // Later tasks finish first; the results must still be in index order.
    let results = run_in_parallel(10, |i| {
        thread::sleep(Duration::from_millis(10 * (10 - i as u64)));
        i * i
    });
    let expected: Vec<usize> = (0..10).map(|i| i * i).collect();
    assert_eq!(
        results, expected,
        "results must be in index order, not in the order tasks finished"
    );
}

#[test]
fn zero_tasks_give_no_results() {
    let results: Vec<u8> = run_in_parallel(0, |_| unreachable!("there are no tasks to run"));
    assert!(
        results.is_empty(),
        "run_in_parallel(0, ..) must return an empty Vec"
    );
}

#[test]
fn split_range_makes_fair_contiguous_parts() {
    let cases = [
        (0..10, 3),
        (0..10, 1),
        (5..5, 2),
        (0..3, 5),
        (100..1_000_003, 7),
        (7..8, 1),
    ];
    for (range, parts) in cases {
        let got = split_range(range.clone(), parts);
        assert_eq!(
            got.len(),
            parts,
            "split_range({range:?}, {parts}) must give {parts} parts, gave {got:?}"
        );
        assert_eq!(
            got[0].start, range.start,
            "split_range({range:?}, {parts}) must start at {}: {got:?}",
            range.start
        );
        assert_eq!(
            got[parts - 1].end,
            range.end,
            "split_range({range:?}, {parts}) must end at {}: {got:?}",
            range.end
        );
        for pair in got.windows(2) {
            assert_eq!(
                pair[0].end, pair[1].start,
                "split_range({range:?}, {parts}): parts must touch, in order: {got:?}"
            );
        }
        let lens: Vec<u64> = got.iter().map(|r| r.end - r.start).collect();
        let (min, max) = (lens.iter().min().unwrap(), lens.iter().max().unwrap());
        assert!(
            max - min <= 1,
            "split_range({range:?}, {parts}): part sizes {lens:?} differ by more than one"
        );
    }
    assert_eq!(
        split_range(0..10, 3),
        [0..4, 4..7, 7..10],
        "the longer parts come first"
    );
}

#[test]
fn sum_in_parallel_counts_primes_exactly() {
    for workers in [1, 2, 3, 8] {
        let primes = sum_in_parallel(0..100_000, workers, course_support::count_primes);
        assert_eq!(
            primes, 9_592,
            "{workers} workers counted {primes} primes below 100,000, expected 9,592"
        );
    }
}

#[test]
fn sum_in_parallel_runs_the_parts_at_the_same_time() {
    let meet = Rendezvous::new(4);
    let total = sum_in_parallel(0..1_000, 4, |part| {
        assert!(
            meet.arrive(),
            "the 4 parts were never all running at once: f was called on one part after \
             another. Run the parts with run_in_parallel (or start every thread before joining \
             any)"
        );
        part.end - part.start
    });
    assert_eq!(total, 1_000);
}

#[test]
fn sum_in_parallel_calls_f_once_per_part() {
    let seen = Mutex::new(Vec::new());
    sum_in_parallel(10..50, 6, |part| {
        seen.lock().unwrap().push(part);
        0
    });
    let mut seen = seen.into_inner().unwrap();
    seen.sort_by_key(|r| (r.start, r.end));
    assert_eq!(
        seen,
        split_range(10..50, 6),
        "f must be called once for each part of split_range"
    );
}

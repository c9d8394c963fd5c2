//! Canonical tests for `exact-counter`: every way of counting must be exact,
//! really use several threads at once, and handle the edge cases.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use course_support::testing::StartLine;

/// Waits, at most this long, for the other threads to show up in `pred`.
/// Not a speed limit: correct code gets there in microseconds; the deadline
/// only keeps a one-thread-at-a-time solution from hanging the test.
const PATIENCE: Duration = Duration::from_secs(3);

/// Records which threads call `pred`, and holds each thread's first call
/// until `want` threads are inside `pred` at the same time (or the deadline).
struct Rendezvous {
    want: usize,
    seen: Mutex<HashSet<ThreadId>>,
    inside: AtomicUsize,
    most_inside: AtomicUsize,
    deadline: Instant,
}

impl Rendezvous {
    fn new(want: usize) -> Self {
        Rendezvous {
            want,
            seen: Mutex::new(HashSet::new()),
            inside: AtomicUsize::new(0),
            most_inside: AtomicUsize::new(0),
            deadline: Instant::now() + PATIENCE,
        }
    }

    fn arrive(&self) {
        let first_visit = self.seen.lock().unwrap().insert(thread::current().id());
        if !first_visit {
            return;
        }
        let now = self.inside.fetch_add(1, SeqCst) + 1;
        self.most_inside.fetch_max(now, SeqCst);
        // Stay inside pred until `want` threads are in here together, which
        // can only happen if they really run at the same time.
        while self.most_inside.load(SeqCst) < self.want && Instant::now() < self.deadline {
            thread::sleep(Duration::from_millis(1));
        }
        self.inside.fetch_sub(1, SeqCst);
    }

    /// Different threads that called `pred`.
    fn threads_seen(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// The most threads that were inside `pred` at the same moment.
    fn most_at_once(&self) -> usize {
        self.most_inside.load(SeqCst)
    }
}

macro_rules! counting_tests {
    ($name:ident, $count:path) => {
        mod $name {
            use super::*;

            #[test]
            fn exact_under_stress() {
                let items: Vec<u64> = (0..300_000).collect();
                let multiples_of_3 = $count(&items, 16, |x| x % 3 == 0);
                assert_eq!(
                    multiples_of_3, 100_000,
                    "16 threads counting multiples of 3 in 0..300000 should find exactly \
                     100000; a different number means increments were lost or items were \
                     counted twice or skipped"
                );
                let items: Vec<u64> = (0..100_003).collect();
                let all = $count(&items, 7, |_| true);
                assert_eq!(
                    all, 100_003,
                    "with a predicate that is always true the count must equal the number \
                     of items (100003, split over 7 threads): check how you split the \
                     slice when it does not divide evenly"
                );
            }

            #[test]
            fn threads_that_count_at_the_same_moment_lose_nothing() {
                // 4 threads set off together (each one's first call of pred
                // waits for the others) and then count side by side: a count
                // that is read and then written back in a second step loses
                // the increments other threads made in between.
                let items: Vec<u64> = (0..200_000).collect();
                let started = Instant::now();
                for round in 1.. {
                    // Half a second of rounds: on two cores the threads
                    // collide at once; squeezed onto one they need longer.
                    if round > 3 && started.elapsed() > Duration::from_millis(500) {
                        break;
                    }
                    let start = StartLine::new(4, PATIENCE);
                    let count = $count(&items, 4, |_| {
                        start.wait();
                        true
                    });
                    assert_eq!(
                        count,
                        200_000,
                        "round {round}: 4 threads that started together counted {count} of \
                         200000 items: {} increments were lost. Adding 1 must be one \
                         indivisible step: `fetch_add(1, ...)` on the atomic, or `*guard += 1` \
                         under one lock; a `load` and then a `store` (or reading under one \
                         lock and writing under another) lets two threads read the same value \
                         and write back the same sum",
                        200_000u64.saturating_sub(count)
                    );
                }
            }

            #[test]
            fn threads_really_run_at_the_same_time() {
                let items: Vec<u64> = (0..64).collect();
                let meet = Rendezvous::new(4);
                let count = $count(&items, 4, |x| {
                    meet.arrive();
                    x % 2 == 0
                });
                assert_eq!(count, 32, "32 of the numbers 0..64 are even; any other count means lost or repeated increments");
                let seen = meet.threads_seen();
                assert!(
                    seen >= 2,
                    "pred was only ever called from {seen} thread: the work must be split \
                     across several spawned threads"
                );
                let at_once = meet.most_at_once();
                assert_eq!(
                    at_once, 4,
                    "asked for 4 threads, but at most {at_once} were running pred at the same \
                     time ({seen} different threads called it): give each of the 4 parts its \
                     own thread, start them all before joining any, and don't hold a lock \
                     while calling pred"
                );
            }

            #[test]
            fn pred_sees_every_item_exactly_once() {
                let items: Vec<u64> = (0..10_000).collect();
                let calls = Mutex::new(Vec::new());
                $count(&items, 5, |x| {
                    calls.lock().unwrap().push(x);
                    true
                });
                let mut calls = calls.into_inner().unwrap();
                assert_eq!(
                    calls.len(),
                    items.len(),
                    "pred should be called once per item: 10000 items, {} calls",
                    calls.len()
                );
                calls.sort_unstable();
                assert_eq!(
                    calls, items,
                    "every item should reach pred exactly once (some were repeated or skipped)"
                );
            }

            #[test]
            fn never_more_threads_than_asked_for() {
                for (n, threads) in [(100_003_u64, 7_usize), (10, 4), (5, 3)] {
                    let items: Vec<u64> = (0..n).collect();
                    let seen = Mutex::new(HashSet::new());
                    $count(&items, threads, |_| {
                        seen.lock().unwrap().insert(thread::current().id());
                        true
                    });
                    let used = seen.into_inner().unwrap().len();
                    assert!(
                        used <= threads,
                        "{n} items with threads = {threads} ran pred on {used} threads: \
                         split the slice into at most {threads} parts (round the part size \
                         up: len.div_ceil(threads))"
                    );
                }
            }

            #[test]
            fn one_thread() {
                let items: Vec<u64> = (0..1_000).collect();
                assert_eq!(
                    $count(&items, 1, |x| x < 10),
                    10,
                    "with threads = 1, 10 items of 0..1000 are below 10"
                );
            }

            #[test]
            fn more_threads_than_items() {
                assert_eq!(
                    $count(&[5, 6, 7], 8, |x| x % 2 == 1),
                    2,
                    "3 items and 8 threads: 5 and 7 are odd, so the count is 2 \
                     (don't create empty parts, or make sure they count as 0)"
                );
            }

            #[test]
            fn empty_slice() {
                assert_eq!(
                    $count(&[], 4, |_| true),
                    0,
                    "an empty slice has nothing to count"
                );
            }
        }
    };
}

counting_tests!(mutex, exact_counter::count_with_mutex);
counting_tests!(fetch_add, exact_counter::count_with_fetch_add);
counting_tests!(local_sums, exact_counter::count_with_local_sums);

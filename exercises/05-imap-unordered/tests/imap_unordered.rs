//! Canonical tests for `imap-unordered`: results arrive in completion order
//! and as soon as they are ready, every item exactly once, the workers run
//! at the same time and never more than `workers` at once, and a panicking
//! item is reported as an error, never a hang.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use course_support::InFlight;
use course_support::testing::Arrivals;
use imap_unordered::{TaskFailed, imap_unordered, panic_message};

/// How long a task waits for the others before giving up.
const PATIENCE: Duration = Duration::from_secs(3);

/// Runs `f` on its own thread; fails the test (instead of hanging it) if
/// `f` has not returned after 6 seconds.
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(6)) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "{what}: still waiting after 6 s. Does the iterator end? Every sender must be \
             dropped once the last item is done (drop the one you cloned from)."
        ),
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("sent nothing without panicking"),
        },
    }
}

#[test]
fn panic_message_reads_both_kinds_of_payload() {
    let literal = std::panic::catch_unwind(|| panic!("a literal")).unwrap_err();
    assert_eq!(panic_message(&*literal), "a literal");
    let formatted = std::panic::catch_unwind(|| panic!("item {}", 42)).unwrap_err();
    assert_eq!(panic_message(&*formatted), "item 42");
    let other = std::panic::catch_unwind(|| std::panic::panic_any(7_u8)).unwrap_err();
    assert_eq!(panic_message(&*other), "a panic without a message");
}

#[test]
fn a_slow_first_item_arrives_last() {
    let order = within("slow first item", || {
        // Item 0 is slow: it finishes only once the caller has received the 9 others.
        let received = Arc::new(Arrivals::default());
        let r = Arc::clone(&received);
        let results = imap_unordered((0..10).collect(), 2, move |i: usize| {
            if i == 0 {
                r.wait_for(9, PATIENCE);
            }
            i
        });
        results
            .map(|result| {
                received.arrive();
                result.unwrap().0
            })
            .collect::<Vec<usize>>()
    });
    assert_eq!(order.len(), 10, "expected 10 results, got {order:?}");
    assert_eq!(
        order.last(),
        Some(&0),
        "item 0 finished last, so it must arrive last: results come in completion order, got {order:?}"
    );
}

#[test]
fn every_item_arrives_exactly_once_with_its_index() {
    let got = within("200 items", || {
        imap_unordered((0..200u64).collect(), 4, |x| x * x)
            .map(|r| r.expect("no item panics here"))
            .collect::<Vec<(usize, u64)>>()
    });
    assert_eq!(got.len(), 200, "expected 200 results, got {}", got.len());
    let mut seen = [0; 200];
    for (index, square) in got {
        seen[index] += 1;
        assert_eq!(
            square,
            (index * index) as u64,
            "item {index} has the wrong result"
        );
    }
    for (index, n) in seen.iter().enumerate() {
        assert_eq!(
            *n, 1,
            "item {index} arrived {n} times, expected exactly once"
        );
    }
}

#[test]
fn no_items_end_at_once() {
    let n = within("no items", || {
        imap_unordered(Vec::<u8>::new(), 3, |_| unreachable!("there are no items")).count()
    });
    assert_eq!(n, 0);
}

#[test]
fn results_are_handed_over_while_others_still_run() {
    // Item 0 finishes only after the caller has received some other result:
    // an implementation that collects everything first never lets it finish.
    let streamed = within("streaming", || {
        let received = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&received);
        let mut results = imap_unordered((0..4).collect(), 2, move |i: usize| {
            if i != 0 {
                return true;
            }
            for _ in 0..600 {
                if flag.load(Ordering::SeqCst) {
                    return true;
                }
                thread::sleep(Duration::from_millis(5));
            }
            false
        });
        let first = results.next().expect("a first result").unwrap();
        received.store(true, Ordering::SeqCst);
        let rest: Vec<_> = results.map(Result::unwrap).collect();
        std::iter::once(first).chain(rest).all(|(_, ok)| ok)
    });
    assert!(
        streamed,
        "item 0 waited 3 s and the caller had received nothing: send each result the moment it is ready"
    );
}

#[test]
fn the_workers_really_run_at_the_same_time() {
    let met = within("three at once", || {
        let inside = Arc::new(Arrivals::default());
        imap_unordered((0..3).collect(), 3, move |_: u8| {
            inside.arrive();
            inside.wait_for(3, PATIENCE)
        })
        .map(|r| r.unwrap().1)
        .collect::<Vec<bool>>()
    });
    assert_eq!(
        met,
        [true, true, true],
        "the 3 workers were never all busy at once: start them all, each on its own thread"
    );
}

#[test]
fn never_more_than_workers_calls_at_once() {
    let gauge = Arc::new(InFlight::default());
    let g = Arc::clone(&gauge);
    let n = within("bounded", move || {
        imap_unordered((0..30).collect(), 2, move |_: u8| {
            g.track(|| thread::sleep(Duration::from_millis(3)))
        })
        .count()
    });
    assert_eq!(n, 30);
    assert!(
        gauge.peak() <= 2,
        "{} calls ran at once with 2 workers",
        gauge.peak()
    );
}

#[test]
fn exactly_workers_threads_run_every_item() {
    // A pool: `workers` threads, each taking item after item. A new thread
    // per item (even with at most `workers` at a time) pays a thread start
    // for every item, which is what a pool is there to avoid.
    let seen = Arc::new(Mutex::new(std::collections::HashSet::new()));
    let s = Arc::clone(&seen);
    let n = within("100 items on 3 workers", move || {
        imap_unordered((0..100).collect(), 3, move |_: u32| {
            s.lock().unwrap().insert(thread::current().id());
        })
        .count()
    });
    assert_eq!(n, 100);
    let threads = seen.lock().unwrap().len();
    assert!(
        threads <= 3,
        "100 items ran on {threads} different threads with 3 workers: start the workers \
         once and let each take items until there are none left"
    );
}

#[test]
fn a_panicking_item_is_reported_and_the_rest_still_arrive() {
    let outcomes = within("one bad item", || {
        imap_unordered((0..12).collect(), 3, |i: i32| {
            assert!(i != 5, "bad item {i}");
            i * 10
        })
        .collect::<Vec<Result<(usize, i32), TaskFailed>>>()
    });
    let errors: Vec<&TaskFailed> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert_eq!(
        errors.len(),
        1,
        "exactly one item panicked, got {} errors: {errors:?}",
        errors.len()
    );
    assert_eq!(
        errors[0].index, 5,
        "the error must carry the failing item's index"
    );
    assert!(
        errors[0].message.contains("bad item 5"),
        "the error must carry the panic's message, got {:?}",
        errors[0].message
    );
    let mut ok: Vec<(usize, i32)> = outcomes.into_iter().filter_map(Result::ok).collect();
    ok.sort_unstable();
    let expected: Vec<(usize, i32)> = (0..12)
        .filter(|&i| i != 5)
        .map(|i| (i, i as i32 * 10))
        .collect();
    assert_eq!(
        ok, expected,
        "every other item must still arrive, exactly once"
    );
}

#[test]
fn a_worker_survives_its_panics() {
    // One worker, three bad items in a row: it must go on to the next item each time.
    let outcomes = within("panics in a row", || {
        imap_unordered((0..8).collect(), 1, |i: u32| {
            assert!(!(2..5).contains(&i), "bad item {i}");
            i
        })
        .collect::<Vec<_>>()
    });
    let indices: Vec<usize> = outcomes
        .iter()
        .map(|o| match o {
            Ok((i, _)) => *i,
            Err(e) => e.index,
        })
        .collect();
    assert_eq!(
        indices,
        (0..8).collect::<Vec<_>>(),
        "with one worker, every item arrives in turn, panics included: catch each panic and go on"
    );
    assert_eq!(outcomes.iter().filter(|o| o.is_err()).count(), 3);
}

//! The interpreter pool (`InterpreterPoolExecutor`): tasks run at once on
//! workers of this process that share nothing, every argument and result
//! crosses as a copy, failures come back as values, and shutdown drains or
//! cancels like the other pools.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::within;
use lesson_07_executors::remote::{
    Checksum, CountPrimes, Echo, Fail, Panic, SleepThenPid, Tally, WhereAmI,
};
use lesson_07_executors::{InterpreterPool, TaskError, as_completed};

#[test]
fn tasks_run_in_this_process_on_distinct_interpreters() {
    within("where", || {
        let pool = InterpreterPool::new(3).unwrap();
        // Busy tasks first, so every interpreter gets one of the next three.
        let busy: Vec<_> = (0..3).map(|_| pool.submit::<SleepThenPid>(200)).collect();
        for h in busy {
            assert_eq!(h.join().unwrap(), std::process::id(), "one process");
        }
        let places: HashSet<(u32, String)> = pool
            .map::<WhereAmI>(vec![(); 30])
            .map(Result::unwrap)
            .collect();
        assert!(places.iter().all(|(pid, _)| *pid == std::process::id()));
        assert!(
            places.iter().all(|(_, name)| name.contains("interpreter")),
            "{places:?}"
        );
        assert!(
            places.len() >= 2,
            "more than one interpreter ran: {places:?}"
        );
    });
}

#[test]
fn interpreters_run_at_the_same_time() {
    within("at once", || {
        let pool = InterpreterPool::new(4).unwrap();
        let started = Instant::now();
        let handles: Vec<_> = (0..4).map(|_| pool.submit::<SleepThenPid>(300)).collect();
        for h in handles {
            h.join().unwrap();
        }
        let took = started.elapsed();
        assert!(
            took < Duration::from_millis(900),
            "4 tasks of 300 ms on 4 interpreters took {took:?}: they did not overlap"
        );
    });
}

#[test]
fn each_interpreter_has_its_own_globals() {
    within("globals", || {
        let pool = InterpreterPool::new(2).unwrap();
        // Two calls that run at the same time, so on the two interpreters:
        // each finds its own counter at 0. One shared counter would say 1 and 2.
        let both: Vec<u64> = pool.map::<Tally>([300, 300]).map(Result::unwrap).collect();
        assert_eq!(both, [1, 1], "two counters, one per interpreter");
        // However the next calls spread, the counts add up per interpreter.
        let counts: Vec<u64> = pool.map::<Tally>(vec![0; 20]).map(Result::unwrap).collect();
        let mut sorted = counts.clone();
        sorted.sort_unstable();
        assert!(
            sorted[0] >= 2,
            "both counters had counted already: {counts:?}"
        );
        assert!(*sorted.last().unwrap() <= 21, "{counts:?}");
        // A fresh pool starts fresh interpreters.
        let again = InterpreterPool::new(1).unwrap();
        assert_eq!(again.submit::<Tally>(0).join().unwrap(), 1);
    });
}

#[test]
fn arguments_and_results_cross_as_copies() {
    within("copies", || {
        let pool = InterpreterPool::new(2).unwrap();
        let text = "ab".repeat(50_000);
        let outcomes: Vec<(u64, u64)> = pool
            .map::<Checksum>(vec![text.clone(); 5])
            .map(Result::unwrap)
            .collect();
        let sum: u64 = text.bytes().map(u64::from).sum();
        assert_eq!(outcomes, vec![(100_000, sum); 5]);
        let (sent, received) = pool.bytes_copied();
        assert!(
            sent >= 5 * 100_000,
            "every argument was encoded and sent: {sent} bytes"
        );
        assert!(received > 0, "every result came back as bytes");
    });
}

#[test]
fn results_errors_and_panics_come_back_as_values() {
    within("outcomes", || {
        let pool = InterpreterPool::new(2).unwrap();
        let counts: Vec<u64> = pool
            .map::<CountPrimes>([(0, 100), (0, 10_000)])
            .map(Result::unwrap)
            .collect();
        assert_eq!(counts, [25, 1_229]);
        assert_eq!(
            pool.submit::<Fail>("no".into()).join(),
            Err(TaskError::Failed("no".to_owned()))
        );
        assert_eq!(
            pool.submit::<Panic>("boom".into()).join(),
            Err(TaskError::Panicked("boom".to_owned()))
        );
        // The interpreter that caught the panic goes on working.
        let echoed: Vec<u64> = pool.map::<Echo>(0..10).map(Result::unwrap).collect();
        assert_eq!(echoed, (0..10).collect::<Vec<_>>());
        let done: HashSet<u64> = as_completed((0..6).map(|i| pool.submit::<Echo>(i)).collect())
            .map(|h| h.join().unwrap())
            .collect();
        assert_eq!(done, (0..6).collect());
    });
}

#[test]
fn shutdown_drains_or_cancels_the_queue() {
    within("shutdown", || {
        let pool = InterpreterPool::new(1).unwrap();
        let handles: Vec<_> = (0..5).map(|i| pool.submit::<Echo>(i)).collect();
        assert_eq!(pool.shutdown(true), 0);
        for (i, h) in handles.into_iter().enumerate() {
            assert_eq!(h.join(), Ok(i as u64), "wait=true ran every task");
        }

        let pool = InterpreterPool::new(1).unwrap();
        let running = pool.submit::<SleepThenPid>(200);
        while !running.running() {
            std::thread::sleep(Duration::from_millis(2));
        }
        let queued: Vec<_> = (0..4).map(|i| pool.submit::<Echo>(i)).collect();
        let started = Instant::now();
        assert_eq!(pool.shutdown(false), 4, "every queued task cancelled");
        assert!(
            started.elapsed() < Duration::from_millis(150),
            "returned at once"
        );
        for h in queued {
            assert_eq!(h.join(), Err(TaskError::Cancelled));
        }
        assert!(running.join().is_ok(), "the running task finished");
    });
}

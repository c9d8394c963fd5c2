//! The isolated mode (Python's subinterpreters): the same answers as every
//! other mode, workers that really run at once, and inputs that really
//! cross as copies.

mod common;

use std::time::{Duration, Instant};

use lab::bench;
use lab::isolated;
use lab::modes::{self, Mode, Plan};
use lab::task::{Outcome, TaskSpec, input};

fn spec(numbers: u64, io: Duration, data_bytes: usize) -> TaskSpec {
    TaskSpec {
        numbers,
        io,
        data_bytes,
    }
}

#[test]
fn isolated_workers_find_what_the_sequential_loop_finds() {
    common::within("same answers", || {
        for (workers, tasks, bytes) in [(1, 7, 0), (3, 40, 100), (4, 3, 5_000)] {
            let s = spec(300, Duration::ZERO, bytes);
            let data = input(bytes);
            let want: Outcome = (0..tasks).map(|i| s.run_blocking(i, &data)).sum();
            let run = isolated::run(workers, tasks, &s, &data, &|_| {}).unwrap();
            assert_eq!(run.outcome, want, "{workers} workers, {tasks} tasks");
            assert_eq!(run.tasks_per_worker.len(), workers);
            assert_eq!(run.tasks_per_worker.iter().sum::<u64>(), tasks);
        }
    });
}

#[test]
fn isolated_workers_run_at_the_same_time() {
    common::within("at once", || {
        // Eight tasks that each wait 100 ms, on four workers: one after
        // another they take 800 ms; four at a time, about 200 ms.
        let s = spec(10, Duration::from_millis(100), 0);
        let started = Instant::now();
        let run = isolated::run(4, 8, &s, &[], &|_| {}).unwrap();
        let took = started.elapsed();
        assert!(
            took < Duration::from_millis(500),
            "8 waits of 100 ms on 4 workers took {took:?}: they did not overlap"
        );
        assert!(
            run.tasks_per_worker.iter().all(|&n| n >= 1),
            "every worker worked: {:?}",
            run.tasks_per_worker
        );
    });
}

#[test]
fn every_input_crosses_as_a_copy_into_the_workers_own_memory() {
    common::within("copies", || {
        let bytes = 64 * 1024;
        let data = input(bytes);
        let caller = data.as_ptr_range();
        let caller = caller.start as usize..caller.end as usize;
        let run = isolated::run(2, 20, &spec(100, Duration::ZERO, bytes), &data, &|_| {}).unwrap();
        assert_eq!(run.outcome.bytes, 20 * bytes as u64, "every byte read");
        assert!(
            run.copied_bytes >= 20 * bytes as u64,
            "every input was encoded into a message: {} bytes crossed",
            run.copied_bytes
        );
        assert_eq!(run.worker_buffers.len(), 2);
        for &buffer in &run.worker_buffers {
            assert_ne!(buffer, 0, "each worker read an input");
            assert!(
                !caller.contains(&buffer),
                "a worker read the caller's own allocation at {buffer:#x}"
            );
        }
        assert_ne!(
            run.worker_buffers[0], run.worker_buffers[1],
            "each worker has buffers of its own"
        );
        assert!(run.copy_time > Duration::ZERO, "the copies were timed");
    });
}

#[test]
fn the_bench_reports_what_the_copies_cost_next_to_free_threads() {
    common::within("copy cost", || {
        let plan = Plan {
            spec: spec(200, Duration::ZERO, 1_024),
            tasks: 30,
            workers: 2,
            in_flight: 2,
            switch_interval: Duration::from_millis(5),
        };
        let runs: Vec<_> = [Mode::Threads, Mode::Isolated]
            .into_iter()
            .map(|m| modes::run(m, &plan, &common::spawner(), &|_| {}).unwrap())
            .collect();
        assert_eq!(runs[0].outcome, runs[1].outcome);
        assert!(runs[0].isolated.is_none(), "free threads copy nothing");
        let line = bench::copy_cost(&runs, plan.tasks).expect("a line for the isolated run");
        assert!(line.contains("µs per task"), "{line}");
        assert!(
            line.contains("Free threads read the input in place"),
            "{line}"
        );
        assert!(bench::copy_cost(&runs[..1], plan.tasks).is_none());
    });
}

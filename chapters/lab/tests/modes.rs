//! Every mode runs the same tasks and finds the same answer; processes are
//! real processes, reaped afterwards; a dying worker is an error, not a hang.

mod common;

use std::time::Duration;

use course_support::child::{Spawner, exists};
use lab::advise;
use lab::bench::{self, Bench};
use lab::calibrate;
use lab::model::{Calibration, Profile, PythonBuild};
use lab::modes::{self, Mode, Plan};
use lab::pool::{self, Feed};
use lab::progress::Bars;
use lab::task::{Outcome, TaskSpec, Workload, input};

fn plan(workload: Workload, tasks: u64, data_bytes: usize) -> Plan {
    Plan {
        spec: TaskSpec {
            data_bytes,
            ..TaskSpec::for_workload(workload, 300, Duration::from_millis(1))
        },
        tasks,
        workers: 3,
        in_flight: 4,
        switch_interval: Duration::from_millis(5),
    }
}

fn expected(plan: &Plan) -> Outcome {
    let data = input(plan.spec.data_bytes);
    (0..plan.tasks)
        .map(|i| plan.spec.run_blocking(i, &data))
        .sum()
}

#[test]
fn every_mode_finds_the_same_primes_for_every_workload() {
    common::within("every mode", || {
        for workload in [Workload::Cpu, Workload::Io, Workload::Mixed] {
            let p = plan(workload, 24, 100);
            let want = expected(&p);
            assert!(want.primes > 0 && want.bytes == 2_400);
            for mode in Mode::ALL {
                let run = modes::run(mode, &p, &common::spawner(), &|_| {}).unwrap();
                assert_eq!(run.outcome, want, "{mode:?} on {workload:?}");
            }
        }
    });
}

#[test]
fn progress_ticks_once_per_task() {
    use std::sync::atomic::{AtomicU64, Ordering};
    common::within("ticks", || {
        let p = plan(Workload::Mixed, 17, 0);
        for mode in Mode::ALL {
            let ticks = AtomicU64::new(0);
            modes::run(mode, &p, &common::spawner(), &|n| {
                ticks.fetch_add(n, Ordering::Relaxed);
            })
            .unwrap();
            assert_eq!(ticks.into_inner(), 17, "{mode:?}");
        }
    });
}

#[test]
fn processes_are_separate_processes_and_are_reaped() {
    common::within("processes", || {
        let p = plan(Workload::Cpu, 30, 10);
        for mode in [Mode::Processes, Mode::Hybrid] {
            let run = modes::run(mode, &p, &common::spawner(), &|_| {}).unwrap();
            assert_eq!(run.pids.len(), 3, "{mode:?}: one pid per worker");
            let mut pids = run.pids.clone();
            pids.sort_unstable();
            pids.dedup();
            assert_eq!(pids.len(), 3, "{mode:?}: distinct pids {:?}", run.pids);
            assert!(!pids.contains(&std::process::id()), "not this process");
            for pid in pids {
                assert!(!exists(pid), "{mode:?}: worker {pid} is still around");
            }
        }
    });
}

#[test]
fn the_pool_spreads_tasks_over_its_workers() {
    common::within("spread", || {
        let spec = TaskSpec {
            numbers: 200,
            io: Duration::from_millis(2),
            data_bytes: 0,
        };
        let run = pool::run(&common::spawner(), 2, 20, &spec, &[], Feed::All, &|_| {}).unwrap();
        assert_eq!(run.tasks_per_worker.iter().sum::<u64>(), 20);
        assert!(
            run.tasks_per_worker.iter().all(|&n| n >= 5),
            "both workers work: {:?}",
            run.tasks_per_worker
        );
    });
}

#[test]
fn a_worker_that_dies_is_an_error_and_leaves_no_process() {
    common::within("dead worker", || {
        // `sh child worker ...` is no worker: sh fails to open a script called `child`.
        let spec = TaskSpec::for_workload(Workload::Cpu, 10, Duration::ZERO);
        let err = pool::run(&Spawner::new("sh"), 2, 10, &spec, &[], Feed::All, &|_| {})
            .expect_err("workers that exit at once can't do tasks");
        let text = format!("{err:#}");
        assert!(text.contains("worker") && text.contains("died"), "{text}");

        let err = pool::run(
            &Spawner::new("/nonexistent/lab"),
            2,
            10,
            &spec,
            &[],
            Feed::All,
            &|_| {},
        )
        .expect_err("no such program");
        assert!(
            format!("{err:#}").contains("starting worker process"),
            "{err:#}"
        );
    });
}

#[test]
fn a_bench_agrees_and_records_every_mode() {
    common::within("bench", || {
        let b = Bench {
            workload: Workload::Mixed,
            plan: plan(Workload::Mixed, 12, 0),
            modes: bench::default_modes(Workload::Mixed),
        };
        let mut sorted = b.modes.clone();
        sorted.sort();
        assert_eq!(sorted, Mode::ALL, "mixed runs every mode");
        let runs = bench::run_all(&b, &common::spawner(), &Bars::new(false), 1).unwrap();
        let outcome = bench::agreed_outcome(&runs).unwrap();
        assert_eq!(outcome, expected(&b.plan));
        let record = bench::record(&b, &runs);
        assert_eq!(record.results.len(), Mode::ALL.len());
        assert_eq!(record.results[0].mode, "sequential");
        assert!((record.results[0].speedup - 1.0).abs() < 1e-12);
        for r in &record.results {
            assert!(r.ms > 0.0 && (r.efficiency - r.speedup / r.workers as f64).abs() < 1e-9);
        }
        let text = bench::results_table(&runs).to_string();
        for m in Mode::ALL {
            assert!(text.contains(m.label()), "{text}");
        }
    });
    let cpu = bench::default_modes(Workload::Cpu);
    assert_eq!(cpu.len(), 5, "no async for pure computing");
    assert!(cpu.contains(&Mode::Isolated), "subinterpreters compute");
    assert!(bench::default_modes(Workload::Io).contains(&Mode::Async));
}

#[test]
fn repeated_benches_keep_one_median_run_per_mode() {
    use std::sync::atomic::{AtomicU64, Ordering};
    common::within("repeat", || {
        let b = Bench {
            workload: Workload::Cpu,
            plan: plan(Workload::Cpu, 10, 0),
            modes: vec![Mode::Sequential, Mode::Threads],
        };
        let runs = bench::run_all(&b, &common::spawner(), &Bars::new(false), 3).unwrap();
        assert_eq!(runs.len(), 2, "one run per mode");
        assert_eq!(bench::agreed_outcome(&runs).unwrap(), expected(&b.plan));
        let ticks = AtomicU64::new(0);
        let tick = |n| {
            ticks.fetch_add(n, Ordering::Relaxed);
        };
        for _ in 0..3 {
            modes::run(Mode::Sequential, &b.plan, &common::spawner(), &tick).unwrap();
        }
        assert_eq!(ticks.into_inner(), 30);
    });
}

#[test]
fn a_check_runs_every_option_on_the_scaled_workload() {
    common::within("check", || {
        let cal = Calibration::reference();
        let big = Profile {
            tasks: 1_000_000,
            cpu_ms: 0.05,
            io_ms: 1.0,
            data_kb: 1.0,
            shared_memory: true,
            max_concurrency: Some(4),
            python: PythonBuild::Gil,
        };
        let small = advise::scaled(&big, &cal, 20.0);
        assert!(
            small.tasks >= advise::MIN_TASKS && small.tasks < 100,
            "{}",
            small.tasks
        );
        let ticks = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counted = std::sync::Arc::clone(&ticks);
        let rows = advise::check(
            &small,
            &cal,
            &common::spawner(),
            &Mode::ALL,
            2,
            &move |_, _| {
                let counted = std::sync::Arc::clone(&counted);
                Box::new(move |n| {
                    counted.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                })
            },
        )
        .unwrap();
        let options = Mode::ALL.len() as u64;
        assert_eq!(
            ticks.load(std::sync::atomic::Ordering::Relaxed),
            options * 2 * small.tasks,
            "every option ran twice"
        );
        assert_eq!(rows.len(), Mode::ALL.len());
        for r in &rows {
            assert!(r.predicted_ms > 0.0 && r.measured_ms > 0.0, "{r:?}");
            assert!(r.error().is_finite());
        }
        // Processes got the shared state there and back: twice the bytes.
        let threads = rows.iter().find(|r| r.mode == Mode::Threads).unwrap();
        let procs = rows.iter().find(|r| r.mode == Mode::Processes).unwrap();
        assert_eq!(procs.outcome.bytes, 2 * threads.outcome.bytes);
        let isolated = rows.iter().find(|r| r.mode == Mode::Isolated).unwrap();
        assert_eq!(isolated.outcome.bytes, procs.outcome.bytes);
    });
}

#[test]
fn calibration_measures_plausible_numbers() {
    let cal = common::within("calibration", || {
        calibrate::measure(&common::spawner(), Duration::from_millis(5)).unwrap()
    });
    assert_eq!(cal.cores, course_support::cores());
    assert!(cal.parallel_speedup >= 0.1 && cal.parallel_speedup <= cal.cores as f64);
    assert!(cal.numbers_per_ms > 10.0, "{cal:?}");
    for v in [
        cal.read_us_per_kb,
        cal.thread_spawn_us,
        cal.sleep_overshoot_ms,
        cal.async_overshoot_ms,
        cal.async_task_us,
        cal.pool_start_ms,
        cal.pool_start_per_worker_ms,
        cal.frame_us,
        cal.pipe_us_per_kb,
        cal.isolated_task_us,
        cal.copy_us_per_kb,
        cal.gil_handoff_us,
        cal.gil_handoff_per_thread_us,
        cal.gil_reacquire_us,
    ] {
        assert!(v.is_finite() && v >= 0.0, "{cal:?}");
    }
    assert!(
        cal.pool_start_ms + cal.pool_start_per_worker_ms > 0.0,
        "starting a process costs something"
    );
}

/// The async mode's simulated responses are not rounded up to tokio's 1 ms
/// timer tick: 1 ms waits one after another take clearly less than as many
/// `tokio::time::sleep`s of 1 ms on the same machine (which last about 2 ms).
#[cfg(target_os = "linux")]
#[test]
fn async_waits_are_not_rounded_up_to_the_next_timer_tick() {
    common::within("async waits", || {
        let p = Plan {
            spec: TaskSpec {
                numbers: 0,
                ..TaskSpec::for_workload(Workload::Io, 300, Duration::from_millis(1))
            },
            tasks: 100,
            workers: 1,
            in_flight: 1,
            switch_interval: Duration::from_millis(5),
        };
        let run = modes::run(Mode::Async, &p, &common::spawner(), &|_| {}).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let slept = rt.block_on(async {
            let start = std::time::Instant::now();
            for _ in 0..100 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            start.elapsed()
        });
        assert!(
            run.elapsed >= Duration::from_millis(100),
            "waited less than asked: {:?}",
            run.elapsed
        );
        assert!(
            run.elapsed * 4 < slept * 3,
            "the async mode's 1 ms waits ({:?} for 100) are no better than tokio::time::sleep ({slept:?})",
            run.elapsed
        );
    });
}

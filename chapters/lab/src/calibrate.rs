//! Short measurements that calibrate the model on this machine, each made
//! with the same code the laboratory runs (the modes of [`crate::modes`] and
//! the process pool), so the model's costs are the costs the runs pay.
//! Each measurement is repeated and its median kept: one slow sample on a busy
//! machine does not skew it.

use std::time::{Duration, Instant};

use anyhow::Result;
use course_support::child::Spawner;

use crate::model::Calibration;
use crate::modes::{self, Mode, Plan};
use crate::pool::{self, Feed};
use crate::task::{TaskSpec, input, read_input};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn repeat(n: usize, mut f: impl FnMut() -> Result<f64>) -> Result<f64> {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push(f()?);
    }
    Ok(median(v))
}

fn best_of(n: usize, mut f: impl FnMut() -> Result<f64>) -> Result<f64> {
    let mut best = f64::MIN;
    for _ in 0..n {
        best = best.max(f()?);
    }
    Ok(best)
}

fn plan(spec: TaskSpec, tasks: u64, workers: usize, in_flight: usize, switch: Duration) -> Plan {
    Plan {
        spec,
        tasks,
        workers,
        in_flight,
        switch_interval: switch,
    }
}

fn ms_of(mode: Mode, plan: &Plan, spawner: &Spawner) -> Result<f64> {
    Ok(modes::run(mode, plan, spawner, &|_| {})?.ms())
}

const NO_WORK: TaskSpec = TaskSpec {
    numbers: 0,
    io: Duration::ZERO,
    data_bytes: 0,
};

// ANCHOR: measure
/// Measures every [`Calibration`] number (about half a second in a release
/// build). `spawner` starts this program's worker processes.
pub fn measure(spawner: &Spawner, switch_interval: Duration) -> Result<Calibration> {
    let cores = course_support::cores();
    let ms1 = Duration::from_millis(1);

    // Prime-count speed in the blocks tasks really use.
    let numbers_per_ms = repeat(3, || {
        let spec = TaskSpec {
            numbers: 2_000,
            ..NO_WORK
        };
        let started = Instant::now();
        let mut i = 0;
        while started.elapsed() < Duration::from_millis(40) {
            std::hint::black_box(spec.compute(i));
            i += 1;
        }
        Ok((i * spec.numbers) as f64 / (started.elapsed().as_secs_f64() * 1e3))
    })?;

    let read_us_per_kb = repeat(3, || {
        let data = input(1 << 20);
        let started = Instant::now();
        for _ in 0..4 {
            std::hint::black_box(read_input(&data));
        }
        Ok(started.elapsed().as_secs_f64() * 1e6 / 4096.0)
    })?;

    // The pool of free threads itself, with nothing to do: 32 threads
    // spawned, each taking a task, all joined. This counts what the real
    // runs pay per thread (spawning, the shared task counter, the join),
    // not only the bare `spawn`.
    let thread_spawn_us = repeat(3, || {
        let threads = 32;
        let p = plan(NO_WORK, threads as u64, threads, 1, switch_interval);
        Ok(ms_of(Mode::Threads, &p, spawner)? * 1e3 / threads as f64)
    })?;

    // How much faster `cores` threads compute than one: the cores we really
    // get (less than `cores` on a machine busy with other work). The best of
    // five: a passing disturbance only ever makes a sample worse.
    let cpu = TaskSpec {
        numbers: 2_000,
        ..NO_WORK
    };
    let parallel_speedup = best_of(5, || {
        let work = TaskSpec {
            numbers: 8_000,
            ..cpu
        };
        let p = plan(work, 40 * cores as u64, cores, 1, switch_interval);
        let one = ms_of(Mode::Sequential, &p, spawner)?;
        let all = ms_of(Mode::Threads, &p, spawner)?;
        Ok((one / all).clamp(0.1, cores as f64))
    })?;

    // Waits: sequential sleeps of 1 ms, and 8 rounds of 8 async sleeps at once.
    let wait = TaskSpec { io: ms1, ..NO_WORK };
    let sleep_overshoot_ms = repeat(3, || {
        Ok(ms_of(
            Mode::Sequential,
            &plan(wait, 10, 1, 1, switch_interval),
            spawner,
        )? / 10.0
            - 1.0)
    })?
    .max(0.0);
    let async_overshoot_ms = repeat(3, || {
        Ok(ms_of(Mode::Async, &plan(wait, 64, 1, 8, switch_interval), spawner)? / 8.0 - 1.0)
    })?
    .max(0.0);
    let async_task_us = repeat(3, || {
        Ok(ms_of(
            Mode::Async,
            &plan(NO_WORK, 5_000, 1, 1_000, switch_interval),
            spawner,
        )? * 1e3
            / 5_000.0)
    })?;

    // Worker processes: start and shut down pools of 1 and of n workers, then
    // send many empty tasks, then big inputs, to one worker.
    let n = cores.clamp(2, 4);
    let start_1 = repeat(3, || {
        ms_of(
            Mode::Processes,
            &plan(NO_WORK, 0, 1, 1, switch_interval),
            spawner,
        )
    })?;
    let start_n = repeat(3, || {
        ms_of(
            Mode::Processes,
            &plan(NO_WORK, 0, n, 1, switch_interval),
            spawner,
        )
    })?;
    let pool_start_per_worker_ms = ((start_n - start_1) / (n - 1) as f64).max(0.0);
    let pool_start_ms = (start_1 - pool_start_per_worker_ms).max(0.0);
    // One task per frame: the cost of a message there and an answer back.
    let frame_us = repeat(3, || {
        let frames = 1_000u64;
        let started = Instant::now();
        let p = pool::run_chunked(spawner, 1, frames, 1, &NO_WORK, &[], Feed::All, &|_| {})?;
        std::hint::black_box(p);
        let ms = started.elapsed().as_secs_f64() * 1e3;
        Ok(((ms - start_1) * 1e3 / frames as f64).max(0.0))
    })?;
    let (big, kb) = (32u64, 256usize);
    let pipe_us_per_kb = repeat(3, || {
        let spec = TaskSpec {
            data_bytes: kb * 1024,
            ..NO_WORK
        };
        let ms = ms_of(
            Mode::Processes,
            &plan(spec, big, 1, 1, switch_interval),
            spawner,
        )?;
        let frames = big.div_ceil(pool::chunk_size(big, 1) as u64);
        let sending = ms - start_1 - frames as f64 * frame_us / 1e3;
        // The worker sums what it gets; that part is computing, not sending.
        Ok((sending * 1e3 / (big as f64 * kb as f64) - read_us_per_kb).max(0.0))
    })?;

    // Isolated workers: many empty tasks through one worker (each a message
    // there and an answer back), then big inputs, copied in and out.
    let spawn_1 = thread_spawn_us / 1e3;
    let isolated_task_us = repeat(3, || {
        let tasks = 2_000u64;
        let ms = ms_of(
            Mode::Isolated,
            &plan(NO_WORK, tasks, 1, 1, switch_interval),
            spawner,
        )?;
        Ok(((ms - spawn_1) * 1e3 / tasks as f64).max(0.0))
    })?;
    let copy_us_per_kb = repeat(3, || {
        let spec = TaskSpec {
            data_bytes: kb * 1024,
            ..NO_WORK
        };
        let ms = ms_of(
            Mode::Isolated,
            &plan(spec, big, 1, 1, switch_interval),
            spawner,
        )?;
        let copying = ms - spawn_1 - big as f64 * isolated_task_us / 1e3;
        // The worker sums what it gets; that part is computing, not copying.
        Ok((copying * 1e3 / (big as f64 * kb as f64) - read_us_per_kb).max(0.0))
    })?;

    // The simulated GIL: CPU-bound threads with a tiny switch interval hand
    // over thousands of times; compare with the same tasks run sequentially.
    // With 2 threads and with 32: every handoff wakes all the waiting threads.
    let cpu = TaskSpec {
        numbers: 2_000,
        ..NO_WORK
    };
    let handoff = |threads: usize| {
        repeat(3, || {
            let tiny = plan(cpu, 60, threads, 1, Duration::from_micros(100));
            let seq = ms_of(Mode::Sequential, &tiny, spawner)?;
            let run = modes::run(Mode::GilThreads, &tiny, spawner, &|_| {})?;
            Ok(((run.ms() - seq) * 1e3 / run.handoffs.max(1) as f64).max(0.0))
        })
    };
    let (two, many) = (handoff(2)?, handoff(32)?);
    let gil_handoff_per_thread_us = ((many - two) / 30.0).max(0.0);
    let gil_handoff_us = (two - gil_handoff_per_thread_us).max(0.0);
    // Waits under the GIL: each thread must take the lock back after its wait.
    let io = TaskSpec {
        numbers: crate::task::PARSE_NUMBERS,
        io: ms1,
        data_bytes: 0,
    };
    let gil_reacquire_us = repeat(3, || {
        let waits = plan(io, 64, 4, 1, switch_interval);
        let free = ms_of(Mode::Threads, &waits, spawner)?;
        let locked = ms_of(Mode::GilThreads, &waits, spawner)?;
        Ok(((locked - free) * 1e3 / 16.0).max(0.0))
    })?;

    Ok(Calibration {
        cores,
        parallel_speedup,
        numbers_per_ms,
        read_us_per_kb,
        thread_spawn_us,
        sleep_overshoot_ms,
        async_overshoot_ms,
        async_task_us,
        pool_start_ms,
        pool_start_per_worker_ms,
        frame_us,
        pipe_us_per_kb,
        isolated_task_us,
        copy_us_per_kb,
        gil_handoff_us,
        gil_handoff_per_thread_us,
        gil_reacquire_us,
        switch_interval_ms: switch_interval.as_secs_f64() * 1e3,
    })
}
// ANCHOR_END: measure

/// The calibration as a table: what was measured, and the value.
pub fn table(cal: &Calibration) -> course_support::Table {
    let mut t = course_support::table(["measured on this machine", "value"]);
    let rows: [(&str, String); 18] = [
        ("cores", cal.cores.to_string()),
        (
            "CPU speed-up, all cores vs one",
            format!("{:.2}x", cal.parallel_speedup),
        ),
        (
            "prime-count speed",
            format!("{:.0} numbers/ms", cal.numbers_per_ms),
        ),
        ("reading input", format!("{:.3} µs/KB", cal.read_us_per_kb)),
        (
            "spawn + join a thread",
            format!("{:.1} µs", cal.thread_spawn_us),
        ),
        (
            "thread::sleep overshoot",
            format!("{:.3} ms", cal.sleep_overshoot_ms),
        ),
        (
            "async wait overshoot",
            format!("{:.3} ms", cal.async_overshoot_ms),
        ),
        (
            "event-loop cost per task",
            format!("{:.2} µs", cal.async_task_us),
        ),
        (
            "start + stop a process pool",
            format!("{:.2} ms", cal.pool_start_ms),
        ),
        (
            "... per worker process",
            format!("{:.2} ms", cal.pool_start_per_worker_ms),
        ),
        (
            "send a frame of tasks, read the answer",
            format!("{:.1} µs", cal.frame_us),
        ),
        (
            "send input through a pipe",
            format!("{:.3} µs/KB", cal.pipe_us_per_kb),
        ),
        (
            "isolated worker: a task there and back",
            format!("{:.2} µs", cal.isolated_task_us),
        ),
        (
            "copy input in and out (isolated)",
            format!("{:.3} µs/KB", cal.copy_us_per_kb),
        ),
        (
            "GIL handoff (switch interval)",
            format!("{:.1} µs", cal.gil_handoff_us),
        ),
        (
            "... per thread waiting for the GIL",
            format!("{:.1} µs", cal.gil_handoff_per_thread_us),
        ),
        (
            "GIL reacquire after a wait",
            format!("{:.1} µs", cal.gil_reacquire_us),
        ),
        (
            "switch interval",
            format!("{:.1} ms", cal.switch_interval_ms),
        ),
    ];
    for (what, value) in rows {
        t.add_row([what.to_owned(), value]);
    }
    t
}

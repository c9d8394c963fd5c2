//! What a task costs on each pool, and what each pool buys on CPU-bound
//! work: both measured in one run, on this machine.

use std::convert::Infallible;
use std::hint::black_box;
use std::time::Duration;

use anyhow::{Result, ensure};
use course_support::child::Spawner;
use course_support::{count_primes, time};

use crate::interpreter_pool::InterpreterPool;
use crate::process_pool::ProcessPool;
use crate::remote::{CountPrimes, Echo, Remote, SleepThenPid};
use crate::thread_pool::ThreadPool;

/// One row of the overhead table.
#[derive(Debug, Clone)]
pub struct Cost {
    pub label: &'static str,
    pub tasks: usize,
    pub elapsed: Duration,
}

impl Cost {
    /// Microseconds per task.
    pub fn us_each(&self) -> f64 {
        self.elapsed.as_secs_f64() * 1e6 / self.tasks.max(1) as f64
    }
}

/// Start-up and per-task costs.
#[derive(Debug, Clone)]
pub struct Overhead {
    pub workers: usize,
    /// Starting each pool, until every worker has answered a first task
    /// (for processes, that includes a 5 ms task on each).
    pub start_threads: Duration,
    pub start_processes: Duration,
    /// Starting the interpreter pool, until every interpreter has answered.
    pub start_interpreters: Duration,
    pub rows: Vec<Cost>,
}

// ANCHOR: overhead
/// Runs `tasks` tasks that do nothing (return their argument) through each
/// pool, all submitted at once then all joined, and one at a time (submit,
/// wait, submit...), so all that is measured is the pool itself. The
/// process pool gets `process_tasks`: each of its tasks is two pipe writes,
/// two JSON encodings and two wake-ups of another process. The interpreter
/// pool gets as many: its tasks are JSON-encoded there and back too, but
/// cross channels in this process instead of pipes.
pub fn overhead(
    spawner: &Spawner,
    workers: usize,
    tasks: usize,
    process_tasks: usize,
) -> Result<Overhead> {
    let direct = time(|| {
        (0..tasks as u64)
            .filter_map(|i| Echo::call(black_box(i)).ok())
            .sum::<u64>()
    });
    check_sum(direct.value, tasks)?;

    // Start-up: until every worker has answered a first task.
    let started = time(|| {
        let pool = ThreadPool::new(workers);
        let first: Vec<_> = (0..workers).map(|i| pool.spawn(move || i)).collect();
        first.into_iter().for_each(|h| drop(h.join()));
        pool
    });
    let threads = started.value;
    let batch = time(|| {
        let handles: Vec<_> = (0..tasks as u64)
            .map(|i| threads.spawn(move || i))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().ok())
            .sum::<u64>()
    });
    check_sum(batch.value, tasks)?;
    let one_by_one = time(|| {
        (0..tasks as u64)
            .filter_map(|i| threads.spawn(move || i).join().ok())
            .sum::<u64>()
    });
    check_sum(one_by_one.value, tasks)?;
    drop(threads);

    let started_p = time(|| -> Result<ProcessPool> {
        let pool = ProcessPool::new(spawner, workers)?;
        // Tasks that keep each worker busy a moment, so that every process
        // gets one: then all of them have started and answered.
        for outcome in pool.map::<SleepThenPid>(vec![5; workers]) {
            ensure!(outcome.is_ok(), "a worker process failed: {outcome:?}");
        }
        Ok(pool)
    });
    let processes = started_p.value?;
    // A worker that dies (killed from outside, say) fails its task: the
    // error names it, instead of a sum that merely comes out short.
    let p_batch = time(|| sum(processes.map::<Echo>(0..process_tasks as u64).collect()));
    check_sum(p_batch.value?, process_tasks)?;
    let p_one = time(|| {
        sum((0..process_tasks as u64)
            .map(|i| processes.submit::<Echo>(i).join())
            .collect())
    });
    check_sum(p_one.value?, process_tasks)?;
    drop(processes);

    let started_i = time(|| -> Result<InterpreterPool> {
        let pool = InterpreterPool::new(workers)?;
        for outcome in pool.map::<SleepThenPid>(vec![5; workers]) {
            ensure!(outcome.is_ok(), "an interpreter failed: {outcome:?}");
        }
        Ok(pool)
    });
    let interpreters = started_i.value?;
    let i_batch = time(|| sum(interpreters.map::<Echo>(0..process_tasks as u64).collect()));
    check_sum(i_batch.value?, process_tasks)?;
    let i_one = time(|| {
        sum((0..process_tasks as u64)
            .map(|i| interpreters.submit::<Echo>(i).join())
            .collect())
    });
    check_sum(i_one.value?, process_tasks)?;
    drop(interpreters);

    let cost = |label, tasks, elapsed| Cost {
        label,
        tasks,
        elapsed,
    };
    Ok(Overhead {
        workers,
        start_threads: started.elapsed,
        start_processes: started_p.elapsed,
        start_interpreters: started_i.elapsed,
        rows: vec![
            cost("direct call, no pool", tasks, direct.elapsed),
            cost(
                "thread pool, all submitted then joined",
                tasks,
                batch.elapsed,
            ),
            cost("thread pool, one at a time", tasks, one_by_one.elapsed),
            cost(
                "process pool, all submitted then joined",
                process_tasks,
                p_batch.elapsed,
            ),
            cost("process pool, one at a time", process_tasks, p_one.elapsed),
            cost(
                "interpreter pool, all submitted then joined",
                process_tasks,
                i_batch.elapsed,
            ),
            cost(
                "interpreter pool, one at a time",
                process_tasks,
                i_one.elapsed,
            ),
        ],
    })
}
// ANCHOR_END: overhead

/// The 1-minute load average (Linux), to tell whether other programs were
/// competing for the cores while we measured.
pub fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn check_sum(sum: u64, tasks: usize) -> Result<()> {
    let n = tasks as u64;
    let expected = n * n.saturating_sub(1) / 2;
    ensure!(
        sum == expected,
        "lost results: sum {sum}, expected {expected}"
    );
    Ok(())
}

/// One way of running the CPU-bound batch.
#[derive(Debug, Clone)]
pub struct CpuRun {
    pub label: &'static str,
    pub workers: usize,
    pub primes: u64,
    pub elapsed: Duration,
}

/// `0..limit` cut into `tasks` blocks of (nearly) equal length.
pub fn blocks(limit: u64, tasks: usize) -> Vec<(u64, u64)> {
    let tasks = tasks.max(1) as u64;
    (0..tasks)
        .map(|i| (limit * i / tasks, limit * (i + 1) / tasks))
        .collect()
}

/// One way of counting the whole batch.
type Batch<'a> = dyn Fn() -> Result<u64> + 'a;

// ANCHOR: cpu_batch
/// Counts the primes below `limit`, cut into `tasks` blocks: on one
/// thread, on a thread pool, on a process pool and on an interpreter pool
/// of `workers` each. They take turns, `repeats` rounds, and each keeps its fastest run: the
/// one least disturbed by other programs, and taking turns means a burst
/// of outside load hurts all three alike. The pools are started before the
/// clock (their start-up is in the overhead table).
pub fn cpu_batch(
    spawner: &Spawner,
    limit: u64,
    tasks: usize,
    workers: usize,
    repeats: usize,
) -> Result<Vec<CpuRun>> {
    let blocks = blocks(limit, tasks);
    let threads = ThreadPool::new(workers);
    let processes = ProcessPool::new(spawner, workers)?;
    let interpreters = InterpreterPool::new(workers)?;
    let sequential = || Ok(blocks.iter().map(|&(a, b)| count_primes(a..b)).sum());
    let on_threads = || {
        let count = |(a, b): (u64, u64)| Ok::<_, Infallible>(count_primes(a..b));
        let outcomes: Vec<_> = threads.map(count, blocks.clone()).collect();
        sum(outcomes)
    };
    let on_processes = || sum(processes.map::<CountPrimes>(blocks.clone()).collect());
    let on_interpreters = || sum(interpreters.map::<CountPrimes>(blocks.clone()).collect());
    let ways: [(&str, usize, &Batch); 4] = [
        ("one thread, no pool", 1, &sequential),
        ("thread pool", workers, &on_threads),
        ("process pool", workers, &on_processes),
        ("interpreter pool", workers, &on_interpreters),
    ];
    let mut best: Vec<Option<CpuRun>> = vec![None; ways.len()];
    for _ in 0..repeats.max(1) {
        for (slot, &(label, workers, run)) in best.iter_mut().zip(&ways) {
            let timed = time(run);
            let primes = timed.value?;
            if slot.as_ref().is_none_or(|b| timed.elapsed < b.elapsed) {
                *slot = Some(CpuRun {
                    label,
                    workers,
                    primes,
                    elapsed: timed.elapsed,
                });
            }
        }
    }
    let runs: Vec<CpuRun> = best.into_iter().flatten().collect();
    for r in &runs[1..] {
        ensure!(
            r.primes == runs[0].primes,
            "{} counted {} primes, one thread counted {}",
            r.label,
            r.primes,
            runs[0].primes
        );
    }
    Ok(runs)
}

/// The bench's target rows for the interpreter pool: its cost per task
/// next to the thread pool's and the process pool's, and its CPU speed-up.
/// (Python's column stays empty: `InterpreterPoolExecutor` needs 3.14.)
pub fn interpreter_targets(
    o: &Overhead,
    runs: &[CpuRun],
    py: Option<&crate::python::PythonRun>,
) -> Vec<[String; 4]> {
    let find = |label: &str| o.rows.iter().find(|r| r.label == label).map(Cost::us_each);
    let mut rows = Vec::new();
    if let (Some(threads), Some(processes), Some(interp)) = (
        find("thread pool, all submitted then joined"),
        find("process pool, all submitted then joined"),
        find("interpreter pool, all submitted then joined"),
    ) {
        rows.push([
            "interpreter pool, us per task (Python: InterpreterPoolExecutor.submit)".to_owned(),
            format!("{interp:.2}"),
            py.and_then(|p| p.interpreters_us)
                .map_or("-".to_owned(), |us| format!("{us:.2}")),
            format!(
                "{} a thread task, {} a process task: a copy there and back, no pipe",
                course_support::ratio(interp, threads),
                course_support::ratio(interp, processes)
            ),
        ]);
    }
    let base = runs.first().map(|r| r.elapsed.as_secs_f64());
    if let (Some(base), Some(run)) = (base, runs.iter().find(|r| r.label == "interpreter pool")) {
        let s = base / run.elapsed.as_secs_f64();
        let py_s = py.and_then(|p| {
            p.cpu_interpreters_s
                .map(|t| format!("{:.2}x", p.cpu_sequential_s / t))
        });
        rows.push([
            "CPU speed-up, interpreter pool".to_owned(),
            format!(
                "{s:.2}x ({:.0}% efficiency)",
                100.0 * s / run.workers as f64
            ),
            py_s.unwrap_or_else(|| "-".to_owned()),
            "target: >= 97% efficiency".to_owned(),
        ]);
    }
    rows
}

/// Adds up the tasks' answers; the first failed task is the error (it names
/// a dead worker, say).
fn sum<E: std::fmt::Display>(outcomes: Vec<crate::future::Outcome<u64, E>>) -> Result<u64> {
    outcomes
        .into_iter()
        .map(|o| o.map_err(|e| anyhow::anyhow!("a task failed: {e}")))
        .sum()
}
// ANCHOR_END: cpu_batch

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_the_range_once() {
        let b = blocks(1_000, 7);
        assert_eq!(b.len(), 7);
        assert_eq!(b[0].0, 0);
        assert_eq!(b[6].1, 1_000);
        assert!(b.windows(2).all(|w| w[0].1 == w[1].0));
    }
}

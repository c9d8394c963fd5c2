//! `cargo run -p lesson-07-executors [DEMO]`: with no demo, the guided tour.

use std::collections::HashMap;
use std::convert::Infallible;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use clap::builder::RangedU64ValueParser;
use clap::{Parser, Subcommand};
use course_support::child::{ROLE_COMMAND, Spawner, exists};
use course_support::interpreter::{self, PythonArgs};
use course_support::report::ms;
use course_support::{cores, ratio, table, time};
use crossbeam::channel;
use lesson_07_executors::future::{Handle, TaskId};
use lesson_07_executors::measure::{self, CpuRun, Overhead};
use lesson_07_executors::remote::{CountPrimes, Crash, CrashHow, Echo, Fail, Panic, SleepThenPid};
use lesson_07_executors::robust::{self, Report};
use lesson_07_executors::roles::{self, Role};
use lesson_07_executors::thread_pool::{self, ThreadPool};
use lesson_07_executors::{
    ProcessPool, ReturnWhen, as_completed, interpreter_demo, python, seed, wait,
};

/// Sizes of the measurements: the tour's (seconds in a debug build) and
/// the bench's (meant for --release).
const TOUR_TASKS: usize = 2_000;
const TOUR_PROCESS_TASKS: usize = 300;
const TOUR_LIMIT: u64 = 1_000_000;
const BENCH_TASKS: usize = 50_000;
const BENCH_PROCESS_TASKS: usize = 5_000;
const BENCH_LIMIT: u64 = 5_000_000;

/// Executors: Python's concurrent.futures (ThreadPoolExecutor and
/// ProcessPoolExecutor) built on std threads and child processes: submit,
/// result with a timeout, map, as_completed, wait, cancel, shutdown, and a
/// batch that collects every result and every (task, error) pair.
#[derive(Debug, Parser)]
#[command(name = "lesson-07-executors")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// The seed's ThreadPoolExecutor(max_workers=1): submit(test, 1), result().
    Seed,
    /// A future's life: done(), running(), result(timeout) that times out, then the value.
    Submit {
        /// How long the task runs, in ms.
        #[arg(long, default_value_t = 300, value_parser = millis(1, 60_000))]
        task_ms: u64,
        /// The first result() call's timeout, in ms.
        #[arg(long, default_value_t = 50, value_parser = millis(0, 60_000))]
        timeout_ms: u64,
    },
    /// map(): results in input order, whatever order the tasks finish in.
    Map {
        #[arg(long, default_value_t = 6, value_parser = count(1, 1_000))]
        items: usize,
        #[arg(long, default_value_t = 3, value_parser = count(1, 256))]
        workers: usize,
        /// Item i sleeps (items - i) x this many ms, so later items finish first.
        #[arg(long, default_value_t = 20, value_parser = millis(0, 10_000))]
        step_ms: u64,
    },
    /// as_completed(): handles in completion order; the slow first task arrives last.
    AsCompleted {
        /// Sleep of each task in ms, in submission order.
        #[arg(long, value_delimiter = ',', default_values_t = [300, 100, 200, 50], value_parser = millis(0, 60_000))]
        sleeps_ms: Vec<u64>,
        #[arg(long, default_value_t = 4, value_parser = count(1, 256))]
        workers: usize,
    },
    /// wait(): FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED.
    Wait,
    /// cancel(): queued tasks never run; a running one can't be cancelled.
    Cancel {
        /// Tasks queued behind the running one; every other one is cancelled.
        #[arg(long, default_value_t = 6, value_parser = count(1, 10_000))]
        queued: usize,
    },
    /// shutdown(wait=true) drains the queue; shutdown(wait=false) drops it and returns at once.
    Shutdown {
        #[arg(long, default_value_t = 5, value_parser = count(0, 10_000))]
        queued: usize,
        /// How long the running task takes, in ms.
        #[arg(long, default_value_t = 200, value_parser = millis(0, 60_000))]
        running_ms: u64,
    },
    /// The seeds' robust pattern: a batch with errors, a panic and a slow task; every outcome collected.
    Robust {
        #[arg(long, default_value_t = 2, value_parser = count(1, 256))]
        workers: usize,
        /// How long the whole batch may take, in ms.
        #[arg(long, default_value_t = 300, value_parser = millis(1, 60_000))]
        timeout_ms: u64,
        /// The slow task's sleep, in ms (longer than the timeout).
        #[arg(long, default_value_t = 600, value_parser = millis(0, 60_000))]
        slow_ms: u64,
    },
    /// ProcessPoolExecutor: pids, errors, panics, crashing workers replaced, a task limit, no process left.
    Processes {
        #[arg(long, default_value_t = 2, value_parser = count(1, 64))]
        workers: usize,
    },
    /// InterpreterPoolExecutor (Python 3.14): share-nothing workers in this process, fed copies.
    Interpreters {
        #[arg(long, default_value_t = 2, value_parser = count(1, 64))]
        workers: usize,
        /// Tasks with a 1 MiB argument, to time what the copies cost.
        #[arg(long, default_value_t = 16, value_parser = count(1, 10_000))]
        big_tasks: usize,
    },
    /// Microseconds per do-nothing task: thread pool vs process pool vs interpreter pool.
    Overhead {
        #[arg(long, default_value_t = cores(), value_parser = count(1, 256))]
        workers: usize,
        /// Tasks on the thread pool (and the direct calls).
        #[arg(long, default_value_t = TOUR_TASKS, value_parser = count(1, 10_000_000))]
        tasks: usize,
        /// Tasks on the process pool.
        #[arg(long, default_value_t = TOUR_PROCESS_TASKS, value_parser = count(1, 1_000_000))]
        process_tasks: usize,
    },
    /// A CPU-bound batch (prime counts) on one thread, a thread pool and a process pool.
    Cpu {
        /// Count the primes below this.
        #[arg(long, default_value_t = TOUR_LIMIT, value_parser = RangedU64ValueParser::<u64>::new().range(1..=1_000_000_000))]
        limit: u64,
        /// Blocks to cut the range into (tasks).
        #[arg(long, default_value_t = 4 * cores(), value_parser = count(1, 100_000))]
        tasks: usize,
        #[arg(long, default_value_t = cores(), value_parser = count(1, 256))]
        workers: usize,
        /// Run each way this many times and keep the fastest.
        #[arg(long, default_value_t = 1, value_parser = count(1, 100))]
        repeats: usize,
    },
    /// Overhead and CPU speed-up with bigger counts, and Python's executors side by side
    /// (meant for `cargo run --release -p lesson-07-executors -- bench`).
    Bench {
        #[arg(long, default_value_t = cores(), value_parser = count(1, 256))]
        workers: usize,
        #[arg(long, default_value_t = BENCH_TASKS, value_parser = count(1, 10_000_000))]
        tasks: usize,
        #[arg(long, default_value_t = BENCH_PROCESS_TASKS, value_parser = count(1, 1_000_000))]
        process_tasks: usize,
        #[arg(long, default_value_t = BENCH_LIMIT, value_parser = RangedU64ValueParser::<u64>::new().range(1..=1_000_000_000))]
        limit: u64,
        /// Primes limit for Python's (slower) run of the CPU batch.
        #[arg(long, default_value_t = 1_000_000, value_parser = RangedU64ValueParser::<u64>::new().range(1..=1_000_000_000))]
        python_limit: u64,
        /// Run each CPU batch this many times and keep the fastest.
        #[arg(long, default_value_t = 3, value_parser = count(1, 100))]
        repeats: usize,
        #[command(flatten)]
        python: PythonArgs,
    },
    /// What a worker process runs: `lesson-07-executors child <ROLE>` (started by the process pool).
    #[command(name = ROLE_COMMAND, hide = true)]
    Child {
        #[command(subcommand)]
        role: Role,
    },
}

fn count(min: u64, max: u64) -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::<usize>::new().range(min..=max)
}

fn millis(min: u64, max: u64) -> RangedU64ValueParser<u64> {
    RangedU64ValueParser::<u64>::new().range(min..=max)
}

// ANCHOR: dispatch
fn main() -> ExitCode {
    quiet_broken_pipe();
    let demo = Cli::parse().demo.unwrap_or(Demo::Tour);
    // A worker process started by the process pool: play the role, exit.
    if let Demo::Child { role } = demo {
        let code = roles::run(role);
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    // ANCHOR_END: dispatch
    // Panics inside pool workers are caught and reported as TaskError::Panicked.
    thread_pool::quiet_worker_panics();
    match run(demo) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `... | head` closes our stdout early: die quietly, like other tools.
fn quiet_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default action of SIGPIPE, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn run(demo: Demo) -> Result<()> {
    let spawner = Spawner::current_exe()?;
    match demo {
        Demo::Tour => tour(&spawner),
        Demo::Seed => show_seed(),
        Demo::Submit {
            task_ms,
            timeout_ms,
        } => show_submit(ms_to(task_ms), ms_to(timeout_ms)),
        Demo::Map {
            items,
            workers,
            step_ms,
        } => show_map(items, workers, ms_to(step_ms)),
        Demo::AsCompleted { sleeps_ms, workers } => show_as_completed(&sleeps_ms, workers),
        Demo::Wait => show_wait(),
        Demo::Cancel { queued } => show_cancel(queued),
        Demo::Shutdown { queued, running_ms } => show_shutdown(queued, ms_to(running_ms)),
        Demo::Robust {
            workers,
            timeout_ms,
            slow_ms,
        } => show_robust(workers, ms_to(timeout_ms), slow_ms),
        Demo::Processes { workers } => show_processes(&spawner, workers),
        Demo::Interpreters { workers, big_tasks } => {
            interpreter_demo::show(&spawner, workers, big_tasks).map(|_| ())
        }
        Demo::Overhead {
            workers,
            tasks,
            process_tasks,
        } => show_overhead(&spawner, workers, tasks, process_tasks).map(|_| ()),
        Demo::Cpu {
            limit,
            tasks,
            workers,
            repeats,
        } => show_cpu(&spawner, limit, tasks, workers, repeats).map(|_| ()),
        Demo::Bench {
            workers,
            tasks,
            process_tasks,
            limit,
            python_limit,
            repeats,
            python,
        } => bench(
            &spawner,
            Sizes {
                workers,
                tasks,
                process_tasks,
                limit,
                python_limit,
                repeats,
            },
            &python,
        ),
        Demo::Child { .. } => unreachable!("handled in main"),
    }
}

fn tour(spawner: &Spawner) -> Result<()> {
    println!(
        "Lesson 07: executors (Python's concurrent.futures) on std threads and child processes, {} cores here.",
        cores()
    );
    heading("1. The seed's example: ThreadPoolExecutor(max_workers=1)");
    show_seed()?;
    heading("2. A future: done(), running(), result(timeout)");
    show_submit(Duration::from_millis(300), Duration::from_millis(50))?;
    heading("3. map(): input order");
    show_map(6, 3, Duration::from_millis(20))?;
    heading("4. as_completed(): completion order");
    show_as_completed(&[300, 100, 200, 50], 4)?;
    heading("5. wait(): FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED");
    show_wait()?;
    heading("6. cancel(): only what has not started");
    show_cancel(6)?;
    heading("7. shutdown(wait=true) and shutdown(wait=false)");
    show_shutdown(5, Duration::from_millis(200))?;
    heading("8. The robust pattern: every result, every (task, error)");
    show_robust(2, Duration::from_millis(300), 600)?;
    heading("9. ProcessPoolExecutor: the same API, tasks in worker processes");
    show_processes(spawner, 2)?;
    heading("10. InterpreterPoolExecutor: workers that share nothing, in this process");
    interpreter_demo::show(spawner, 2, 4)?;
    heading("11. What a task costs: thread pool, process pool, interpreter pool");
    show_overhead(spawner, cores(), TOUR_TASKS, TOUR_PROCESS_TASKS)?;
    heading("12. A CPU-bound batch on every pool");
    show_cpu(spawner, TOUR_LIMIT, 4 * cores(), cores(), 1)?;
    println!(
        "\nEach section is a subcommand with flags (see --help). Bigger counts and Python side by side:\n  \
         cargo run --release -p lesson-07-executors -- bench"
    );
    Ok(())
}

fn heading(title: &str) {
    println!("\n## {title}\n");
}

fn ms_to(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

fn show_seed() -> Result<()> {
    println!("with ThreadPoolExecutor(max_workers=1) as executor:");
    println!("    future = executor.submit(test, 1)");
    println!("    print(future.result())");
    let (when, num) = seed::seed_example()?;
    println!("-> ({when:?}, {num})   (UTC: std has no time zones)");
    Ok(())
}

fn show_submit(task: Duration, timeout: Duration) -> Result<()> {
    let pool = ThreadPool::new(1);
    let (started_tx, started) = channel::bounded(1);
    let t0 = Instant::now();
    let future = pool.spawn(move || {
        let _ = started_tx.send(());
        thread::sleep(task);
        "the value"
    });
    let mut t = table(["call", "returned", "at ms"]);
    t.add_row([
        "submit(task)".into(),
        format!("{future:?}"),
        ms(t0.elapsed()),
    ]);
    let _ = started.recv_timeout(Duration::from_secs(10));
    t.add_row([
        "running(), done()".into(),
        format!("{}, {}", future.running(), future.done()),
        ms(t0.elapsed()),
    ]);
    let waited = future.wait(timeout);
    t.add_row([
        format!("wait({} ms)", timeout.as_millis()),
        format!("{waited} (= Python's TimeoutError from result)"),
        ms(t0.elapsed()),
    ]);
    t.add_row([
        "running() after the timeout".into(),
        future.running().to_string(),
        ms(t0.elapsed()),
    ]);
    t.add_row([
        "cancel()".into(),
        format!("{} (it is running)", future.cancel()),
        ms(t0.elapsed()),
    ]);
    let value = future.result(Duration::from_secs(60));
    t.add_row([
        "result(60 s)".into(),
        format!("{value:?}"),
        ms(t0.elapsed()),
    ]);
    println!(
        "One task of {} ms on a pool of 1 worker:\n{t}",
        task.as_millis()
    );
    // result() consumes the handle, so time a second task for the TimedOut variant.
    let slow = pool.spawn(move || thread::sleep(task));
    let t1 = Instant::now();
    let r = slow.result(timeout);
    println!(
        "result({} ms) on another {} ms task: {r:?} after {} ms; the task keeps running (the pool's drop waits for it).",
        timeout.as_millis(),
        task.as_millis(),
        ms(t1.elapsed())
    );
    Ok(())
}

fn show_map(items: usize, workers: usize, step: Duration) -> Result<()> {
    let pool = ThreadPool::new(workers);
    let finished = Arc::new(AtomicUsize::new(0));
    let rank = Arc::clone(&finished);
    let outcomes: Vec<_> = pool
        .map(
            move |i: usize| {
                thread::sleep(step * (items - i) as u32);
                Ok::<_, Infallible>((i, rank.fetch_add(1, SeqCst) + 1))
            },
            0..items,
        )
        .collect();
    let mut t = table(["map yields", "item", "it finished"]);
    for (pos, outcome) in outcomes.iter().enumerate() {
        let (item, rank) = outcome.as_ref().map_err(|e| anyhow::anyhow!("{e:?}"))?;
        t.add_row([format!("{}", pos + 1), item.to_string(), ordinal(*rank)]);
    }
    println!(
        "{items} items on {workers} workers; item i sleeps ({items} - i) x {} ms, so late items finish first:\n{t}",
        step.as_millis()
    );
    let in_order = outcomes
        .iter()
        .enumerate()
        .all(|(pos, o)| matches!(o, Ok((i, _)) if *i == pos));
    println!("Input order kept: {}.", if in_order { "yes" } else { "NO" });
    Ok(())
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn show_as_completed(sleeps: &[u64], workers: usize) -> Result<()> {
    let pool = ThreadPool::new(workers);
    let t0 = Instant::now();
    let mut sleep_of = HashMap::new();
    let handles: Vec<_> = sleeps
        .iter()
        .map(|&ms| {
            let h = pool.spawn(move || thread::sleep(Duration::from_millis(ms)));
            sleep_of.insert(h.id(), ms);
            h
        })
        .collect();
    let mut t = table(["yielded", "task", "sleeps ms", "arrived at ms"]);
    for (k, handle) in as_completed(handles).enumerate() {
        t.add_row([
            ordinal(k + 1),
            handle.id().to_string(),
            sleep_of[&handle.id()].to_string(),
            ms(t0.elapsed()),
        ]);
    }
    println!(
        "{} tasks submitted in this order, sleeps {:?} ms, {workers} workers:\n{t}",
        sleeps.len(),
        sleeps
    );
    Ok(())
}

fn show_wait() -> Result<()> {
    let pool = ThreadPool::new(3);
    let job = |ms: u64, fail: bool| {
        move || {
            thread::sleep(Duration::from_millis(ms));
            if fail {
                Err(format!("task of {ms} ms failed"))
            } else {
                Ok(ms)
            }
        }
    };
    let mut t = table(["return_when", "returned at ms", "done", "not done"]);
    let t0 = Instant::now();
    let mut handles = vec![
        pool.submit(job(50, false)),
        pool.submit(job(150, true)),
        pool.submit(job(300, false)),
    ];
    for when in [
        ReturnWhen::FirstCompleted,
        ReturnWhen::FirstException,
        ReturnWhen::AllCompleted,
    ] {
        let split = wait(handles, Duration::from_secs(10), when);
        let (done, not_done) = (split.done, split.not_done);
        let ids = |hs: &[Handle<u64, String>]| {
            hs.iter()
                .map(|h| h.id().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        t.add_row([
            format!("{when:?}"),
            ms(t0.elapsed()),
            ids(&done),
            ids(&not_done),
        ]);
        handles = done.into_iter().chain(not_done).collect();
        handles.sort_by_key(Handle::id);
    }
    println!(
        "Three tasks: #0 sleeps 50 ms, #1 sleeps 150 ms and fails, #2 sleeps 300 ms. Waiting on the same three each time:\n{t}"
    );
    Ok(())
}

fn show_cancel(queued: usize) -> Result<()> {
    let pool = ThreadPool::new(1);
    let ran = Arc::new(AtomicUsize::new(0));
    let (open, gate) = channel::bounded::<()>(0);
    let (started_tx, started) = channel::bounded(1);
    let blocker = pool.spawn(move || {
        let _ = started_tx.send(());
        let _ = gate.recv_timeout(Duration::from_secs(30));
    });
    let _ = started.recv_timeout(Duration::from_secs(10));
    let handles: Vec<_> = (0..queued)
        .map(|_| {
            let ran = Arc::clone(&ran);
            pool.spawn(move || ran.fetch_add(1, SeqCst))
        })
        .collect();
    let mut t = table(["task", "state before", "cancel()", "outcome"]);
    let blocker_cancel = blocker.cancel();
    let mut cancels = Vec::new();
    for (i, h) in handles.iter().enumerate() {
        let state = format!("{h:?}");
        cancels.push((state, if i % 2 == 1 { Some(h.cancel()) } else { None }));
    }
    drop(open); // release the running task
    t.add_row([
        blocker.id().to_string(),
        "running".into(),
        blocker_cancel.to_string(),
        format!("{:?}", blocker.join()),
    ]);
    for (h, (state, cancel)) in handles.into_iter().zip(cancels) {
        t.add_row([
            h.id().to_string(),
            state,
            cancel.map_or("not called".into(), |c| c.to_string()),
            match h.join() {
                Ok(_) => "ran".to_owned(),
                Err(e) => format!("{e:?}"),
            },
        ]);
    }
    println!(
        "One worker, busy with #0; {queued} tasks queued behind it; every other one cancelled:\n{t}"
    );
    let expected = queued - queued / 2;
    println!(
        "Tasks that ran: {} (expected {expected}): a cancelled task never runs.",
        ran.load(SeqCst)
    );
    Ok(())
}

fn show_shutdown(queued: usize, running: Duration) -> Result<()> {
    let mut t = table([
        "shutdown",
        "returned after ms",
        "queued tasks that ran",
        "cancelled",
        "the running task",
    ]);
    for wait_for_them in [true, false] {
        let pool = ThreadPool::new(1);
        let ran = Arc::new(AtomicUsize::new(0));
        let (started_tx, started) = channel::bounded(1);
        let first = pool.spawn(move || {
            let _ = started_tx.send(());
            thread::sleep(running);
        });
        let _ = started.recv_timeout(Duration::from_secs(10));
        let handles: Vec<_> = (0..queued)
            .map(|_| {
                let ran = Arc::clone(&ran);
                pool.spawn(move || ran.fetch_add(1, SeqCst))
            })
            .collect();
        let took = time(|| pool.shutdown(wait_for_them));
        let ran_by_then = ran.load(SeqCst);
        let cancelled = handles.iter().filter(|h| h.cancelled()).count();
        let first_state = format!("{first:?} on return");
        // The detached thread finishes its task; then its outcome arrives.
        let first_outcome = first.result(Duration::from_secs(30));
        t.add_row([
            format!("wait={wait_for_them}"),
            ms(took.elapsed),
            ran_by_then.to_string(),
            format!("{cancelled} (it says {})", took.value),
            format!("{first_state}, then {first_outcome:?}"),
        ]);
    }
    println!(
        "One worker running a {} ms task, {queued} more queued, then shutdown:\n{t}",
        running.as_millis()
    );
    println!(
        "wait=false cannot stop the running task (no thread can be killed): it finishes on its detached thread."
    );
    Ok(())
}

fn show_robust(workers: usize, timeout: Duration, slow_ms: u64) -> Result<()> {
    let pool = ThreadPool::new(workers);
    let jobs = robust::batch(slow_ms);
    let t0 = Instant::now();
    let (report, task_of) = robust::run_batch(&pool, &jobs, timeout);
    let collected = t0.elapsed();
    println!(
        "{} tasks on {workers} workers, {} ms for the whole batch; outcomes in completion order:",
        jobs.len(),
        timeout.as_millis()
    );
    print_report(&report, |id| task_of[&id].to_string());
    let dropped = time(|| drop(pool));
    println!(
        "Collected after {} ms. Dropping the pool then waited {} ms more: the timed-out task was still running.",
        ms(collected),
        ms(dropped.elapsed)
    );
    Ok(())
}

// ANCHOR: print_report
/// The report as a table: successes, then failures with their task.
fn print_report<T: std::fmt::Debug, E: std::fmt::Display>(
    report: &Report<T, E>,
    task: impl Fn(TaskId) -> String,
) {
    let mut t = table(["task", "what", "outcome", "value or error"]);
    for (id, value) in &report.ok {
        t.add_row([id.to_string(), task(*id), "ok".into(), format!("{value:?}")]);
    }
    for (id, error) in &report.failed {
        t.add_row([
            id.to_string(),
            task(*id),
            error.kind().into(),
            error.to_string(),
        ]);
    }
    println!("{t}");
    println!(
        "{} succeeded, {} failed; none was lost, and no failure stopped the batch.",
        report.ok.len(),
        report.failed.len()
    );
}
// ANCHOR_END: print_report

fn show_processes(spawner: &Spawner, workers: usize) -> Result<()> {
    let me = std::process::id();
    let mut all_pids = Vec::new();

    let pool = ProcessPool::new(spawner, workers)?;
    all_pids.extend(pool.pids());
    let pids: Vec<u32> = pool
        .map::<SleepThenPid>(vec![100; 2 * workers])
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut distinct = pids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    println!(
        "{} tasks returned their process id: {:?}; {} distinct, none of them us ({me}).",
        pids.len(),
        pids,
        distinct.len()
    );

    println!("\nA batch with an error, a panic and two tasks that kill their own worker process:");
    let mut what = HashMap::new();
    let mut handles = Vec::new();
    let mut add = |h: Handle<u64, String>, label: &str| {
        what.insert(h.id(), label.to_owned());
        handles.push(h);
    };
    add(
        pool.submit::<CountPrimes>((0, 100_000)),
        "count_primes(0, 100000)",
    );
    add(
        pool.submit::<Fail>("bad input".into()),
        "fail(\"bad input\")",
    );
    add(pool.submit::<Panic>("boom".into()), "panic(\"boom\")");
    add(pool.submit::<Crash>(CrashHow::Abort), "crash(Abort)");
    add(pool.submit::<Crash>(CrashHow::Exit), "crash(Exit)");
    add(pool.submit::<Echo>(7), "echo(7)");
    let report = robust::collect(handles, Duration::from_secs(30));
    print_report(&report, |id| what[&id].clone());
    all_pids.extend(pool.pids());
    println!(
        "Processes started: {} ({workers} at first, one per crash to replace it); workers now: {:?}.",
        pool.processes_started(),
        pool.pids()
    );
    pool.shutdown(true);

    let limit = Duration::from_millis(200);
    let pool = ProcessPool::with_task_limit(spawner, 1, limit)?;
    let before = pool.pids();
    all_pids.extend(&before);
    let runaway = pool.submit::<SleepThenPid>(60_000).join();
    let after = pool.submit::<Echo>(1).join();
    all_pids.extend(pool.pids());
    println!(
        "\nTask limit {} ms: a 60 s task -> {runaway:?}; its worker {before:?} was killed and replaced by {:?}, which then ran echo(1) -> {after:?}.",
        limit.as_millis(),
        pool.pids()
    );
    pool.shutdown(true);

    let pool = ProcessPool::new(spawner, workers)?;
    all_pids.extend(pool.pids());
    let running: Vec<_> = (0..workers)
        .map(|_| pool.submit::<SleepThenPid>(60_000))
        .collect();
    let queued: Vec<_> = (0..3).map(|_| pool.submit::<SleepThenPid>(0)).collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !running.iter().all(Handle::running) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(5));
    }
    let took = time(|| pool.shutdown(false));
    println!(
        "\nshutdown(wait=false) with {workers} tasks of 60 s running and 3 queued returned after {} ms:",
        ms(took.elapsed)
    );
    for h in running.into_iter().chain(queued) {
        println!("  {}: {:?}", h.id(), h.join().map_err(|e| e.to_string()));
    }

    all_pids.sort_unstable();
    all_pids.dedup();
    let left: Vec<_> = all_pids.iter().filter(|&&p| exists(p)).collect();
    ensure!(left.is_empty(), "worker processes left behind: {left:?}");
    println!(
        "\nAll {} worker processes of this demo are gone (checked with kill(pid, 0)): none left behind.",
        all_pids.len()
    );
    Ok(())
}

fn show_overhead(
    spawner: &Spawner,
    workers: usize,
    tasks: usize,
    process_tasks: usize,
) -> Result<Overhead> {
    let o = measure::overhead(spawner, workers, tasks, process_tasks)?;
    let thread_us = o.rows[1].us_each();
    let mut t = table(["how", "tasks", "us per task", "vs thread pool"]);
    for (i, row) in o.rows.iter().enumerate() {
        t.add_row([
            row.label.to_owned(),
            row.tasks.to_string(),
            format!("{:.3}", row.us_each()),
            if i == 0 {
                "-".to_owned()
            } else {
                ratio(row.us_each(), thread_us)
            },
        ]);
    }
    println!("Tasks that return their argument, {workers} workers:\n{t}");
    println!(
        "Starting a pool, until every worker has answered: {} threads {} ms; {} processes {} ms and {} interpreters {} ms (with a 5 ms task each).",
        o.workers,
        ms(o.start_threads),
        o.workers,
        ms(o.start_processes),
        o.workers,
        ms(o.start_interpreters)
    );
    Ok(o)
}

fn show_cpu(
    spawner: &Spawner,
    limit: u64,
    tasks: usize,
    workers: usize,
    repeats: usize,
) -> Result<Vec<CpuRun>> {
    print_load();
    let runs = measure::cpu_batch(spawner, limit, tasks, workers, repeats)?;
    let base = runs[0].elapsed.as_secs_f64();
    let mut t = table(["how", "workers", "primes", "ms", "speed-up", "efficiency"]);
    for r in &runs {
        let speedup = base / r.elapsed.as_secs_f64();
        t.add_row([
            r.label.to_owned(),
            r.workers.to_string(),
            r.primes.to_string(),
            ms(r.elapsed),
            ratio(base, r.elapsed.as_secs_f64()),
            format!("{:.0}%", 100.0 * speedup / r.workers as f64),
        ]);
    }
    println!(
        "Primes below {limit}, in {tasks} blocks, on {} cores{}:\n{t}",
        cores(),
        if repeats > 1 {
            format!(" (each the fastest of {repeats} runs)")
        } else {
            String::new()
        }
    );
    Ok(runs)
}

/// Speed-ups only mean something on an idle machine: say how busy it was.
fn print_load() {
    if let Some(load) = measure::load_average() {
        let verdict = if load > 0.5 * cores() as f64 {
            "busy: other programs compete for the cores, so speed-ups will read low"
        } else {
            "quiet enough"
        };
        println!("Load average over the last minute: {load:.2} ({verdict}).");
    }
}

/// What `bench` measures with.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    workers: usize,
    tasks: usize,
    process_tasks: usize,
    limit: u64,
    python_limit: u64,
    repeats: usize,
}

fn bench(spawner: &Spawner, sizes: Sizes, python: &PythonArgs) -> Result<()> {
    let Sizes {
        workers,
        tasks,
        process_tasks,
        limit,
        python_limit,
        repeats,
    } = sizes;
    println!("Lesson 07 bench: {workers} workers on {} cores.", cores());
    print_load();
    heading("Per-task overhead");
    let o = show_overhead(spawner, workers, tasks, process_tasks)?;
    heading("CPU-bound batch");
    let blocks = 8 * workers;
    let runs = show_cpu(spawner, limit, blocks, workers, repeats)?;
    heading("Python's executors, same machine");
    let py = interpreter::announce(python.python_bin.as_deref()).and_then(|interp| {
        let interpreters = interp.offers(
            "InterpreterPoolExecutor rows",
            &interp.facts.interpreter_pool(),
        );
        interp.offers(
            "free-threaded ThreadPoolExecutor row",
            &interp.facts.free_threads(),
        );
        println!(
            "The same tasks on ThreadPoolExecutor, ProcessPoolExecutor and multiprocessing.Pool{} \
             ({workers} workers), primes below {python_limit}; per-task costs from one run, \
             CPU batches the fastest of {repeats}, on both sides.",
            if interpreters {
                " and InterpreterPoolExecutor"
            } else {
                ""
            }
        );
        let sizes = python::PythonSizes {
            workers,
            tasks: tasks.min(20_000),
            process_tasks,
            limit: python_limit,
            blocks,
            repeats,
            interpreters,
        };
        match python::run(&interp, sizes, Duration::from_secs(900)) {
            Ok(r) => Some(r),
            Err(e) => {
                println!("The Python run failed, going on without it: {e:#}");
                None
            }
        }
    });
    heading("Targets, as ratios measured in this run");
    let thread_us = o.rows[1].us_each();
    let process_us = o.rows[3].us_each();
    let base = runs[0].elapsed.as_secs_f64();
    let mut t = table(["measure", "Rust", "Python", "note"]);
    let py_cell = |f: fn(&python::PythonRun) -> f64| {
        py.as_ref().map_or("-".into(), |p| format!("{:.2}", f(p)))
    };
    let cheaper = |f: fn(&python::PythonRun) -> f64, rust: f64, what: &str| {
        py.as_ref().map_or(String::new(), |p| {
            format!("Rust {} cheaper ({what})", ratio(f(p), rust))
        })
    };
    t.add_row([
        "thread pool, us per task (Python: ThreadPoolExecutor.submit)".to_owned(),
        format!("{thread_us:.2}"),
        py_cell(|p| p.threads_us),
        cheaper(|p| p.threads_us, thread_us, "like-for-like"),
    ]);
    t.add_row([
        "process pool, us per task (Python: Pool.apply_async)".to_owned(),
        format!("{process_us:.2}"),
        py_cell(|p| p.pool_apply_async_us),
        cheaper(|p| p.pool_apply_async_us, process_us, "like-for-like"),
    ]);
    t.add_row([
        "process pool, us per task (Python: Pool.map, chunksize=1)".to_owned(),
        format!("{process_us:.2}"),
        py_cell(|p| p.pool_map_chunk1_us),
        cheaper(|p| p.pool_map_chunk1_us, process_us, "one task per message"),
    ]);
    t.add_row([
        "process pool, us per task (Python: ProcessPoolExecutor.submit)".to_owned(),
        format!("{process_us:.2}"),
        py_cell(|p| p.processes_us),
        cheaper(
            |p| p.processes_us,
            process_us,
            "idiomatic, not like-for-like",
        ),
    ]);
    t.add_row([
        "process task / thread task".to_owned(),
        ratio(process_us, thread_us),
        py.as_ref()
            .map_or("-".into(), |p| ratio(p.pool_apply_async_us, p.threads_us)),
        "what crossing a process boundary costs (Python: apply_async / submit)".to_owned(),
    ]);
    let efficiency = |s: f64| format!("{s:.2}x ({:.0}% efficiency)", 100.0 * s / workers as f64);
    for (i, label) in [(1, "thread pool"), (2, "process pool")] {
        let s = base / runs[i].elapsed.as_secs_f64();
        let py_s = py.as_ref().map(|p| {
            let t = if i == 1 {
                p.cpu_threads_s
            } else {
                p.cpu_processes_s
            };
            p.cpu_sequential_s / t
        });
        let gil = py.as_ref().is_some_and(|p| p.gil_on);
        t.add_row([
            format!("CPU speed-up, {label}"),
            efficiency(s),
            py_s.map_or("-".into(), efficiency),
            match (i, gil) {
                (1, true) => "target: >= 95% efficiency; Python's threads: ~1x (the GIL is on)",
                (1, false) => "target: >= 95% efficiency; Python's threads: free-threaded, GIL off",
                _ => "target: >= 95% efficiency",
            }
            .to_owned(),
        ]);
    }
    for row in measure::interpreter_targets(&o, &runs, py.as_ref()) {
        t.add_row(row);
    }
    println!("{t}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        let got: Vec<_> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal).into();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"
            ]
        );
    }
}

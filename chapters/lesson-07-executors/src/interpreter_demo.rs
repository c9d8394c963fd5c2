//! The `interpreters` demo: what an `InterpreterPoolExecutor` shares
//! (nothing but the process) and what that costs (a copy of every argument
//! and every result), next to the thread pool and the process pool.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Result, anyhow, ensure};
use course_support::child::Spawner;
use course_support::{table, time};

use crate::interpreter_pool::InterpreterPool;
use crate::process_pool::ProcessPool;
use crate::remote::{Checksum, Fail, Panic, Tally, WhereAmI};
use crate::thread_pool::ThreadPool;

/// What the demo found, for its tests.
#[derive(Debug, Clone)]
pub struct Findings {
    /// Distinct (pid, thread) pairs the interpreter pool's tasks ran on.
    pub places: usize,
    /// Every pid they reported is this process's.
    pub same_process: bool,
    /// The counts `Tally` returned, sorted.
    pub tallies: Vec<u64>,
    /// What a counter shared by the thread pool's workers reached.
    pub shared_count: u64,
    /// Bytes sent into the interpreters for the big-argument tasks.
    pub bytes_sent: u64,
    /// Microseconds per big-argument task: interpreters (copied), threads (shared).
    pub copy_us: f64,
    pub shared_us: f64,
}

/// Bytes of the big argument in the copy measurement.
pub const BIG: usize = 1 << 20;

// ANCHOR: demo
/// Runs the demo on `workers` interpreters and prints what it finds.
pub fn show(spawner: &Spawner, workers: usize, big_tasks: usize) -> Result<Findings> {
    let pool = InterpreterPool::new(workers)?;
    let me = std::process::id();

    // 1. Where do tasks run? In this process, on interpreter threads.
    let places: Vec<(u32, String)> = pool
        .map::<WhereAmI>(vec![(); 4 * workers])
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow!("{e}"))?;
    let processes = ProcessPool::new(spawner, workers)?;
    let mut elsewhere: Vec<u32> = processes
        .map::<WhereAmI>(vec![(); 2 * workers])
        .filter_map(|r| r.ok().map(|(pid, _)| pid))
        .collect();
    processes.shutdown(true);
    elsewhere.sort_unstable();
    elsewhere.dedup();
    let mut distinct = places.clone();
    distinct.sort();
    distinct.dedup();
    let same_process = places.iter().all(|(pid, _)| *pid == me);
    println!(
        "{} tasks ran in {} places: {}; every pid is ours ({me}): {}. The process pool's ran in pids {elsewhere:?}.",
        places.len(),
        distinct.len(),
        distinct
            .iter()
            .map(|(pid, name)| format!("{pid}/{name}"))
            .collect::<Vec<_>>()
            .join(", "),
        if same_process { "yes" } else { "NO" }
    );

    // 2. Globals: each interpreter has its own.
    let calls = 4 * workers;
    let mut tallies: Vec<u64> = pool
        .map::<Tally>(vec![0; calls])
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow!("{e}"))?;
    tallies.sort_unstable();
    let shared = Arc::new(AtomicU64::new(0));
    let threads = ThreadPool::new(workers);
    let counted = Arc::clone(&shared);
    let _: Vec<_> = threads
        .map(
            move |()| Ok::<_, Infallible>(counted.fetch_add(1, Ordering::SeqCst) + 1),
            vec![(); calls],
        )
        .collect();
    let shared_count = shared.load(Ordering::SeqCst);
    println!(
        "\n{calls} calls of tally(0) (`global CALLS; CALLS += 1; return CALLS`): the interpreters returned {tallies:?}. \
         Each counted only its own calls (the highest is {}, not {calls}); the thread pool's workers share one counter, which reached {shared_count}.",
        tallies.last().copied().unwrap_or(0)
    );

    // 3. Copies: every argument crosses as bytes; threads share it.
    let text = "x".repeat(BIG);
    let (sent_before, _) = pool.bytes_copied();
    let copied = time(|| {
        pool.map::<Checksum>(vec![text.clone(); big_tasks])
            .filter(Result::is_ok)
            .count()
    });
    ensure!(copied.value == big_tasks, "a checksum failed");
    let bytes_sent = pool.bytes_copied().0 - sent_before;
    let shared_text = Arc::new(text);
    let in_place = time(|| {
        let handles: Vec<_> = (0..big_tasks)
            .map(|_| {
                let t = Arc::clone(&shared_text);
                // The same sum, on the one text every task shares.
                threads.spawn(move || t.bytes().map(u64::from).sum::<u64>())
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).count()
    });
    ensure!(in_place.value == big_tasks, "a shared checksum failed");
    let per = |d: std::time::Duration| d.as_secs_f64() * 1e6 / big_tasks.max(1) as f64;
    let (copy_us, shared_us) = (per(copied.elapsed), per(in_place.elapsed));
    let mut t = table(["pool", "tasks", "argument", "bytes sent in", "us per task"]);
    t.add_row([
        "interpreter pool (a copy each)".to_owned(),
        big_tasks.to_string(),
        format!("{} KiB text", BIG / 1024),
        bytes_sent.to_string(),
        format!("{copy_us:.0}"),
    ]);
    t.add_row([
        "thread pool (one shared Arc)".to_owned(),
        big_tasks.to_string(),
        format!("{} KiB text", BIG / 1024),
        "0".to_owned(),
        format!("{shared_us:.0}"),
    ]);
    println!("\nA {} KiB argument, {big_tasks} tasks:\n{t}", BIG / 1024);

    // 4. Errors and panics come back as values; a crash would not.
    let outcomes: BTreeMap<&str, String> = [
        (
            "fail(\"bad input\")",
            format!("{:?}", pool.submit::<Fail>("bad input".into()).join()),
        ),
        (
            "panic(\"boom\")",
            format!("{:?}", pool.submit::<Panic>("boom".into()).join()),
        ),
    ]
    .into_iter()
    .collect();
    println!();
    for (task, outcome) in &outcomes {
        println!("{task} -> {outcome}");
    }
    println!(
        "A crash (abort, a segfault in a C extension) would end this whole process, every interpreter with it: only a process pool survives that."
    );
    pool.shutdown(true);
    Ok(Findings {
        places: distinct.len(),
        same_process,
        tallies,
        shared_count,
        bytes_sent,
        copy_us,
        shared_us,
    })
}
// ANCHOR_END: demo

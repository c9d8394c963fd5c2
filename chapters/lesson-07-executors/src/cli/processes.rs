//! `processes`: ProcessPoolExecutor on child processes.

use std::collections::HashMap;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use course_support::child::{Spawner, exists};
use course_support::cli::usize_in;
use course_support::report::ms;
use course_support::time;
use lesson_07_executors::ProcessPool;
use lesson_07_executors::future::Handle;
use lesson_07_executors::remote::{CountPrimes, Crash, CrashHow, Echo, Fail, Panic, SleepThenPid};
use lesson_07_executors::robust;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=64))]
    pub(crate) workers: usize,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args { workers } = args;
    show(spawner, workers)
}

pub(crate) fn show(spawner: &Spawner, workers: usize) -> Result<()> {
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
    super::robust::print_report(&report, |id| what[&id].clone());
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

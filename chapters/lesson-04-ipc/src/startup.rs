//! What it costs to start a thread, and to start a process.
//!
//! Each row starts N units one after another and waits for each to end
//! before starting the next, so the time divided by N is the price of one
//! start plus one join: the fixed cost you pay before any useful work.

use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use course_support::child::Spawner;
use indicatif::ProgressBar;

/// One row of the start-up table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Startup {
    pub what: Kind,
    pub count: usize,
    pub elapsed: Duration,
}

/// What was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `thread::spawn` + `join` of an empty closure.
    Thread,
    /// `fork()` of this process whose child `_exit`s at once, + `waitpid`.
    Fork,
    /// `Command::spawn` of this executable (`child noop`) + `wait`.
    Process,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Thread => "thread: spawn + join",
            Kind::Fork => "fork() + _exit + waitpid",
            Kind::Process => "process: spawn (exec) + wait",
        }
    }
}

impl Startup {
    /// Microseconds per start + join.
    pub fn us_each(&self) -> f64 {
        self.elapsed.as_secs_f64() * 1e6 / self.count.max(1) as f64
    }
}

// ANCHOR: threads
/// Starts and joins `n` threads, one at a time.
pub fn threads(n: usize) -> Startup {
    let start = Instant::now();
    for i in 0..n {
        let h = thread::spawn(move || i);
        assert_eq!(h.join().ok(), Some(i), "an empty thread cannot fail");
    }
    Startup {
        what: Kind::Thread,
        count: n,
        elapsed: start.elapsed(),
    }
}
// ANCHOR_END: threads

// ANCHOR: processes
/// Starts and waits for `n` child processes running this executable's
/// `noop` role, one at a time, counting each on `progress`.
pub fn processes(spawner: &Spawner, n: usize, progress: &ProgressBar) -> Result<Startup> {
    let start = Instant::now();
    for _ in 0..n {
        let status = spawner
            .command("noop", [] as [&str; 0])
            .stdout(Stdio::null())
            .status()
            .context("starting a child")?;
        if !status.success() {
            bail!("the noop child failed: {status}");
        }
        progress.inc(1);
    }
    Ok(Startup {
        what: Kind::Process,
        count: n,
        elapsed: start.elapsed(),
    })
}
// ANCHOR_END: processes

/// Forks and reaps `n` children that exit at once, counting each on `progress`.
#[cfg(unix)]
pub fn forks(n: usize, progress: &ProgressBar) -> Result<Startup> {
    let start = Instant::now();
    for _ in 0..n {
        crate::fork::fork_and_reap()?;
        progress.inc(1);
    }
    Ok(Startup {
        what: Kind::Fork,
        count: n,
        elapsed: start.elapsed(),
    })
}

/// How many times each row is measured; the table keeps the fastest, the
/// run least disturbed by whatever else the machine was doing.
pub const ROUNDS: usize = 3;

/// All three rows: threads, forks, processes, each the fastest of [`ROUNDS`].
/// Starting many processes takes a while (100,000 take minutes), so those
/// rows show a progress bar on a terminal.
pub fn measure(spawner: &Spawner, threads_n: usize, processes_n: usize) -> Result<Vec<Startup>> {
    let kinds = if cfg!(unix) { 2 } else { 1 };
    let progress = course_support::progress::bar(
        "children started",
        (kinds * ROUNDS * processes_n + 1) as u64,
    );
    // Warm up once each, so the first row doesn't pay for page faults alone.
    let _ = threads(4);
    processes(spawner, 1, &progress)?;
    let mut rows = vec![fastest(|| Ok(threads(threads_n)))?];
    #[cfg(unix)]
    rows.push(fastest(|| forks(processes_n, &progress))?);
    rows.push(fastest(|| processes(spawner, processes_n, &progress))?);
    progress.finish_and_clear();
    Ok(rows)
}

fn fastest(mut run: impl FnMut() -> Result<Startup>) -> Result<Startup> {
    let mut best = run()?;
    for _ in 1..ROUNDS {
        let next = run()?;
        if next.elapsed < best.elapsed {
            best = next;
        }
    }
    Ok(best)
}

//! # Exercise: start worker processes, collect what they say (reference solution)
//!
//! Python's `multiprocessing.Process` starts a child, `join()` waits for it
//! and `exitcode` says how it ended. Here you do the same with
//! `std::process::Command` and this crate's own worker binary
//! (`src/bin/worker.rs`, already written: read its doc comment).
//!
//! Write [`run_workers`]: start one worker per job, all at the same time,
//! and return one [`Report`] per job, in the order of the jobs.
//!
//! Rules the tests check:
//! - every job's strings are the worker's arguments, unchanged and in order;
//! - all workers run at the same time: start every one before waiting for any;
//! - each report has the worker's pid, everything it printed on stdout, and
//!   how it ended: its exit code, the signal that killed it, or
//!   [`Outcome::TimedOut`];
//! - a worker still running `timeout` after `run_workers` was called is
//!   killed and reported as timed out, so `run_workers` always returns;
//! - when `run_workers` returns (with `Ok` or `Err`), no worker is left:
//!   every one has ended and been reaped (waited for), none is a zombie.
//!
//! Run the tests with `cargo xtask check exercises spawn-workers`, ask for a
//! hint with `cargo xtask hint spawn-workers`.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How a worker ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It exited with this code (Python: `exitcode >= 0`).
    Exited(i32),
    /// A signal killed it, e.g. 6 for SIGABRT (Python: `exitcode == -6`).
    Killed(i32),
    /// It was still running at the deadline, so we killed it.
    TimedOut,
}

/// What one worker did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Its process id, as `Child::id()` gives it.
    pub pid: u32,
    /// Everything it wrote to stdout.
    pub stdout: String,
    pub outcome: Outcome,
}

/// Starts `worker` once per job (the job's strings are its arguments), all
/// at once, and reports on each, in job order. Workers still running after
/// `timeout` are killed. Fails if a worker cannot be started, after stopping
/// and reaping the ones already started.
///
/// ```no_run
/// use std::{path::Path, time::Duration};
/// let jobs = vec![vec!["square".to_string(), "7".to_string()]];
/// let reports = spawn_workers::run_workers(Path::new("worker"), &jobs, Duration::from_secs(5))?;
/// assert!(reports[0].stdout.contains("result=49"));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn run_workers(
    worker: &Path,
    jobs: &[Vec<String>],
    timeout: Duration,
) -> std::io::Result<Vec<Report>> {
    let deadline = Instant::now() + timeout;
    // Start every worker before waiting for any. If a spawn fails, `?`
    // returns and dropping `workers` kills and reaps the ones already started.
    let mut workers = Vec::new();
    for job in jobs {
        let child = Command::new(worker)
            .args(job)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()?;
        workers.push(Guard {
            child,
            reaped: false,
        });
    }
    let mut reports = Vec::new();
    for w in &mut workers {
        let outcome = match w.wait_until(deadline)? {
            Some(status) => outcome_of(status),
            None => {
                w.child.kill()?;
                w.child.wait()?;
                Outcome::TimedOut
            }
        };
        w.reaped = true;
        // It has exited, so its stdout is at end of file: this can't block.
        let mut stdout = String::new();
        if let Some(mut out) = w.child.stdout.take() {
            out.read_to_string(&mut stdout)?;
        }
        reports.push(Report {
            pid: w.child.id(),
            stdout,
            outcome,
        });
    }
    Ok(reports)
}

/// A started worker that is killed and reaped if dropped before we reaped it.
struct Guard {
    child: Child,
    reaped: bool,
}

impl Guard {
    /// Polls until the worker exits (`Some`) or the deadline passes (`None`).
    fn wait_until(&mut self, deadline: Instant) -> std::io::Result<Option<ExitStatus>> {
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(Some(status));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if !self.reaped {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn outcome_of(status: ExitStatus) -> Outcome {
    match (status.code(), status.signal()) {
        (Some(code), _) => Outcome::Exited(code),
        (None, Some(signal)) => Outcome::Killed(signal),
        (None, None) => Outcome::Killed(0),
    }
}

//! Graceful shutdown of a service whose jobs are child processes.
//!
//! On the first Ctrl-C (SIGINT) or SIGTERM the service stops taking work,
//! gives the jobs that run a grace period to finish, then cancels the rest:
//! each cancelled job kills its child process and waits for it, so no
//! process is left behind. A second signal during the grace period cancels
//! at once. At the end it flushes its report: which jobs finished, which
//! were cancelled, which never started.
//!
//! Python: `loop.add_signal_handler(SIGINT, stop.set)`, an `asyncio.Event`,
//! `asyncio.timeout(grace)` around the waits, `task.cancel()` and
//! `proc.kill(); await proc.wait()` in the job's `except CancelledError`.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::Command;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// The role a job's child process runs: `program child-job --ms N`.
pub const CHILD_JOB: &str = "child-job";

/// The service's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Jobs in the queue.
    pub jobs: usize,
    /// Jobs running at once.
    pub concurrency: usize,
    /// Job `k` runs its child for `job_ms * (1 + k % 3)`.
    pub job_ms: u64,
    /// How long running jobs get to finish after the stop signal.
    pub grace: Duration,
}

impl Config {
    pub fn job_ms(&self, job: usize) -> u64 {
        self.job_ms * (1 + job as u64 % 3)
    }
}

/// What the service tells as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Started { job: usize, pid: u32 },
    Finished { job: usize },
    Stop { why: String },
    GraceOver,
    Cancelled { job: usize, pid: u32 },
}

/// The report flushed at the end.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub finished: Vec<usize>,
    /// Finished after the stop signal, within the grace period.
    pub finished_in_grace: Vec<usize>,
    pub cancelled: Vec<usize>,
    pub never_started: Vec<usize>,
    /// Every child process started, by pid.
    pub pids: Vec<u32>,
    /// Why the service stopped, if something stopped it.
    pub stopped_by: Option<String>,
    pub elapsed: Duration,
}

#[derive(Debug, Clone, Copy)]
enum Fate {
    Finished,
    Cancelled,
}

// ANCHOR: job
/// One job: a child process that works for `ms`. If `cancel` fires first,
/// kill the child and wait for it: nothing outlives a cancelled job.
async fn job(
    program: &Path,
    id: usize,
    ms: u64,
    cancel: CancellationToken,
    events: &mpsc::UnboundedSender<Event>,
) -> std::io::Result<(u32, Fate)> {
    let mut child = Command::new(program)
        .args([CHILD_JOB, "--ms", &ms.to_string()])
        .stdin(Stdio::null())
        .process_group(0) // the terminal's Ctrl-C reaches us, not our children
        .kill_on_drop(true) // a backstop if this future is dropped
        .spawn()?;
    let pid = child.id().unwrap_or(0);
    let _ = events.send(Event::Started { job: id, pid });
    tokio::select! {
        status = child.wait() => {
            status?;
            let _ = events.send(Event::Finished { job: id });
            Ok((pid, Fate::Finished))
        }
        _ = cancel.cancelled() => {
            child.kill().await?; // SIGKILL, then wait: reaped, not a zombie
            let _ = events.send(Event::Cancelled { job: id, pid });
            Ok((pid, Fate::Cancelled))
        }
    }
}
// ANCHOR_END: job

// ANCHOR: serve
/// Runs the queue of jobs until they are all done or a message arrives on
/// `stop` (a signal); then shuts down gracefully and reports.
pub async fn serve(
    program: &Path,
    config: &Config,
    mut stop: mpsc::Receiver<String>,
    events: mpsc::UnboundedSender<Event>,
) -> Report {
    let start = Instant::now();
    let cancel = CancellationToken::new(); // one cancel() reaches every job
    let mut running = JoinSet::new();
    let mut report = Report::default();
    let mut next = 0;
    // 1. Serve: keep `concurrency` jobs running until the queue is empty or a stop.
    loop {
        while running.len() < config.concurrency && next < config.jobs {
            let (program, ms, token, tx) = (
                program.to_owned(),
                config.job_ms(next),
                cancel.clone(),
                events.clone(),
            );
            let id = next;
            running.spawn(async move { (id, job(&program, id, ms, token, &tx).await) });
            next += 1;
        }
        if running.is_empty() {
            break; // all done
        }
        tokio::select! {
            Some(why) = stop.recv() => {
                let _ = events.send(Event::Stop { why: why.clone() });
                report.stopped_by = Some(why);
                break; // 2. stop taking work
            }
            Some(joined) = running.join_next() => record(&mut report, joined, false),
        }
    }
    report.never_started = (next..config.jobs).collect();
    // 3. Grace: the running jobs may finish; at the end of it, or at a second
    //    signal, cancel whatever still runs, and wait for every job to end.
    let grace = tokio::time::sleep(config.grace);
    tokio::pin!(grace);
    while !running.is_empty() {
        tokio::select! {
            Some(joined) = running.join_next() => {
                let in_grace = report.stopped_by.is_some() && !cancel.is_cancelled();
                record(&mut report, joined, in_grace);
            }
            _ = &mut grace, if !cancel.is_cancelled() => {
                let _ = events.send(Event::GraceOver);
                cancel.cancel();
            }
            Some(_) = stop.recv(), if !cancel.is_cancelled() => cancel.cancel(),
        }
    }
    report.elapsed = start.elapsed();
    report
}
// ANCHOR_END: serve

type Joined = Result<(usize, std::io::Result<(u32, Fate)>), tokio::task::JoinError>;

fn record(report: &mut Report, joined: Joined, in_grace: bool) {
    match joined {
        Ok((id, Ok((pid, fate)))) => {
            report.pids.push(pid);
            match fate {
                Fate::Finished => report.finished.push(id),
                Fate::Cancelled => report.cancelled.push(id),
            }
            if in_grace && matches!(fate, Fate::Finished) {
                report.finished_in_grace.push(id);
            }
        }
        // A child that could not start or be waited for: not finished.
        Ok((id, Err(_))) => report.cancelled.push(id),
        Err(e) => panic!("a job panicked: {e}"),
    }
}

// ANCHOR: signals
/// Forwards every SIGINT (Ctrl-C) and SIGTERM to `stop`, by name.
pub fn forward_signals(stop: mpsc::Sender<String>) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        tokio::spawn(async move {
            loop {
                let why = tokio::select! {
                    _ = int.recv() => "SIGINT",
                    _ = term.recv() => "SIGTERM",
                };
                if stop.send(why.to_owned()).await.is_err() {
                    break;
                }
            }
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            if stop.send("Ctrl-C".to_owned()).await.is_err() {
                break;
            }
        }
    });
    Ok(())
}
// ANCHOR_END: signals

/// The conventional exit code after a signal: 128 + its number.
pub fn exit_code(stopped_by: Option<&str>) -> u8 {
    match stopped_by {
        Some("SIGINT") => 130,
        Some("SIGTERM") => 143,
        _ => 0,
    }
}

/// What a job's child process does: work (sleep) for `ms`, then exit 0. It
/// exits early if its parent dies before it could kill it.
pub fn child_job(ms: u64) {
    course_support::child::exit_when_orphaned();
    std::thread::sleep(Duration::from_millis(ms));
}

//! The parent's side of a local timely cluster: reserve a loopback port per
//! process, start this program again once per process (`child timely`),
//! read what each prints, and never leave one running: every process is a
//! [`ChildGuard`], killed and reaped on every way out, and each one exits by
//! itself if this program dies.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::process::Stdio;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use course_support::child::{ChildGuard, Signal, Spawner, describe, signal};

use crate::dataflow::ProcessReport;
use crate::jobs::WordSummary;

/// How many processes, and worker threads in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub processes: usize,
    pub threads: usize,
}

impl Shape {
    pub fn workers(&self) -> usize {
        self.processes * self.threads
    }
    pub fn label(&self) -> String {
        format!("{} proc x {} thr", self.processes, self.threads)
    }
}

/// The job a cluster runs, as its processes' arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobSpec {
    Primes { limit: u64, tasks: usize },
    Words { dir: std::path::PathBuf },
}

impl JobSpec {
    fn args(&self) -> Vec<String> {
        match self {
            JobSpec::Primes { limit, tasks } => vec![
                "--limit".into(),
                limit.to_string(),
                "--tasks".into(),
                tasks.to_string(),
            ],
            JobSpec::Words { dir } => vec!["--dir".into(), dir.display().to_string()],
        }
    }
}

enum Event {
    Running(usize),
    Report(usize, Box<ProcessReport>),
    Stderr(usize, String),
    StdoutClosed(usize),
}

/// A cluster whose processes are running.
#[derive(Debug)]
pub struct Cluster {
    children: Vec<ChildGuard>,
    events: mpsc::Receiver<Event>,
    started: Instant,
    running: Vec<bool>,
    all_running: Option<Duration>,
    reports: Vec<Option<ProcessReport>>,
    stderr: Vec<Option<String>>,
    stdout_open: Vec<bool>,
}

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Event")
    }
}

/// How one process ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Ending {
    pub pid: u32,
    /// `exit code 0`, `killed by SIGKILL`, ...
    pub status: String,
    /// Still running at the time limit (and killed then)?
    pub hung: bool,
    pub report: Option<ProcessReport>,
    pub stderr: String,
}

/// A finished run: the answer and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterRun {
    pub shape: Shape,
    /// From starting the processes to the last report.
    pub wall: Duration,
    /// From starting the processes to all of them connected and running.
    pub connect: Duration,
    /// The job's time: from the workers starting together (after a barrier)
    /// to the last one finishing.
    pub job_ms: f64,
    pub primes: u64,
    pub words: WordSummary,
    pub tasks_per_worker: Vec<u64>,
    pub bytes_sent: u64,
    pub messages_sent: u64,
    pub pids: Vec<u32>,
}

/// Free loopback ports, one per process (held only while they are chosen).
fn reserve_ports(n: usize) -> Result<Vec<u16>> {
    let listeners = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0"))
        .collect::<Result<Vec<_>, _>>()
        .context("reserving loopback ports")?;
    Ok(listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()).unwrap_or(0))
        .collect())
}

// ANCHOR: start
impl Cluster {
    /// Starts `shape.processes` copies of this program as one timely cluster.
    pub fn start(spawner: &Spawner, shape: Shape, job: &JobSpec) -> Result<Self> {
        let ports = reserve_ports(shape.processes)?;
        let ports = ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let (tx, events) = mpsc::channel();
        let mut children = Vec::new();
        let started = Instant::now();
        for p in 0..shape.processes {
            let mut args = vec![
                "--process".to_owned(),
                p.to_string(),
                "--threads".into(),
                shape.threads.to_string(),
                "--ports".into(),
                ports.clone(),
            ];
            args.extend(job.args());
            let mut cmd = spawner.command("timely", &args);
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
            let mut child = ChildGuard::spawn(&mut cmd).context("starting a timely process")?;
            read_events(p, &mut child, tx.clone());
            children.push(child);
        }
        // ANCHOR_END: start
        let n = shape.processes;
        Ok(Self {
            children,
            events,
            started,
            running: vec![false; n],
            all_running: None,
            reports: vec![None; n],
            stderr: vec![None; n],
            stdout_open: vec![true; n],
        })
    }

    pub fn pids(&self) -> Vec<u32> {
        self.children.iter().map(ChildGuard::id).collect()
    }

    fn take(&mut self, event: Event) {
        match event {
            Event::Running(p) => {
                self.running[p] = true;
                if self.running.iter().all(|&r| r) {
                    self.all_running = Some(self.started.elapsed());
                }
            }
            Event::Report(p, r) => self.reports[p] = Some(*r),
            Event::Stderr(p, s) => self.stderr[p] = Some(s),
            Event::StdoutClosed(p) => self.stdout_open[p] = false,
        }
    }

    /// Waits until every process is connected and running its workers;
    /// `false` if `limit` passed first or one ended before.
    pub fn wait_running(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while !self.running.iter().all(|&r| r) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(e) => {
                    if let Event::Stderr(..) | Event::StdoutClosed(..) = e {
                        self.take(e);
                        return false;
                    }
                    self.take(e)
                }
                Err(_) => return false,
            }
        }
        true
    }

    /// How long since the processes were started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// SIGKILL to process `p`, mid-job.
    pub fn kill(&mut self, p: usize) -> Result<u32> {
        let pid = self.children[p].id();
        signal(pid, Signal::Kill).with_context(|| format!("killing pid {pid}"))?;
        Ok(pid)
    }

    // ANCHOR: endings
    /// Waits for every process to end, at most `limit` in all; those still
    /// running then are killed (and said to have hung). Nothing is left.
    pub fn endings(&mut self, limit: Duration) -> Vec<Ending> {
        let deadline = Instant::now() + limit;
        // Each process's stderr arrives, and its stdout closes, when it exits.
        while self.stderr.iter().any(Option::is_none) || self.stdout_open.iter().any(|&o| o) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(e) => self.take(e),
                Err(_) => break,
            }
        }
        let mut endings = Vec::new();
        for (p, child) in self.children.iter_mut().enumerate() {
            let left = deadline.saturating_duration_since(Instant::now());
            let exited = child.wait_timeout(left).ok().flatten();
            let hung = exited.is_none();
            let status = match exited {
                Some(s) => describe(s),
                None => child.kill().map(describe).unwrap_or_else(|e| e.to_string()),
            };
            endings.push(Ending {
                pid: child.id(),
                status,
                hung,
                report: self.reports[p].take(),
                stderr: self.stderr[p].take().unwrap_or_default(),
            });
        }
        endings
    }
    // ANCHOR_END: endings

    /// Waits for the job to finish (at most `limit`) and adds up the
    /// processes' reports; any failure is an error with what they said.
    pub fn finish(mut self, shape: Shape, limit: Duration) -> Result<ClusterRun> {
        let started = self.started;
        let pids = self.pids();
        let endings = self.endings(limit);
        let connect = self.all_running;
        let wall = started.elapsed();
        let mut failures = Vec::new();
        for (p, e) in endings.iter().enumerate() {
            if e.hung || e.report.is_none() || e.status != "exit code 0" {
                failures.push(format!(
                    "process {p} (pid {}): {}{}\n{}",
                    e.pid,
                    e.status,
                    if e.hung {
                        ", still running at the limit"
                    } else {
                        ""
                    },
                    e.stderr.trim()
                ));
            }
        }
        if !failures.is_empty() {
            bail!("the timely cluster failed:\n{}", failures.join("\n"));
        }
        let reports: Vec<ProcessReport> = endings.into_iter().filter_map(|e| e.report).collect();
        let last_start = reports
            .iter()
            .map(|r| r.started_unix_ms)
            .fold(0.0, f64::max);
        let last_end = reports.iter().map(|r| r.ended_unix_ms).fold(0.0, f64::max);
        let job_ms = (last_end - last_start).max(0.0);
        Ok(ClusterRun {
            shape,
            wall,
            connect: connect.unwrap_or(wall),
            job_ms,
            primes: reports.iter().map(|r| r.primes).sum(),
            words: WordSummary::merge(reports.iter().map(|r| r.words.clone())),
            tasks_per_worker: reports
                .iter()
                .flat_map(|r| r.tasks_per_worker.clone())
                .collect(),
            bytes_sent: reports.iter().map(|r| r.bytes_sent).sum(),
            messages_sent: reports.iter().map(|r| r.messages_sent).sum(),
            pids,
        })
    }
}

/// Reads process `p`'s stdout lines (`running`, `report {json}`) and, at its
/// exit, all of its stderr, as events.
fn read_events(p: usize, child: &mut ChildGuard, tx: mpsc::Sender<Event>) {
    if let Some(out) = child.child_mut().stdout.take() {
        let tx = tx.clone();
        thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let event = if line.starts_with("running") {
                    Event::Running(p)
                } else if let Some(json) = line.strip_prefix("report ") {
                    match serde_json::from_str(json) {
                        Ok(r) => Event::Report(p, Box::new(r)),
                        Err(_) => continue,
                    }
                } else {
                    continue;
                };
                if tx.send(event).is_err() {
                    return;
                }
            }
            let _ = tx.send(Event::StdoutClosed(p));
        });
    }
    if let Some(mut err) = child.child_mut().stderr.take() {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = err.read_to_string(&mut text);
            let _ = tx.send(Event::Stderr(p, text));
        });
    }
}

/// Runs `job` on a cluster of `shape` and waits for it, at most `limit`;
/// retried once if the processes could not connect (a reserved port taken
/// by someone else in between).
pub fn run(spawner: &Spawner, shape: Shape, job: &JobSpec, limit: Duration) -> Result<ClusterRun> {
    let first = Cluster::start(spawner, shape, job)?.finish(shape, limit);
    match first {
        Err(e) if format!("{e:#}").contains("networking") => {
            Cluster::start(spawner, shape, job)?.finish(shape, limit)
        }
        other => other,
    }
}

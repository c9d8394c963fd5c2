//! `ProcessPoolExecutor`: the same handles, `map` and `as_completed`, with
//! every task run in a worker process (this program started again in the
//! `worker` role).
//!
//! Each worker process has a *supervisor* thread here that takes the next
//! task from the shared queue, writes it to the worker's stdin as one line
//! of JSON and waits for the reply line. The supervisor is also where
//! failures are noticed:
//!
//! - the worker's stdout ends before the reply: the process died (abort,
//!   exit, a signal). The task gets `TaskError::Broken`, and a new process
//!   replaces the dead one. Python instead marks the whole pool broken and
//!   fails every pending future with `BrokenProcessPool`.
//! - the task runs past the pool's task limit (if it has one): the process
//!   is killed, the task gets `TimedOut`, a new process replaces it. Unlike
//!   a thread, a process *can* be stopped from outside.
//! - `shutdown(false)`: running workers are killed, their tasks get
//!   `Broken`, queued tasks get `Cancelled`.
//!
//! Every process is held by a [`ChildGuard`], and every supervisor is
//! joined before `shutdown` or `drop` returns, so no path leaves a process
//! behind.

use std::io::{self, BufRead, BufReader, Write};
use std::marker::PhantomData;
use std::process::{ChildStdin, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use anyhow::{Context, Result};
use course_support::child::{ChildGuard, Spawner, describe};
use crossbeam::channel::{self, Receiver, Sender, select};
use serde_json::Value;

use crate::future::{Handle, Outcome, Promise, Results, TaskError, TaskId, in_order, pair};
use crate::remote::{Remote, Reply};
use crate::worker::{ROLE, Request, Response};

/// How long a worker may take to exit after its stdin closes.
const GRACE: Duration = Duration::from_secs(2);

// ANCHOR: deliver
/// What the supervisor knows of a task: its wire form, and how to settle
/// its typed handle (the supervisor does not know the types).
pub(crate) struct RemoteJob {
    pub(crate) id: TaskId,
    pub(crate) task: &'static str,
    pub(crate) args: Value,
    pub(crate) deliver: Box<dyn Deliver>,
}

/// What happened to a task, before its JSON is decoded into its types.
pub(crate) type RawOutcome = Result<Reply, TaskError<Value>>;

pub(crate) trait Deliver: Send {
    /// PENDING -> RUNNING; `false` if it was cancelled.
    fn start(&self) -> bool;
    fn finish(self: Box<Self>, outcome: RawOutcome);
    /// Dropped from the queue: `Cancelled`; `false` if it was already.
    fn cancel(self: Box<Self>) -> bool;
}

/// A promise that knows its task's types, to decode the reply.
pub(crate) struct Typed<F: Remote>(
    pub(crate) Promise<F::Out, F::Err>,
    pub(crate) PhantomData<fn() -> F>,
);

impl<F: Remote> Deliver for Typed<F> {
    fn start(&self) -> bool {
        self.0.start()
    }

    fn finish(self: Box<Self>, outcome: RawOutcome) {
        let undecodable =
            |e: serde_json::Error| TaskError::Broken(format!("{}: unreadable reply: {e}", F::NAME));
        let outcome: Outcome<F::Out, F::Err> = match outcome {
            Ok(Reply::Ok(v)) => serde_json::from_value(v).map_err(undecodable),
            Ok(Reply::Err(v)) => match serde_json::from_value(v) {
                Ok(e) => Err(TaskError::Failed(e)),
                Err(e) => Err(undecodable(e)),
            },
            Ok(Reply::Panicked(msg)) => Err(TaskError::Panicked(msg)),
            Ok(Reply::Refused(why)) => Err(TaskError::Broken(why)),
            Err(TaskError::TimedOut) => Err(TaskError::TimedOut),
            Err(TaskError::Cancelled) => Err(TaskError::Cancelled),
            Err(TaskError::Panicked(msg)) => Err(TaskError::Panicked(msg)),
            Err(TaskError::Broken(why)) => Err(TaskError::Broken(why)),
            Err(TaskError::Failed(v)) => Err(TaskError::Broken(format!("failed: {v}"))),
        };
        self.0.finish(outcome);
    }

    fn cancel(self: Box<Self>) -> bool {
        self.0.cancel()
    }
}
// ANCHOR_END: deliver

// ANCHOR: process_pool
/// A fixed pool of worker processes: Python's `ProcessPoolExecutor`.
#[derive(Debug)]
pub struct ProcessPool {
    submitter: Submitter,
    queue: Receiver<RemoteJob>,
    /// Never sends: dropping it tells every supervisor to kill its worker.
    stop: Option<Sender<()>>,
    supervisors: Vec<JoinHandle<()>>,
    pids: Arc<Mutex<Vec<Option<u32>>>>,
    started: Arc<AtomicUsize>,
}
// ANCHOR_END: process_pool

// ANCHOR: submit
/// The submitting end that the process pool and the interpreter pool share.
#[derive(Debug)]
pub(crate) struct Submitter {
    jobs: Option<Sender<RemoteJob>>,
    next_id: AtomicU64,
}

impl Submitter {
    pub(crate) fn new(jobs: Sender<RemoteJob>) -> Self {
        Submitter {
            jobs: Some(jobs),
            next_id: AtomicU64::new(0),
        }
    }

    /// Queues task `F` by name with `args`, which must serialise (as
    /// Python's must pickle), and returns the same kind of handle the
    /// thread pool does.
    pub(crate) fn submit<F: Remote>(&self, args: F::Args) -> Handle<F::Out, F::Err> {
        let id = TaskId(self.next_id.fetch_add(1, Ordering::Relaxed));
        let (handle, promise) = pair::<F::Out, F::Err>(id);
        let args = match serde_json::to_value(args) {
            Ok(args) => args,
            Err(e) => {
                let why = format!("cannot send the arguments: {e}");
                promise.finish(Err(TaskError::Broken(why)));
                return handle;
            }
        };
        let job = RemoteJob {
            id,
            task: F::NAME,
            args,
            deliver: Box::new(Typed::<F>(promise, PhantomData)),
        };
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(job);
        }
        handle
    }
    // ANCHOR_END: submit

    /// Submits every item; outcomes in input order.
    pub(crate) fn map<F: Remote>(
        &self,
        items: impl IntoIterator<Item = F::Args>,
    ) -> Results<F::Out, F::Err> {
        let handles: Vec<_> = items.into_iter().map(|a| self.submit::<F>(a)).collect();
        in_order(handles)
    }

    /// No more tasks: the workers drain the queue and stop.
    pub(crate) fn close(&mut self) {
        drop(self.jobs.take());
    }
}

impl std::fmt::Debug for RemoteJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RemoteJob({}, {})", self.id, self.task)
    }
}

impl ProcessPool {
    /// Starts `max_workers` worker processes (at least 1) of `spawner`'s
    /// program. Fails if one cannot be started.
    pub fn new(spawner: &Spawner, max_workers: usize) -> Result<Self> {
        Self::build(spawner, max_workers, None)
    }

    /// Like [`ProcessPool::new`], and a task that runs longer than `limit`
    /// has its worker killed (and replaced) and ends with `TimedOut`.
    pub fn with_task_limit(spawner: &Spawner, max_workers: usize, limit: Duration) -> Result<Self> {
        Self::build(spawner, max_workers, Some(limit))
    }

    fn build(spawner: &Spawner, max_workers: usize, limit: Option<Duration>) -> Result<Self> {
        let max_workers = max_workers.max(1);
        let (jobs, queue) = channel::unbounded();
        let (stop, stopped) = channel::bounded::<()>(0);
        let started = Arc::new(AtomicUsize::new(0));
        // Start every process here, so that a failure is this call's error.
        let mut workers = Vec::with_capacity(max_workers);
        for _ in 0..max_workers {
            workers.push(Worker::start(spawner, &started)?);
        }
        let pids = Arc::new(Mutex::new(
            workers.iter().map(|w| Some(w.pid())).collect::<Vec<_>>(),
        ));
        let supervisors = workers
            .into_iter()
            .enumerate()
            .map(|(slot, worker)| {
                let supervisor = Supervisor {
                    slot,
                    spawner: spawner.clone(),
                    jobs: queue.clone(),
                    stop: stopped.clone(),
                    pids: Arc::clone(&pids),
                    started: Arc::clone(&started),
                    limit,
                };
                thread::Builder::new()
                    .name(format!("supervisor-{slot}"))
                    .spawn(move || supervisor.run(worker))
                    .context("starting a supervisor thread")
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ProcessPool {
            submitter: Submitter::new(jobs),
            queue,
            stop: Some(stop),
            supervisors,
            pids,
            started,
        })
    }

    /// The pids of the worker processes alive now.
    pub fn pids(&self) -> Vec<u32> {
        let pids = self.pids.lock().unwrap_or_else(|p| p.into_inner());
        pids.iter().flatten().copied().collect()
    }

    /// How many worker processes it has started so far, replacements
    /// included.
    pub fn processes_started(&self) -> usize {
        self.started.load(Ordering::SeqCst)
    }

    /// Python's `submit(fn, *args)` on a process pool: see [`Submitter::submit`].
    pub fn submit<F: Remote>(&self, args: F::Args) -> Handle<F::Out, F::Err> {
        self.submitter.submit::<F>(args)
    }

    /// Python's `map(fn, items)` on a process pool: outcomes in input order.
    pub fn map<F: Remote>(
        &self,
        items: impl IntoIterator<Item = F::Args>,
    ) -> Results<F::Out, F::Err> {
        self.submitter.map::<F>(items)
    }

    // ANCHOR: shutdown
    /// Python's `shutdown(wait)`. `wait = true`: every queued task runs,
    /// then the workers are told to exit (their stdin closes) and are
    /// reaped. `wait = false`: queued tasks are cancelled and running
    /// workers are killed now (their tasks end `Broken`): a process, unlike
    /// a thread, can be stopped from outside. Both return only once every
    /// worker process is gone. Returns how many queued tasks were cancelled.
    pub fn shutdown(mut self, wait: bool) -> usize {
        self.close(wait)
    }

    fn close(&mut self, wait: bool) -> usize {
        self.submitter.close();
        let mut cancelled = 0;
        if !wait {
            while let Ok(job) = self.queue.try_recv() {
                cancelled += usize::from(job.deliver.cancel());
            }
            drop(self.stop.take()); // every supervisor kills its worker
        }
        for supervisor in self.supervisors.drain(..) {
            let _ = supervisor.join();
        }
        cancelled
    }
    // ANCHOR_END: shutdown
}

impl Drop for ProcessPool {
    fn drop(&mut self) {
        self.close(true);
    }
}

/// One worker process, from the parent's side.
struct Worker {
    guard: ChildGuard,
    stdin: Option<ChildStdin>,
    /// Lines the worker wrote on its stdout; disconnects when it exits.
    lines: Receiver<String>,
    reader: Option<JoinHandle<()>>,
}

impl Worker {
    fn start(spawner: &Spawner, started: &AtomicUsize) -> Result<Self> {
        let mut cmd = spawner.command(ROLE, std::iter::empty::<&str>());
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut guard = ChildGuard::spawn(&mut cmd).with_context(|| {
            format!(
                "starting a worker process of {}",
                spawner.program().display()
            )
        })?;
        started.fetch_add(1, Ordering::SeqCst);
        let stdin = guard.child_mut().stdin.take();
        let stdout = guard.child_mut().stdout.take().context("no stdout pipe")?;
        let (tx, lines) = channel::unbounded();
        let reader = thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Worker {
            guard,
            stdin,
            lines,
            reader: Some(reader),
        })
    }

    fn pid(&self) -> u32 {
        self.guard.id()
    }

    fn send(&mut self, request: &Request) -> io::Result<()> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| io::Error::other("stdin already closed"))?;
        let mut line = serde_json::to_vec(request)?;
        line.push(b'\n');
        stdin.write_all(&line)?;
        stdin.flush()
    }

    /// Ends the process: politely (close its stdin, give it [`GRACE`]) or
    /// not (SIGKILL). Either way it is reaped, and its reader joined.
    fn end(mut self, politely: bool) -> Option<ExitStatus> {
        drop(self.stdin.take());
        let status = if politely {
            match self.guard.wait_timeout(GRACE) {
                Ok(Some(status)) => Some(status),
                _ => self.guard.kill().ok(),
            }
        } else {
            self.guard.kill().ok()
        };
        if let Some(reader) = self.reader.take() {
            let _ = reader.join(); // its pipe closed when the process ended
        }
        status
    }
}

/// How waiting for one reply ended.
enum Waited {
    Reply(Reply),
    /// The worker's stdout closed: it died.
    Died,
    /// `shutdown(false)`.
    Stopped,
    /// It ran past the task limit.
    Overran,
}

/// The thread that owns one worker process.
struct Supervisor {
    slot: usize,
    spawner: Spawner,
    jobs: Receiver<RemoteJob>,
    stop: Receiver<()>,
    pids: Arc<Mutex<Vec<Option<u32>>>>,
    started: Arc<AtomicUsize>,
    limit: Option<Duration>,
}

impl Supervisor {
    fn set_pid(&self, pid: Option<u32>) {
        self.pids.lock().unwrap_or_else(|p| p.into_inner())[self.slot] = pid;
    }

    fn replacement(&self) -> Option<Worker> {
        let worker = Worker::start(&self.spawner, &self.started).ok();
        self.set_pid(worker.as_ref().map(Worker::pid));
        worker
    }

    // ANCHOR: supervise
    fn run(self, first: Worker) {
        let mut worker = Some(first);
        loop {
            let job = select! {
                recv(self.jobs) -> job => match job {
                    Ok(job) => job,
                    Err(_) => break, // closed and empty: shut down politely
                },
                recv(self.stop) -> _ => break, // shutdown(false)
            };
            if !job.deliver.start() {
                continue; // cancelled while queued
            }
            let mut w = match worker.take().or_else(|| self.replacement()) {
                Some(w) => w,
                None => {
                    let why = "no worker process: starting one failed".to_owned();
                    job.deliver.finish(Err(TaskError::Broken(why)));
                    continue;
                }
            };
            let pid = w.pid();
            match self.run_one(&mut w, &job) {
                Waited::Reply(reply) => {
                    job.deliver.finish(Ok(reply));
                    worker = Some(w);
                }
                Waited::Died => {
                    let status = w.end(false).map_or("unknown status".into(), describe);
                    // Replace it first, so the pool is whole again when the
                    // caller hears of the crash.
                    worker = self.replacement();
                    let why = format!("worker pid {pid} died while running it ({status})");
                    job.deliver.finish(Err(TaskError::Broken(why)));
                }
                Waited::Overran => {
                    w.end(false); // the only way to stop it
                    worker = self.replacement();
                    job.deliver.finish(Err(TaskError::TimedOut));
                }
                Waited::Stopped => {
                    w.end(false);
                    let why = format!("worker pid {pid} killed by shutdown(wait=false)");
                    job.deliver.finish(Err(TaskError::Broken(why)));
                    self.set_pid(None);
                    return;
                }
            }
        }
        // Queue closed (or stop): a worker that is idle exits when its stdin closes.
        if let Some(w) = worker {
            let politely = self.stop.try_recv() != Err(channel::TryRecvError::Disconnected);
            w.end(politely);
        }
        self.set_pid(None);
    }
    // ANCHOR_END: supervise

    /// Sends one task and waits for its reply, the worker's death, the
    /// task limit or a stop, whichever comes first.
    fn run_one(&self, w: &mut Worker, job: &RemoteJob) -> Waited {
        let request = Request {
            id: job.id.0,
            task: job.task.to_owned(),
            args: job.args.clone(),
        };
        if w.send(&request).is_err() {
            return Waited::Died; // its stdin is closed: the process is gone
        }
        let timer = match self.limit {
            Some(limit) => channel::after(limit),
            None => channel::never(),
        };
        loop {
            select! {
                recv(w.lines) -> line => match line {
                    Ok(line) => match serde_json::from_str::<Response>(&line) {
                        Ok(response) if response.id == job.id.0 => {
                            return Waited::Reply(response.reply);
                        }
                        // A task that printed: pass it on, keep waiting.
                        _ => eprintln!("worker pid {}: {line}", w.pid()),
                    },
                    Err(_) => return Waited::Died,
                },
                recv(self.stop) -> _ => return Waited::Stopped,
                recv(timer) -> _ => return Waited::Overran,
            }
        }
    }
}

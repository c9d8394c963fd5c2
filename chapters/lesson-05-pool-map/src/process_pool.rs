//! `multiprocessing.Pool` from real processes: this program started again
//! as N workers, fed chunks of items through their stdin, answering through
//! their stdout (the protocol is in [`crate::worker`]).
//!
//! - Each worker holds one chunk at a time (or a few, with
//!   [`ProcessPool::with_prefetch`]). When results come back from it, it gets
//!   the next chunk, so a fast worker does more chunks than a slow one.
//! - A worker that dies (a panic, an abort, a kill) closes its stdout; the
//!   parent notices at once, reports which worker, which chunk and its last
//!   words, and kills the others. `Pool.map` in Python waits forever in that
//!   case (`ProcessPoolExecutor` raises `BrokenProcessPool`).
//! - Every worker is a [`ChildGuard`]: killed and reaped when the pool is
//!   dropped, on every path, so no process is left behind.

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::ops::Range;
use std::process::{ChildStdin, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use course_support::child::{ChildGuard, Spawner, describe};

use crate::chunks::chunk_ranges;
use crate::protocol::{FromWorker, RequestRef};
use crate::remote::RemoteFn;

/// The role every worker runs: `lesson-05-pool-map child worker`.
pub const WORKER_ROLE: &str = "worker";

/// How long workers may take to start and say they are ready.
pub const START_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one `map` may take before the pool gives up (change it with
/// [`ProcessPool::with_timeout`]).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// How many lines of a worker's stderr we keep for error reports.
const STDERR_LINES: usize = 20;

/// What went wrong in a pool. Every variant leaves no worker running.
#[derive(Debug)]
pub enum PoolError {
    /// A worker could not be started, or never said it was ready.
    Start(String),
    /// A worker process ended while the pool needed it.
    WorkerDied {
        worker: usize,
        pid: u32,
        /// How it ended, in words: `exit code 101`.
        status: String,
        /// The chunk it held, and that chunk's item indices.
        chunk: Option<(usize, Range<usize>)>,
        /// Its last lines on stderr (a panic message, for one).
        stderr: Vec<String>,
    },
    /// The map did not finish in time.
    Timeout {
        after: Duration,
        unfinished: usize,
    },
    /// A worker said something the protocol does not allow.
    Protocol(String),
    /// The pool failed earlier and has no workers any more.
    Broken(String),
    /// A worker did not exit after the pool closed its stdin (it was killed).
    Close(String),
    Io(io::Error),
}

impl fmt::Display for PoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolError::Start(why) => write!(f, "the pool could not start: {why}"),
            PoolError::WorkerDied {
                worker,
                pid,
                status,
                chunk,
                stderr,
            } => {
                write!(f, "worker {worker} (pid {pid}) died ({status})")?;
                match chunk {
                    Some((c, items)) => write!(f, " while running chunk {c} (items {items:?})")?,
                    None => write!(f, " while holding no chunk")?,
                }
                if let Some(last) = stderr.last() {
                    write!(f, "; its last words: {last}")?;
                }
                Ok(())
            }
            PoolError::Timeout { after, unfinished } => write!(
                f,
                "the map did not finish within {after:?} ({unfinished} chunk(s) unfinished); \
                 every worker was killed"
            ),
            PoolError::Protocol(what) => write!(f, "protocol error: {what}"),
            PoolError::Broken(why) => write!(f, "the pool is broken since: {why}"),
            PoolError::Close(why) => write!(f, "closing the pool: {why}"),
            PoolError::Io(e) => write!(f, "I/O error talking to a worker: {e}"),
        }
    }
}

impl std::error::Error for PoolError {}

impl From<io::Error> for PoolError {
    fn from(e: io::Error) -> Self {
        PoolError::Io(e)
    }
}

/// What a reader thread tells the pool about worker `usize`.
#[derive(Debug)]
enum Event {
    Message(usize, FromWorker),
    /// A line that is not a message (something printed to stdout by mistake).
    Garbled(usize, String),
    /// Its stdout closed: it exited, or is about to.
    Closed(usize),
}

/// One worker process and the threads that read its pipes.
#[derive(Debug)]
struct Worker {
    guard: ChildGuard,
    stdin: Option<BufWriter<ChildStdin>>,
    reader: Option<JoinHandle<()>>,
    stderr: Option<JoinHandle<Vec<String>>>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Kill first: then its pipes close and both reader threads return.
        drop(self.stdin.take());
        let _ = self.guard.kill();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        if let Some(stderr) = self.stderr.take() {
            let _ = stderr.join();
        }
    }
}

/// The results of one map, with who did what.
#[derive(Debug, Clone, PartialEq)]
pub struct MapReport<T> {
    /// In input order.
    pub results: Vec<T>,
    /// The pid (as the worker reported it) that ran each chunk.
    pub chunk_pids: Vec<u32>,
    /// Lines printed by tasks, in the order they reached the parent.
    pub printed: Vec<(u32, String)>,
}

// ANCHOR: pool
/// A pool of worker processes, like `multiprocessing.Pool(workers)`.
#[derive(Debug)]
pub struct ProcessPool {
    workers: Vec<Worker>,
    /// What the workers said at start: their own `std::process::id()`.
    reported_pids: Vec<u32>,
    events: mpsc::Receiver<Event>,
    timeout: Duration,
    /// How many chunks each worker may hold at once (see `with_prefetch`).
    prefetch: usize,
    broken: Option<String>,
}
// ANCHOR_END: pool

impl ProcessPool {
    // ANCHOR: start
    /// Starts `workers` worker processes and waits until each says it is
    /// ready. Each worker gets piped stdin, stdout and stderr, and one
    /// thread here per pipe we read, which forwards what it reads.
    ///
    /// # Panics
    ///
    /// If `workers` is 0.
    pub fn start(spawner: &Spawner, workers: usize) -> Result<Self, PoolError> {
        assert!(workers >= 1, "a pool needs at least 1 worker");
        let (tx, events) = mpsc::channel();
        let mut pool = ProcessPool {
            workers: Vec::with_capacity(workers),
            reported_pids: Vec::new(),
            events,
            timeout: DEFAULT_TIMEOUT,
            prefetch: 1,
            broken: None,
        };
        for index in 0..workers {
            let mut cmd = spawner.command(WORKER_ROLE, [] as [&str; 0]);
            cmd.stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut guard = ChildGuard::spawn(&mut cmd)
                .map_err(|e| PoolError::Start(format!("{}: {e}", spawner.program().display())))?;
            let child = guard.child_mut();
            let (stdin, stdout, stderr) =
                (child.stdin.take(), child.stdout.take(), child.stderr.take());
            let (Some(stdin), Some(stdout), Some(stderr)) = (stdin, stdout, stderr) else {
                return Err(PoolError::Start("a pipe was not set up".into()));
            };
            let tx = tx.clone();
            pool.workers.push(Worker {
                guard,
                stdin: Some(BufWriter::new(stdin)),
                reader: Some(thread::spawn(move || read_messages(index, stdout, &tx))),
                stderr: Some(thread::spawn(move || keep_last_lines(stderr))),
            });
        }
        drop(tx); // only the reader threads hold senders
        pool.reported_pids = pool.wait_until_ready()?;
        Ok(pool)
    }
    // ANCHOR_END: start

    fn wait_until_ready(&mut self) -> Result<Vec<u32>, PoolError> {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut ready: Vec<Option<u32>> = vec![None; self.workers.len()];
        while ready.iter().any(Option::is_none) {
            let wait = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(wait) {
                Ok(Event::Message(w, FromWorker::Ready { pid })) => ready[w] = Some(pid),
                Ok(Event::Closed(w)) => return Err(self.died(w, None)),
                Ok(other) => return Err(self.fail(PoolError::Protocol(format!("{other:?}")))),
                Err(_) => {
                    return Err(self.fail(PoolError::Start(format!(
                        "the workers did not all start within {START_TIMEOUT:?}"
                    ))));
                }
            }
        }
        Ok(ready.into_iter().flatten().collect())
    }

    /// Gives up on a map after `timeout` (the default is [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    // ANCHOR: prefetch
    /// Lets each worker hold up to `chunks` chunks: the one it runs and
    /// `chunks - 1` waiting in its stdin, so it starts the next one without
    /// waiting for a round trip to the parent. The price: a chunk queued
    /// behind a slow one waits for it, even if another worker is idle. The
    /// default is 1: a worker gets a chunk only when it has finished the last.
    ///
    /// # Panics
    ///
    /// If `chunks` is 0.
    pub fn with_prefetch(mut self, chunks: usize) -> Self {
        assert!(
            chunks >= 1,
            "a worker must be able to hold at least 1 chunk"
        );
        self.prefetch = chunks;
        self
    }
    // ANCHOR_END: prefetch

    /// How many workers the pool has.
    pub fn workers(&self) -> usize {
        self.workers.len()
    }

    /// The workers' pids, as `spawn` returned them.
    pub fn pids(&self) -> Vec<u32> {
        self.workers.iter().map(|w| w.guard.id()).collect()
    }

    /// The workers' pids, as each worker reported its own at start.
    pub fn reported_pids(&self) -> &[u32] {
        &self.reported_pids
    }

    /// `pool.map(F, items, chunksize=chunk_size)`: the results in input order.
    pub fn map<F: RemoteFn>(
        &mut self,
        items: &[F::In],
        chunk_size: usize,
    ) -> Result<Vec<F::Out>, PoolError> {
        Ok(self.map_report::<F>(items, chunk_size)?.results)
    }

    /// [`ProcessPool::map`], also telling which pid ran each chunk and what
    /// the tasks printed.
    pub fn map_report<F: RemoteFn>(
        &mut self,
        items: &[F::In],
        chunk_size: usize,
    ) -> Result<MapReport<F::Out>, PoolError> {
        let mut slots: Vec<Option<F::Out>> = (0..items.len()).map(|_| None).collect();
        let mut printed = Vec::new();
        let chunk_pids = self.run::<F>(
            items,
            chunk_size,
            |i, out| slots[i] = Some(out),
            |pid, line| printed.push((pid, line)),
        )?;
        // `run` checked that every chunk returned one result per item.
        let results = slots.into_iter().flatten().collect();
        Ok(MapReport {
            results,
            chunk_pids,
            printed,
        })
    }

    /// `pool.imap_unordered(F, items, chunksize=chunk_size)`: calls
    /// `on_result(index, result)` as each chunk's results arrive, so in
    /// completion order.
    pub fn imap_unordered<F: RemoteFn>(
        &mut self,
        items: &[F::In],
        chunk_size: usize,
        on_result: impl FnMut(usize, F::Out),
    ) -> Result<(), PoolError> {
        self.run::<F>(items, chunk_size, on_result, |_, _| {})
            .map(|_| ())
    }

    // ANCHOR: run
    /// The heart of every map: hand `prefetch` chunks to each worker, then
    /// give a worker its next chunk whenever results come back from it.
    /// Returns the pid that ran each chunk.
    ///
    /// # Panics
    ///
    /// If `chunk_size` is 0.
    fn run<F: RemoteFn>(
        &mut self,
        items: &[F::In],
        chunk_size: usize,
        mut on_result: impl FnMut(usize, F::Out),
        mut on_print: impl FnMut(u32, String),
    ) -> Result<Vec<u32>, PoolError> {
        if let Some(why) = &self.broken {
            return Err(PoolError::Broken(why.clone()));
        }
        let chunks = chunk_ranges(items.len(), chunk_size);
        let mut chunk_pids = vec![0; chunks.len()];
        // The chunks each worker has been sent and not answered, oldest
        // (the one it is running) first.
        let mut holding: Vec<VecDeque<usize>> = vec![VecDeque::new(); self.workers.len()];
        let mut next = 0;
        // Chunk 0 to worker 0, chunk 1 to worker 1, ..., `prefetch` rounds.
        for _ in 0..self.prefetch {
            for (w, held) in holding.iter_mut().enumerate() {
                if next < chunks.len() {
                    self.give::<F>(w, held, next, &chunks, items)?;
                    next += 1;
                }
            }
        }
        let deadline = Instant::now() + self.timeout;
        let mut left = chunks.len();
        while left > 0 {
            let wait = deadline.saturating_duration_since(Instant::now());
            let Ok(event) = self.events.recv_timeout(wait) else {
                let after = self.timeout;
                return Err(self.fail(PoolError::Timeout {
                    after,
                    unfinished: left,
                }));
            };
            match event {
                Event::Message(_, FromWorker::Print { pid, line }) => on_print(pid, line),
                Event::Message(
                    w,
                    FromWorker::Done {
                        chunk,
                        pid,
                        results,
                    },
                ) => {
                    let expected = chunks.get(chunk).map_or(0, Range::len);
                    if holding[w].front() != Some(&chunk) || results.len() != expected {
                        let what = format!(
                            "worker {w} sent {} results for chunk {chunk}",
                            results.len()
                        );
                        return Err(self.fail(PoolError::Protocol(what)));
                    }
                    for (k, value) in results.into_iter().enumerate() {
                        match serde_json::from_value(value) {
                            Ok(out) => on_result(chunks[chunk].start + k, out),
                            Err(e) => return Err(self.fail(PoolError::Protocol(e.to_string()))),
                        }
                    }
                    chunk_pids[chunk] = pid;
                    left -= 1;
                    holding[w].pop_front();
                    if next < chunks.len() {
                        self.give::<F>(w, &mut holding[w], next, &chunks, items)?;
                        next += 1;
                    }
                }
                Event::Closed(w) => {
                    let running = holding[w].front().map(|&c| (c, chunks[c].clone()));
                    return Err(self.died(w, running));
                }
                Event::Message(w, msg @ FromWorker::Ready { .. }) => {
                    let what = format!("worker {w} sent {msg:?} in the middle of a map");
                    return Err(self.fail(PoolError::Protocol(what)));
                }
                Event::Garbled(w, line) => {
                    let what = format!("worker {w} wrote a line that is not a message: {line:?}");
                    return Err(self.fail(PoolError::Protocol(what)));
                }
            }
        }
        Ok(chunk_pids)
    }
    // ANCHOR_END: run

    /// Sends chunk number `chunk` to worker `w` and notes that `w` holds it.
    fn give<F: RemoteFn>(
        &mut self,
        w: usize,
        holding: &mut VecDeque<usize>,
        chunk: usize,
        chunks: &[Range<usize>],
        items: &[F::In],
    ) -> Result<(), PoolError> {
        holding.push_back(chunk);
        let request = RequestRef {
            chunk,
            func: F::NAME,
            items: &items[chunks[chunk].clone()],
        };
        let sent = match self.workers[w].stdin.as_mut() {
            Some(stdin) => serde_json::to_writer(&mut *stdin, &request)
                .map_err(io::Error::from)
                .and_then(|()| stdin.write_all(b"\n"))
                .and_then(|()| stdin.flush()),
            None => Err(io::ErrorKind::BrokenPipe.into()),
        };
        match sent {
            Ok(()) => Ok(()),
            // Its stdin is closed: it has died. Say how, and what it was running.
            Err(_) => {
                let running = holding.front().map(|&c| (c, chunks[c].clone()));
                Err(self.died(w, running))
            }
        }
    }

    // ANCHOR: died
    /// Worker `w` is gone: reap it, read its last words, kill the others.
    fn died(&mut self, w: usize, chunk: Option<(usize, Range<usize>)>) -> PoolError {
        let worker = &mut self.workers[w];
        let status = match worker.guard.wait_timeout(Duration::from_secs(2)) {
            Ok(Some(status)) => describe(status),
            // Closed its stdout but still running: stop it for good.
            Ok(None) => worker.guard.kill().map_or_else(|e| e.to_string(), describe),
            Err(e) => e.to_string(),
        };
        // It has exited, so its stderr is at end of file and this returns.
        let stderr = worker
            .stderr
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        let err = PoolError::WorkerDied {
            worker: w,
            pid: worker.guard.id(),
            status,
            chunk,
            stderr,
        };
        self.fail(err)
    }
    // ANCHOR_END: died

    /// Kills and reaps every worker; the pool refuses work from now on.
    fn fail(&mut self, err: PoolError) -> PoolError {
        self.broken = Some(err.to_string());
        for worker in &mut self.workers {
            drop(worker.stdin.take());
            let _ = worker.guard.kill();
        }
        err
    }

    // ANCHOR: close
    /// `pool.close(); pool.join()`: closes every worker's stdin, so each
    /// one's read loop ends and it exits by itself; waits for all of them.
    pub fn close(mut self) -> Result<Vec<ExitStatus>, PoolError> {
        for worker in &mut self.workers {
            drop(worker.stdin.take());
        }
        let mut statuses = Vec::new();
        for worker in &mut self.workers {
            match worker.guard.wait_timeout(Duration::from_secs(10))? {
                Some(status) => statuses.push(status),
                None => {
                    let pid = worker.guard.id();
                    return Err(PoolError::Close(format!(
                        "worker pid {pid} did not exit after its stdin closed (killed)"
                    )));
                }
            }
        }
        Ok(statuses)
        // Dropping `self` joins the reader threads; anything still running is killed.
    }
    // ANCHOR_END: close
}

// ANCHOR: read_messages
/// A reader thread: one message per line from worker `w`'s stdout, until
/// the pipe closes, which means the worker has exited (or is exiting).
fn read_messages(w: usize, stdout: impl Read, events: &mpsc::Sender<Event>) {
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let event = match serde_json::from_str(&line) {
            Ok(msg) => Event::Message(w, msg),
            Err(_) => Event::Garbled(w, line),
        };
        if events.send(event).is_err() {
            return; // the pool is gone
        }
    }
    let _ = events.send(Event::Closed(w));
}
// ANCHOR_END: read_messages

/// A stderr thread: keeps the last few lines, for the error report.
fn keep_last_lines(stderr: impl Read) -> Vec<String> {
    let mut last = VecDeque::new();
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if last.len() == STDERR_LINES {
            last.pop_front();
        }
        last.push_back(line);
    }
    last.into()
}

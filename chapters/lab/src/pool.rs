//! A pool of worker **processes**: this same program started again in the
//! `worker` role (`lab child worker ...`), the way Python's
//! `ProcessPoolExecutor` starts interpreters.
//!
//! - The parent sends tasks to a worker's stdin in frames of up to
//!   [`chunk_size`] tasks (Python's `chunksize`): their numbers, then each
//!   task's input bytes (a copy: processes share no memory).
//! - The worker answers on its stdout, one line per frame:
//!   `done <tasks> <primes> <bytes>`, and `bye` when its stdin closes.
//! - A worker holds at most [`PREFETCH`] frames at a time; the next frame goes
//!   to whichever worker finishes first, so a slow worker does fewer tasks.
//! - Every worker is a [`ChildGuard`], killed and reaped whenever the pool
//!   ends, on every path (an error, a panic): no orphan, no zombie.
//!
//! The same pool serves the hybrid mode: there, an async stage does the
//! waiting and feeds the pool only the compute part of each task.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use course_support::child::{ChildGuard, Spawner, describe};

use crate::task::{Outcome, TaskSpec, read_input};

/// The child role every pool worker plays.
pub const WORKER_ROLE: &str = "worker";

/// Frames a worker may hold at once: one it computes, one waiting in its
/// pipe, so it never idles while the parent sends the next.
pub const PREFETCH: usize = 2;

// ANCHOR: chunk_size
/// Tasks per frame when `tasks` tasks go to `workers` workers: about eight
/// frames per worker, so the per-message cost is paid rarely and a slow
/// worker still gets fewer frames. (`Pool.map` picks `tasks / (4 * workers)`.)
pub fn chunk_size(tasks: u64, workers: usize) -> usize {
    (tasks / (8 * workers.max(1) as u64)).clamp(1, 1_024) as usize
}
// ANCHOR_END: chunk_size

/// How long the pool waits without any news from its workers before it
/// gives up, kills them and reports an error.
pub const STALL: Duration = Duration::from_secs(120);

/// What the pool hears about, from its workers or from a feeding stage.
#[derive(Debug)]
pub enum Event {
    /// Task `task` may be sent to a worker now (hybrid mode: its wait is over).
    Ready(u64),
    /// A worker finished a frame of `tasks` tasks.
    Done {
        worker: usize,
        tasks: u64,
        outcome: Outcome,
    },
    /// A worker closed its stdout: `clean` if it said `bye` first.
    Closed { worker: usize, clean: bool },
    /// A worker said something the protocol does not allow.
    Garbled { worker: usize, line: String },
}

struct Worker {
    // Dropped first: kills and reaps the process, so a writer blocked on
    // its pipe gets an error and ends.
    guard: ChildGuard,
    /// Frames for this worker's writer thread.
    frames: Option<Sender<Vec<u64>>>,
    writer: Option<thread::JoinHandle<()>>,
    holding: usize,
}

/// What a pool run produced.
#[derive(Debug, Clone)]
pub struct PoolRun {
    pub outcome: Outcome,
    /// The workers' process ids.
    pub pids: Vec<u32>,
    /// Tasks each worker did, in worker order.
    pub tasks_per_worker: Vec<u64>,
    /// Frames sent (each one message there and one back).
    pub frames: u64,
    /// From the first spawn until every worker was reaped.
    pub elapsed: Duration,
}

/// Starts a feeding stage that sends `Event::Ready` to the pool.
pub type Feeder = Box<dyn FnOnce(Sender<Event>) -> thread::JoinHandle<()> + Send>;

/// Where the pool's tasks come from.
pub enum Feed {
    /// All tasks `0..tasks` are ready at once (`ProcessPoolExecutor.map`).
    All,
    /// Tasks become ready as `Event::Ready` arrives on the pool's channel
    /// (the sender passed to `start` is given to the feeding stage).
    Events(Feeder),
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Feed::All => "Feed::All",
            Feed::Events(_) => "Feed::Events",
        })
    }
}

/// Runs `tasks` tasks of `spec` on `workers` worker processes started by
/// `spawner`. Each worker does the whole task (wait, read, compute) unless
/// the feed is `Events`, when the feeding stage has already waited.
pub fn run(
    spawner: &Spawner,
    workers: usize,
    tasks: u64,
    spec: &TaskSpec,
    input: &[u8],
    feed: Feed,
    tick: &(dyn Fn(u64) + Sync),
) -> Result<PoolRun> {
    let chunk = chunk_size(tasks, workers);
    run_chunked(spawner, workers, tasks, chunk, spec, input, feed, tick)
}

/// [`run`] with frames of at most `chunk` tasks.
#[allow(clippy::too_many_arguments)]
pub fn run_chunked(
    spawner: &Spawner,
    workers: usize,
    tasks: u64,
    chunk: usize,
    spec: &TaskSpec,
    input: &[u8],
    feed: Feed,
    tick: &(dyn Fn(u64) + Sync),
) -> Result<PoolRun> {
    let started = Instant::now();
    let (tx, events) = mpsc::channel();
    let worker_spec = match feed {
        Feed::All => *spec,
        Feed::Events(_) => TaskSpec {
            io: Duration::ZERO,
            ..*spec
        },
    };
    let input: Arc<[u8]> = Arc::from(input);
    let mut pool = start(spawner, workers.max(1), &worker_spec, &input, &tx)?;
    let mut ready: VecDeque<u64> = VecDeque::new();
    let feeder = match feed {
        Feed::All => {
            ready.extend(0..tasks);
            None
        }
        Feed::Events(start_feeder) => Some(start_feeder(tx.clone())),
    };
    drop(tx);
    let result = dispatch(&mut pool, &events, &mut ready, tasks, chunk.max(1), tick);
    let (outcome, tasks_per_worker, frames) = match result {
        Ok(done) => done,
        Err(e) => {
            // Kill the workers first (their guards), and let the feeder see
            // that nobody listens any more, so it stops early.
            drop(pool);
            drop(events);
            if let Some(feeder) = feeder {
                let _ = feeder.join();
            }
            return Err(e);
        }
    };
    if let Some(feeder) = feeder {
        let _ = feeder.join();
    }
    let pids = pool.iter().map(|w| w.guard.id()).collect();
    shut_down(&mut pool, &events)?;
    Ok(PoolRun {
        outcome,
        pids,
        tasks_per_worker,
        frames,
        elapsed: started.elapsed(),
    })
}

/// Starts `n` workers, a writer thread for each one's stdin (so a worker
/// that is slow to read never holds up the others) and a reader thread for
/// each one's stdout.
fn start(
    spawner: &Spawner,
    n: usize,
    spec: &TaskSpec,
    input: &Arc<[u8]>,
    tx: &Sender<Event>,
) -> Result<Vec<Worker>> {
    let mut pool = Vec::with_capacity(n);
    for w in 0..n {
        let mut cmd = spawner.command(
            WORKER_ROLE,
            [
                "--numbers".to_owned(),
                spec.numbers.to_string(),
                "--io-us".to_owned(),
                spec.io.as_micros().to_string(),
            ],
        );
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut guard = ChildGuard::spawn(&mut cmd).with_context(|| {
            format!(
                "starting worker process {w} ({})",
                spawner.program().display()
            )
        })?;
        let stdin = guard.child_mut().stdin.take().context("worker stdin")?;
        let stdout = guard.child_mut().stdout.take().context("worker stdout")?;
        let tx = tx.clone();
        thread::spawn(move || read_answers(w, stdout, &tx));
        let (frames, to_write) = mpsc::channel::<Vec<u64>>();
        let input = Arc::clone(input);
        let writer = thread::spawn(move || {
            let mut stdin = BufWriter::with_capacity(64 * 1024, stdin);
            for batch in to_write {
                if send_frame(&mut stdin, &batch, &input).is_err() {
                    break; // the worker is gone; its reader reports it
                }
            }
            // Dropping stdin closes the pipe: the worker's signal to finish.
        });
        pool.push(Worker {
            guard,
            frames: Some(frames),
            writer: Some(writer),
            holding: 0,
        });
    }
    Ok(pool)
}

/// Turns a worker's stdout lines into events, until it closes.
fn read_answers(worker: usize, stdout: impl Read, tx: &Sender<Event>) {
    let mut clean = false;
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let event = match parse_answer(&line) {
            Some(Answer::Done(tasks, outcome)) => Event::Done {
                worker,
                tasks,
                outcome,
            },
            Some(Answer::Bye) => {
                clean = true;
                continue;
            }
            None => Event::Garbled { worker, line },
        };
        if tx.send(event).is_err() {
            return;
        }
    }
    let _ = tx.send(Event::Closed { worker, clean });
}

/// A line a worker says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// `done TASKS PRIMES BYTES`: a frame finished.
    Done(u64, Outcome),
    /// `bye`: no more frames; the worker exits.
    Bye,
}

/// Parses one line of a worker's answers.
pub fn parse_answer(line: &str) -> Option<Answer> {
    let mut words = line.split_whitespace();
    match words.next()? {
        "done" => {
            let mut num = || words.next()?.parse::<u64>().ok();
            let (tasks, primes, bytes) = (num()?, num()?, num()?);
            Some(Answer::Done(tasks, Outcome { primes, bytes }))
        }
        "bye" => Some(Answer::Bye),
        _ => None,
    }
}

// ANCHOR: dispatch
/// Sends ready tasks, up to `chunk` per frame, to the least busy worker and
/// collects answers until all `tasks` are done.
fn dispatch(
    pool: &mut [Worker],
    events: &Receiver<Event>,
    ready: &mut VecDeque<u64>,
    tasks: u64,
    chunk: usize,
    tick: &(dyn Fn(u64) + Sync),
) -> Result<(Outcome, Vec<u64>, u64)> {
    let mut total = Outcome::default();
    let mut per_worker = vec![0u64; pool.len()];
    let (mut done, mut frames) = (0u64, 0u64);
    while done < tasks {
        // Fill every worker up to PREFETCH frames, least busy first.
        while !ready.is_empty() {
            let Some((w, worker)) = pool
                .iter_mut()
                .enumerate()
                .filter(|(_, w)| w.holding < PREFETCH)
                .min_by_key(|(_, w)| w.holding)
            else {
                break;
            };
            let n = chunk.min(ready.len());
            let batch: Vec<u64> = ready.drain(..n).collect();
            let to_writer = worker.frames.as_ref().expect("open until shutdown");
            if to_writer.send(batch).is_err() {
                // Its writer stopped: the pipe broke, the worker is gone.
                return Err(died(worker, w, tasks - done));
            }
            worker.holding += 1;
            frames += 1;
        }
        match events.recv_timeout(STALL) {
            Ok(Event::Ready(task)) => ready.push_back(task),
            Ok(Event::Done {
                worker,
                tasks: n,
                outcome,
            }) => {
                pool[worker].holding -= 1;
                per_worker[worker] += n;
                total += outcome;
                done += n;
                tick(n);
            }
            Ok(Event::Closed { worker, .. }) => {
                return Err(died(&mut pool[worker], worker, tasks - done));
            }
            Ok(Event::Garbled { worker, line }) => {
                bail!("worker {worker} answered something unexpected: {line:?}")
            }
            Err(RecvTimeoutError::Timeout) => {
                bail!(
                    "no worker answered for {STALL:?}; {} task(s) unfinished",
                    tasks - done
                )
            }
            Err(RecvTimeoutError::Disconnected) => {
                bail!(
                    "every worker and feeder is gone; {} task(s) unfinished",
                    tasks - done
                )
            }
        }
    }
    Ok((total, per_worker, frames))
}
// ANCHOR_END: dispatch

/// The error for a worker that is gone: its pid and how it ended.
fn died(worker: &mut Worker, index: usize, unfinished: u64) -> anyhow::Error {
    let how = match worker.guard.wait_timeout(Duration::from_secs(5)) {
        Ok(Some(status)) => describe(status),
        _ => "closed its pipes".to_owned(),
    };
    anyhow!(
        "worker {index} (pid {}) died ({how}) with {unfinished} task(s) unfinished",
        worker.guard.id()
    )
}

/// One frame: task count (4 bytes), input length per task (4 bytes), the
/// task numbers (8 bytes each), then each task's input.
pub fn send_frame(stdin: &mut impl Write, tasks: &[u64], input: &[u8]) -> io::Result<()> {
    let count = u32::try_from(tasks.len()).map_err(io::Error::other)?;
    let len = u32::try_from(input.len()).map_err(io::Error::other)?;
    stdin.write_all(&count.to_le_bytes())?;
    stdin.write_all(&len.to_le_bytes())?;
    for task in tasks {
        stdin.write_all(&task.to_le_bytes())?;
    }
    for _ in tasks {
        stdin.write_all(input)?;
    }
    stdin.flush()
}

/// Closes every worker's stdin (its signal to say `bye` and exit), then
/// waits for them all; a worker that does not exit in time is killed.
fn shut_down(pool: &mut [Worker], events: &Receiver<Event>) -> Result<()> {
    for w in pool.iter_mut() {
        drop(w.frames.take()); // the writer sends what is queued, then closes stdin
    }
    for w in pool.iter_mut() {
        if let Some(writer) = w.writer.take() {
            let _ = writer.join();
        }
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut closed = 0;
    while closed < pool.len() {
        match events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Event::Closed {
                worker,
                clean: false,
            }) => {
                bail!("worker {worker} did not say bye before exiting")
            }
            Ok(Event::Closed { .. }) => closed += 1,
            Ok(_) => {}
            Err(_) => bail!("the workers did not exit within 10 s of their stdin closing"),
        }
    }
    for (i, w) in pool.iter_mut().enumerate() {
        let status = w
            .guard
            .wait_timeout(Duration::from_secs(10))?
            .ok_or_else(|| anyhow!("worker {i} did not exit"))?;
        if !status.success() {
            bail!("worker {i} ended with {}", describe(status));
        }
    }
    Ok(())
}

// ANCHOR: worker
/// The `worker` role: reads task frames from stdin until it closes, runs each
/// task and answers on stdout. Returns the process's exit code.
pub fn worker_main(spec: &TaskSpec) -> i32 {
    course_support::child::exit_when_orphaned();
    match serve(spec, io::stdin().lock(), io::stdout().lock()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("lab worker {}: {e}", std::process::id());
            1
        }
    }
}

fn serve(spec: &TaskSpec, mut input: impl Read, mut out: impl Write) -> io::Result<()> {
    let mut frame = Frame::default();
    while frame.read(&mut input)? {
        let total = frame.run(spec);
        out.write_all(answer(frame.tasks(), total).as_bytes())?;
        out.flush()?;
    }
    writeln!(out, "bye")?;
    out.flush()
}

/// A frame as a worker decodes it: the task numbers and every task's input,
/// in buffers the worker owns (reused from frame to frame).
#[derive(Debug, Default)]
pub struct Frame {
    ids: Vec<u8>,
    data: Vec<u8>,
    len: usize,
}

impl Frame {
    /// Reads the next frame from `input` into this worker's own buffers;
    /// `false` when the input ends cleanly before a frame.
    pub fn read(&mut self, mut input: impl Read) -> io::Result<bool> {
        let mut header = [0u8; 8];
        match input.read_exact(&mut header) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(e),
        }
        let count = u32::from_le_bytes(header[..4].try_into().expect("4 bytes")) as usize;
        self.len = u32::from_le_bytes(header[4..].try_into().expect("4 bytes")) as usize;
        self.ids.resize(count * 8, 0);
        input.read_exact(&mut self.ids)?;
        self.data.resize(count * self.len, 0);
        input.read_exact(&mut self.data)?;
        Ok(true)
    }

    /// Tasks in the frame.
    pub fn tasks(&self) -> u64 {
        (self.ids.len() / 8) as u64
    }

    /// Task `k`'s input, as the worker received it.
    pub fn input(&self, k: usize) -> &[u8] {
        &self.data[k * self.len..(k + 1) * self.len]
    }

    /// Runs every task of the frame: wait (if the spec waits), read, compute.
    pub fn run(&self, spec: &TaskSpec) -> Outcome {
        let mut total = Outcome::default();
        for (k, id) in self.ids.chunks_exact(8).enumerate() {
            let task = u64::from_le_bytes(id.try_into().expect("8 bytes"));
            if !spec.io.is_zero() {
                thread::sleep(spec.io);
            }
            total += Outcome {
                primes: spec.compute(task),
                bytes: read_input(self.input(k)),
            };
        }
        total
    }
}

/// A worker's answer to one frame, as one line.
pub fn answer(tasks: u64, outcome: Outcome) -> String {
    format!("done {tasks} {} {}\n", outcome.primes, outcome.bytes)
}
// ANCHOR_END: worker

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_answers_each_frame_then_says_bye() {
        let spec = TaskSpec {
            numbers: 100,
            io: Duration::ZERO,
            data_bytes: 3,
        };
        let mut frames = Vec::new();
        send_frame(&mut frames, &[7, 9], &[1, 2, 3]).unwrap();
        send_frame(&mut frames, &[8], &[1, 2, 3]).unwrap();
        let mut out = Vec::new();
        serve(&spec, &frames[..], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                format!("done 2 {} 6", spec.compute(7) + spec.compute(9)),
                format!("done 1 {} 3", spec.compute(8)),
                "bye".to_owned()
            ]
        );
    }

    #[test]
    fn chunks_give_each_worker_about_eight_frames() {
        assert_eq!(chunk_size(5_000, 2), 312);
        assert_eq!(chunk_size(10, 4), 1);
        assert_eq!(chunk_size(100_000_000, 1), 1_024);
    }

    #[test]
    fn answers_parse() {
        assert!(matches!(
            parse_answer("done 3 10 20"),
            Some(Answer::Done(
                3,
                Outcome {
                    primes: 10,
                    bytes: 20
                }
            ))
        ));
        assert!(matches!(parse_answer("bye"), Some(Answer::Bye)));
        assert!(parse_answer("done 3 x 20").is_none());
        assert!(parse_answer("hello").is_none());
    }
}

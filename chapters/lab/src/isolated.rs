//! Isolated workers: Python 3.14's `InterpreterPoolExecutor` in Rust.
//!
//! Each worker is a thread of this process that shares nothing with the
//! others or with the caller. Its only links are two channels of **bytes**:
//! every task arrives as an owned, encoded copy of its number and its input
//! (the process pool's frame, [`pool::send_frame`]), the worker decodes it
//! into buffers of its own ([`pool::Frame`]), computes, and sends back an
//! encoded answer (the process pool's `done` line). That is what each
//! subinterpreter of an `InterpreterPoolExecutor` gets: its own interpreter
//! and its own GIL, arguments and results pickled across, nothing shared.
//!
//! Next to free threads, which read the caller's input in place, the
//! difference is the copies; next to worker processes, it is everything a
//! process adds: starting it, and a pipe (system calls) for every message.
//! The run times its copies (encoding and decoding, on every thread), so a
//! bench can show what they cost.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};

use crate::pool::{self, Answer, Frame, PREFETCH, STALL};
use crate::task::{Outcome, TaskSpec};

/// What an isolated run produced, and what its copies cost.
#[derive(Debug, Clone, Default)]
pub struct IsolatedRun {
    pub outcome: Outcome,
    /// Tasks each worker did, in worker order.
    pub tasks_per_worker: Vec<u64>,
    /// Time spent encoding and decoding messages (inputs there, answers
    /// back), summed over the caller and every worker: CPU time the copies
    /// took, measured in this run.
    pub copy_time: Duration,
    /// Bytes that crossed, both ways.
    pub copied_bytes: u64,
    /// Where each worker's decoded input buffer lives (an address), to show
    /// that a worker reads its own copy, never the caller's allocation.
    pub worker_buffers: Vec<usize>,
}

impl IsolatedRun {
    /// Microseconds of copying per task.
    pub fn copy_us_per_task(&self) -> f64 {
        let tasks: u64 = self.tasks_per_worker.iter().sum();
        self.copy_time.as_secs_f64() * 1e6 / tasks.max(1) as f64
    }
}

/// What a worker reports when its inbox closes.
#[derive(Debug, Default)]
struct WorkerReport {
    copy_time: Duration,
    buffer: usize,
}

// ANCHOR: worker
/// One isolated worker: it owns its buffers and its state, and sees the
/// world only as bytes in and bytes out.
fn worker(
    index: usize,
    spec: TaskSpec,
    inbox: Receiver<Vec<u8>>,
    outbox: Sender<(usize, Vec<u8>)>,
) -> WorkerReport {
    let mut frame = Frame::default(); // this worker's own memory
    let mut report = WorkerReport::default();
    for message in inbox {
        let started = Instant::now();
        if frame.read(&message[..]).is_err() {
            break; // a garbled message: stop, the caller notices
        }
        drop(message);
        report.copy_time += started.elapsed();
        if frame.tasks() > 0 && report.buffer == 0 {
            report.buffer = frame.input(0).as_ptr() as usize;
        }
        let outcome = frame.run(&spec);
        let started = Instant::now();
        let reply = pool::answer(frame.tasks(), outcome).into_bytes();
        report.copy_time += started.elapsed();
        if outbox.send((index, reply)).is_err() {
            break; // the caller gave up
        }
    }
    report
}
// ANCHOR_END: worker

struct Slot {
    inbox: Option<Sender<Vec<u8>>>,
    thread: Option<thread::JoinHandle<WorkerReport>>,
    holding: usize,
}

// ANCHOR: run
/// Runs `tasks` tasks of `spec` on `workers` isolated workers. Each task is
/// its own message, encoded here and decoded there: an
/// `InterpreterPoolExecutor` is a `ThreadPoolExecutor`, whose `map` ignores
/// `chunksize`, so every call is pickled on its own.
pub fn run(
    workers: usize,
    tasks: u64,
    spec: &TaskSpec,
    input: &[u8],
    tick: &(dyn Fn(u64) + Sync),
) -> Result<IsolatedRun> {
    let (outbox, answers) = mpsc::channel();
    let mut slots: Vec<Slot> = (0..workers.max(1))
        .map(|w| {
            let (inbox, messages) = mpsc::channel::<Vec<u8>>();
            let (spec, outbox) = (*spec, outbox.clone());
            let thread = thread::Builder::new()
                .name(format!("isolated-{w}"))
                .spawn(move || worker(w, spec, messages, outbox));
            thread.map(|t| Slot {
                inbox: Some(inbox),
                thread: Some(t),
                holding: 0,
            })
        })
        .collect::<Result<_, _>>()?;
    drop(outbox);
    let mut run = IsolatedRun {
        tasks_per_worker: vec![0; slots.len()],
        ..IsolatedRun::default()
    };
    let result = dispatch(&mut slots, &answers, tasks, input, tick, &mut run);
    for slot in &mut slots {
        drop(slot.inbox.take()); // the worker's signal to finish
    }
    for slot in &mut slots {
        let report = slot.thread.take().map(thread::JoinHandle::join);
        match report {
            Some(Ok(report)) => {
                run.copy_time += report.copy_time;
                run.worker_buffers.push(report.buffer);
            }
            Some(Err(_)) if result.is_ok() => bail!("an isolated worker panicked"),
            _ => {}
        }
    }
    result.map(|()| run)
}
// ANCHOR_END: run

/// Sends each task, encoded, to the least busy worker (at most
/// [`PREFETCH`] messages each) and decodes answers until all are done.
fn dispatch(
    slots: &mut [Slot],
    answers: &Receiver<(usize, Vec<u8>)>,
    tasks: u64,
    input: &[u8],
    tick: &(dyn Fn(u64) + Sync),
    run: &mut IsolatedRun,
) -> Result<()> {
    let (mut next, mut done) = (0u64, 0u64);
    while done < tasks {
        while next < tasks {
            let Some(slot) = slots
                .iter_mut()
                .filter(|s| s.holding < PREFETCH)
                .min_by_key(|s| s.holding)
            else {
                break;
            };
            // ANCHOR: copy
            let started = Instant::now();
            let mut message = Vec::with_capacity(16 + input.len());
            pool::send_frame(&mut message, &[next], input)?; // the copy
            run.copy_time += started.elapsed();
            // ANCHOR_END: copy
            run.copied_bytes += message.len() as u64;
            let inbox = slot.inbox.as_ref().expect("open until the end");
            if inbox.send(message).is_err() {
                bail!(
                    "an isolated worker stopped with {} task(s) unfinished",
                    tasks - done
                );
            }
            slot.holding += 1;
            next += 1;
        }
        let (worker, reply) = match answers.recv_timeout(STALL) {
            Ok(answer) => answer,
            Err(RecvTimeoutError::Timeout) => {
                bail!("no isolated worker answered for {STALL:?}")
            }
            Err(RecvTimeoutError::Disconnected) => {
                bail!(
                    "every isolated worker is gone; {} task(s) unfinished",
                    tasks - done
                )
            }
        };
        run.copied_bytes += reply.len() as u64;
        let started = Instant::now();
        let text = String::from_utf8_lossy(&reply);
        let answer = pool::parse_answer(text.trim_end());
        run.copy_time += started.elapsed();
        let Some(Answer::Done(n, outcome)) = answer else {
            return Err(anyhow!("isolated worker {worker} answered {text:?}"));
        };
        slots[worker].holding -= 1;
        run.tasks_per_worker[worker] += n;
        run.outcome += outcome;
        done += n;
        tick(n);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_worker_does_everything_and_copies_each_input() {
        let spec = TaskSpec {
            numbers: 100,
            io: Duration::ZERO,
            data_bytes: 10,
        };
        let input = crate::task::input(10);
        let run = run(1, 5, &spec, &input, &|_| {}).unwrap();
        let primes: u64 = (0..5).map(|i| spec.compute(i)).sum();
        assert_eq!(run.outcome, Outcome { primes, bytes: 50 });
        assert_eq!(run.tasks_per_worker, [5]);
        // Each message: 8 header bytes, 8 for the task number, the input.
        assert!(run.copied_bytes >= 5 * (16 + 10), "{}", run.copied_bytes);
        assert!(run.copy_time > Duration::ZERO);
    }
}

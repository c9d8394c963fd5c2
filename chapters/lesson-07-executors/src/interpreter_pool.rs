//! `InterpreterPoolExecutor` (Python 3.14): a pool of workers in this one
//! process that share nothing, each fed copies over channels.
//!
//! In Python each worker thread runs its own interpreter, with its own
//! modules, globals and GIL; a task's function and arguments are pickled
//! into it and the result pickled back out. Here each worker is an
//! *interpreter thread* whose only links to the rest of the program are
//! two channels of bytes: it receives a task as an encoded
//! [`Request`](crate::worker::Request) (the same JSON lines the process
//! pool writes to a pipe), looks the task up by name, runs it and sends an
//! encoded [`Response`](crate::worker::Response) back. Its "globals" are
//! thread-locals no other worker sees ([`crate::remote::Tally`]).
//!
//! A *dispatcher* thread per worker, on the caller's side, does what the
//! process pool's supervisor does: take the next task from the shared
//! queue, encode it, send it, wait for the answer, decode it and settle the
//! task's handle. So the pool has the same handles, `map` and
//! `as_completed` as the other two; what differs is what a task costs (a
//! copy there and back, no pipe, no process) and what it can't do (share
//! memory; survive a crash of the process, which takes every interpreter
//! with it).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::{self, JoinHandle};

use anyhow::{Context, Result};
use crossbeam::channel::{self, Receiver, Sender};

use crate::future::{Handle, Results, TaskError};
use crate::process_pool::{RemoteJob, Submitter};
use crate::remote::Remote;
use crate::thread_pool::WORKER_PREFIX;
use crate::worker::{self, Request, Response};

// ANCHOR: interpreter
/// One interpreter: it owns nothing but its channels, and everything it
/// gets is bytes it decodes into values of its own.
fn interpreter(requests: Receiver<Vec<u8>>, responses: Sender<Vec<u8>>) {
    for bytes in requests {
        let reply = match serde_json::from_slice::<Request>(&bytes) {
            Ok(request) => Response {
                id: request.id,
                reply: worker::run(&request.task, request.args),
            },
            Err(e) => Response {
                id: u64::MAX,
                reply: crate::remote::Reply::Refused(format!("unreadable request: {e}")),
            },
        };
        let Ok(encoded) = serde_json::to_vec(&reply) else {
            break;
        };
        if responses.send(encoded).is_err() {
            break; // the pool is gone
        }
    }
}
// ANCHOR_END: interpreter

/// Bytes that crossed into and out of the interpreters.
#[derive(Debug, Default)]
struct Traffic {
    sent: AtomicU64,
    received: AtomicU64,
}

// ANCHOR: pool
/// A fixed pool of share-nothing workers: Python's `InterpreterPoolExecutor`.
#[derive(Debug)]
pub struct InterpreterPool {
    submitter: Submitter,
    queue: Receiver<RemoteJob>,
    dispatchers: Vec<JoinHandle<()>>,
    traffic: Arc<Traffic>,
    max_workers: usize,
}
// ANCHOR_END: pool

impl InterpreterPool {
    /// Starts `max_workers` interpreters (at least 1), each with its
    /// dispatcher.
    pub fn new(max_workers: usize) -> Result<Self> {
        let max_workers = max_workers.max(1);
        let (jobs, queue) = channel::unbounded::<RemoteJob>();
        let traffic = Arc::new(Traffic::default());
        let dispatchers = (0..max_workers)
            .map(|i| {
                let (to_interp, requests) = channel::bounded::<Vec<u8>>(1);
                let (responses, from_interp) = channel::bounded::<Vec<u8>>(1);
                let interp = thread::Builder::new()
                    .name(format!("{WORKER_PREFIX}interpreter-{i}"))
                    .spawn(move || interpreter(requests, responses))
                    .context("starting an interpreter thread")?;
                let (queue, traffic) = (queue.clone(), Arc::clone(&traffic));
                thread::Builder::new()
                    .name(format!("dispatcher-{i}"))
                    .spawn(move || dispatch(&queue, to_interp, &from_interp, &traffic, interp))
                    .context("starting a dispatcher thread")
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(InterpreterPool {
            submitter: Submitter::new(jobs),
            queue,
            dispatchers,
            traffic,
            max_workers,
        })
    }

    /// How many interpreters it has.
    pub fn max_workers(&self) -> usize {
        self.max_workers
    }

    /// Bytes sent into the interpreters so far (every task's encoded
    /// arguments), and bytes received back (every encoded reply).
    pub fn bytes_copied(&self) -> (u64, u64) {
        (
            self.traffic.sent.load(Ordering::Relaxed),
            self.traffic.received.load(Ordering::Relaxed),
        )
    }

    /// Python's `submit(fn, *args)`: task `F` by name, its arguments
    /// encoded (Python pickles them); the same handle as the other pools.
    pub fn submit<F: Remote>(&self, args: F::Args) -> Handle<F::Out, F::Err> {
        self.submitter.submit::<F>(args)
    }

    /// Python's `map(fn, items)`: outcomes in input order.
    pub fn map<F: Remote>(
        &self,
        items: impl IntoIterator<Item = F::Args>,
    ) -> Results<F::Out, F::Err> {
        self.submitter.map::<F>(items)
    }

    /// Python's `shutdown(wait)`, as on the thread pool: `wait = true` runs
    /// every queued task and joins every thread; `wait = false` cancels the
    /// queued tasks and returns at once. A running task can't be stopped
    /// (an interpreter is a thread: nothing kills it from outside); it
    /// finishes, and its threads then exit. Returns how many were cancelled.
    pub fn shutdown(mut self, wait: bool) -> usize {
        self.close(wait)
    }

    fn close(&mut self, wait: bool) -> usize {
        self.submitter.close();
        let mut cancelled = 0;
        if wait {
            for d in self.dispatchers.drain(..) {
                let _ = d.join();
            }
        } else {
            while let Ok(job) = self.queue.try_recv() {
                cancelled += usize::from(job.deliver.cancel());
            }
            self.dispatchers.clear(); // detached: they end after their task
        }
        cancelled
    }
}

impl Drop for InterpreterPool {
    fn drop(&mut self) {
        self.close(true);
    }
}

// ANCHOR: dispatch
/// The caller's side of one interpreter: the next task from the queue,
/// encoded, sent; the answer received, decoded, delivered.
fn dispatch(
    queue: &Receiver<RemoteJob>,
    to_interp: Sender<Vec<u8>>,
    from_interp: &Receiver<Vec<u8>>,
    traffic: &Traffic,
    interp: JoinHandle<()>,
) {
    for job in queue.iter() {
        if !job.deliver.start() {
            continue; // cancelled while queued
        }
        let request = Request {
            id: job.id.0,
            task: job.task.to_owned(),
            args: job.args,
        };
        let answer = serde_json::to_vec(&request)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                traffic
                    .sent
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                to_interp
                    .send(bytes)
                    .map_err(|_| "the interpreter is gone".into())
            })
            .and_then(|()| {
                from_interp
                    .recv()
                    .map_err(|_| "the interpreter is gone".to_owned())
            });
        let outcome = answer.and_then(|bytes| {
            traffic
                .received
                .fetch_add(bytes.len() as u64, Ordering::Relaxed);
            serde_json::from_slice::<Response>(&bytes).map_err(|e| e.to_string())
        });
        match outcome {
            Ok(response) => job.deliver.finish(Ok(response.reply)),
            Err(why) => job.deliver.finish(Err(TaskError::Broken(why))),
        }
    }
    drop(to_interp); // the interpreter's signal to finish
    let _ = interp.join();
}
// ANCHOR_END: dispatch

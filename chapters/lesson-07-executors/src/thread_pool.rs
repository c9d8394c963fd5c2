//! `ThreadPoolExecutor` on std threads: a fixed set of worker threads that
//! take boxed closures from one queue.
//!
//! Python's executor does the same with a `queue.SimpleQueue` of work items
//! and up to `max_workers` threads. Two things differ in Rust. A panic is
//! not an exception that the worker's `try` catches by default: we catch it
//! with `catch_unwind`, so the worker thread lives on and the panic becomes
//! the task's `TaskError::Panicked`. And `shutdown` takes the pool by value,
//! so "cannot schedule new futures after shutdown" is a compile error, not a
//! `RuntimeError`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::{self, JoinHandle};

use crossbeam::channel::{self, Receiver, Sender};

use crate::future::{
    Handle, Outcome, Promise, Results, TaskError, TaskId, in_order, pair, panic_message,
};

/// Worker threads are named `pool-worker-N`.
pub const WORKER_PREFIX: &str = "pool-worker-";

// ANCHOR: job
/// A task as the queue holds it, its types erased.
trait Queued: Send {
    /// Run it (unless its handle cancelled it) and settle its future.
    fn run(self: Box<Self>);
    /// Drop it unrun: its future becomes `Cancelled`. `false` if it was
    /// cancelled already.
    fn cancel(self: Box<Self>) -> bool;
}

struct Task<F, T, E> {
    f: F,
    promise: Promise<T, E>,
}

impl<F, T, E> Queued for Task<F, T, E>
where
    F: FnOnce() -> Result<T, E> + Send,
    T: Send,
    E: Send,
{
    fn run(self: Box<Self>) {
        let Task { f, promise } = *self;
        if !promise.start() {
            return; // cancelled while it waited in the queue: never runs
        }
        // A panic unwinds to here, not out of the worker thread.
        let outcome: Outcome<T, E> = match catch_unwind(AssertUnwindSafe(f)) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(TaskError::Failed(e)),
            Err(payload) => Err(TaskError::Panicked(panic_message(&*payload))),
        };
        promise.finish(outcome);
    }

    fn cancel(self: Box<Self>) -> bool {
        self.promise.cancel()
    }
}

type Job = Box<dyn Queued>;
// ANCHOR_END: job

// ANCHOR: pool
/// A fixed pool of worker threads: Python's `ThreadPoolExecutor`.
#[derive(Debug)]
pub struct ThreadPool {
    /// `None` once shut down: closing the queue is what tells workers to stop.
    jobs: Option<Sender<Job>>,
    /// The pool's own end of the queue, to empty it in `shutdown(false)`.
    queue: Receiver<Job>,
    workers: Vec<JoinHandle<()>>,
    next_id: AtomicU64,
    max_workers: usize,
}

impl ThreadPool {
    /// Starts `max_workers` threads (at least 1) that wait for work.
    pub fn new(max_workers: usize) -> Self {
        let max_workers = max_workers.max(1);
        let (jobs, queue) = channel::unbounded::<Job>();
        let workers = (0..max_workers)
            .map(|i| {
                let queue = queue.clone();
                thread::Builder::new()
                    .name(format!("{WORKER_PREFIX}{i}"))
                    .spawn(move || {
                        // Ends when the queue is closed *and* empty.
                        for job in queue.iter() {
                            job.run();
                        }
                    })
                    .expect("the OS refused to start a worker thread")
            })
            .collect();
        ThreadPool {
            jobs: Some(jobs),
            queue,
            workers,
            next_id: AtomicU64::new(0),
            max_workers,
        }
    }
    // ANCHOR_END: pool

    /// How many worker threads it has.
    pub fn max_workers(&self) -> usize {
        self.max_workers
    }

    /// Tasks waiting in the queue, not yet taken by a worker.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    // ANCHOR: submit
    /// Python's `submit(fn)`: queues `f` and returns its future at once.
    /// `f` returns `Result`: `Err(e)` is Python's raised exception and comes
    /// back as `TaskError::Failed(e)`; a panic comes back as
    /// `TaskError::Panicked`, and the worker goes on to the next task.
    pub fn submit<T, E, F>(&self, f: F) -> Handle<T, E>
    where
        F: FnOnce() -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        let id = TaskId(self.next_id.fetch_add(1, Ordering::Relaxed));
        let (handle, promise) = pair(id);
        let job: Job = Box::new(Task { f, promise });
        // Only `shutdown` takes the sender, and it consumes the pool.
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(job); // a receiver lives in `self.queue`
        }
        handle
    }
    // ANCHOR_END: submit

    /// `submit` for a task that cannot fail: its error type is
    /// [`Never`](std::convert::Infallible).
    pub fn spawn<T, F>(&self, f: F) -> Handle<T, std::convert::Infallible>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.submit(move || Ok(f()))
    }

    // ANCHOR: map
    /// Python's `map(fn, items)`: submits every item at once, then yields
    /// the outcomes in the order of `items`, whatever order they finish in.
    /// Each outcome is its own `Result`, so one failure doesn't hide the
    /// rest (in Python, the first exception ends the iteration).
    pub fn map<I, T, E, F>(&self, f: F, items: impl IntoIterator<Item = I>) -> Results<T, E>
    where
        F: Fn(I) -> Result<T, E> + Send + Sync + 'static,
        I: Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        let f = Arc::new(f);
        let handles: Vec<Handle<T, E>> = items
            .into_iter()
            .map(|item| {
                let f = Arc::clone(&f);
                self.submit(move || f(item))
            })
            .collect();
        in_order(handles)
    }
    // ANCHOR_END: map

    // ANCHOR: shutdown
    /// Python's `shutdown(wait)`. Either way the queue closes and no task
    /// can be submitted again (the pool is gone: the compiler sees to that).
    ///
    /// - `wait = true`: every queued task still runs; returns when all are
    ///   done and every worker thread has been joined.
    /// - `wait = false`: tasks still in the queue are cancelled (Python's
    ///   `cancel_futures=True`) and it returns at once. Tasks already
    ///   running cannot be stopped: Rust, like Python, has no way to kill a
    ///   thread from outside (it would leave locks held and memory half
    ///   written). Their threads are detached, finish the task they are on,
    ///   and exit; if `main` returns first, the process ends and takes them
    ///   with it, mid-task.
    ///
    /// Returns how many queued tasks were cancelled.
    pub fn shutdown(mut self, wait: bool) -> usize {
        self.close(wait)
    }

    fn close(&mut self, wait: bool) -> usize {
        drop(self.jobs.take()); // workers stop when the queue is empty
        let mut cancelled = 0;
        if wait {
            for worker in self.workers.drain(..) {
                let _ = worker.join(); // tasks' panics were caught: never Err
            }
        } else {
            while let Ok(job) = self.queue.try_recv() {
                cancelled += usize::from(job.cancel());
            }
            self.workers.clear(); // dropping a JoinHandle detaches the thread
        }
        cancelled
    }
    // ANCHOR_END: shutdown
}

// ANCHOR: drop
/// Python's `with ThreadPoolExecutor() as pool:` block: leaving it calls
/// `shutdown(wait=True)`. In Rust the end of the pool's scope does.
impl Drop for ThreadPool {
    fn drop(&mut self) {
        self.close(true);
    }
}
// ANCHOR_END: drop

// ANCHOR: quiet
/// Stops the default panic hook from printing panics of pool worker
/// threads: the pool catches them and hands them to the caller as
/// `TaskError::Panicked`, like Python keeps an exception in its future.
/// Panics on other threads print as before. Call it once, early in `main`.
pub fn quiet_worker_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let name = thread::current().name().unwrap_or_default().to_owned();
        if !name.starts_with(WORKER_PREFIX) {
            previous(info);
        }
    }));
}
// ANCHOR_END: quiet

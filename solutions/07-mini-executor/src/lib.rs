//! # Exercise: a mini ThreadPoolExecutor (reference solution)
//!
//! One queue of boxed jobs shared by `workers` threads; each job carries
//! the sending end of its own result channel, and the handle holds the
//! receiving end. Closing the queue is the shutdown signal: a worker stops
//! when `recv` fails, which is only once the queue is closed *and* empty.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};

/// A task as the queue holds it.
type Job = Box<dyn FnOnce() + Send>;

/// A fixed pool of worker threads and a queue of tasks.
#[derive(Debug)]
pub struct Executor {
    jobs: Option<Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
}

/// The caller's side of one submitted task: Python's `Future`.
#[derive(Debug)]
pub struct Handle<T> {
    outcome: Receiver<Result<T, String>>,
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}

impl Executor {
    /// Starts `workers` worker threads (`workers` >= 1; you may panic on 0)
    /// that wait for tasks.
    pub fn new(workers: usize) -> Self {
        assert!(workers >= 1, "an executor needs at least one worker");
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let workers = (0..workers)
            .map(|_| {
                let queue = Arc::clone(&queue);
                thread::spawn(move || {
                    loop {
                        // The lock guard is a temporary: released before the job runs.
                        let job = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => break, // closed and empty
                        }
                    }
                })
            })
            .collect();
        Executor {
            jobs: Some(jobs),
            workers,
        }
    }

    /// Queues `f` to run on a worker and returns its handle at once,
    /// without waiting for it to run.
    pub fn submit<T, F>(&self, f: F) -> Handle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (tx, outcome) = mpsc::channel();
        let job: Job = Box::new(move || {
            let result = catch_unwind(AssertUnwindSafe(f)).map_err(|p| panic_message(&*p));
            let _ = tx.send(result); // the handle may have been dropped: fine
        });
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(job);
        }
        Handle { outcome }
    }

    /// Python's `shutdown(wait=True)`: every task already submitted runs,
    /// then the worker threads end and are joined. Returns when that is done.
    pub fn shutdown(mut self) {
        self.close();
    }

    fn close(&mut self) {
        drop(self.jobs.take());
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        self.close();
    }
}

impl<T> Handle<T> {
    /// Waits for the task and returns its value, or `Err` with the panic
    /// message if it panicked.
    pub fn result(self) -> Result<T, String> {
        self.outcome
            .recv()
            .unwrap_or_else(|_| Err("the task was dropped without running".to_owned()))
    }
}

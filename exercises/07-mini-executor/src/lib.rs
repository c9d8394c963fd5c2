//! # Exercise: a mini ThreadPoolExecutor
//!
//! Build the core of Python's `ThreadPoolExecutor` from std threads:
//!
//! ```python
//! with ThreadPoolExecutor(max_workers=4) as executor:
//!     future = executor.submit(pow, 2, 10)
//!     print(future.result())          # 1024
//! # leaving the block is shutdown(wait=True): every queued task runs
//! ```
//!
//! - [`Executor::new`] starts exactly `workers` threads, up front. They
//!   take tasks from one shared queue, so at most `workers` tasks run at a
//!   time, and as many as `workers` really do run at once.
//! - [`Executor::submit`] queues a closure and returns at once with a
//!   [`Handle`]; [`Handle::result`] waits for that task's value.
//! - A task that panics does not take a worker with it: its handle's
//!   `result` is `Err(the panic message)`, and the pool keeps working.
//! - [`Executor::shutdown`] runs every task already queued, then joins the
//!   workers. Dropping the executor does the same (Python's `with` block).
//!
//! Run the tests with `cargo xtask check exercises mini-executor`, ask for
//! a hint with `cargo xtask hint mini-executor`.

use std::marker::PhantomData;

/// A fixed pool of worker threads and a queue of tasks.
#[derive(Debug)]
pub struct Executor {
    // Replace this placeholder with your fields: the sending end of the job
    // queue, the workers' JoinHandles, ...
    _todo: (),
}

/// The caller's side of one submitted task: Python's `Future`.
#[derive(Debug)]
pub struct Handle<T> {
    // Replace this placeholder with your fields (for example, the receiving
    // end of a channel the worker sends the outcome on).
    _todo: PhantomData<T>,
}

impl Executor {
    /// Starts `workers` worker threads (`workers` >= 1; you may panic on 0)
    /// that wait for tasks.
    pub fn new(workers: usize) -> Self {
        todo!("start `workers` threads that take tasks from one shared queue")
    }

    /// Queues `f` to run on a worker and returns its handle at once,
    /// without waiting for it to run.
    ///
    /// ```no_run
    /// let executor = mini_executor::Executor::new(2);
    /// let handle = executor.submit(|| 2_u64.pow(10));
    /// assert_eq!(handle.result(), Ok(1024));
    /// ```
    pub fn submit<T, F>(&self, f: F) -> Handle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        todo!("box a job that runs `f` (catching a panic) and sends its outcome to the handle")
    }

    /// Python's `shutdown(wait=True)`: every task already submitted runs,
    /// then the worker threads end and are joined. Returns when that is done.
    pub fn shutdown(self) {
        todo!("close the queue, then join every worker")
    }
}

impl<T> Handle<T> {
    /// Waits for the task and returns its value, or `Err` with the panic
    /// message if it panicked.
    pub fn result(self) -> Result<T, String> {
        todo!("wait for the outcome the worker sends")
    }
}

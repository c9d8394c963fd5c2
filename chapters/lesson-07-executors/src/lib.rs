//! Lesson 07: executors, Python's `concurrent.futures`, on std threads and
//! on child processes.
//!
//! `submit` returns a future; `result(timeout)` waits for it; `map` keeps
//! the input order; `as_completed` yields in completion order; `cancel`
//! stops work that has not started; `shutdown` drains or drops the queue.
//! Every failure, whether an error, a panic, a timeout or a dead worker
//! process, comes back as a value, so a batch can collect all of them.
//!
//! The modules, one idea each:
//!
//! - [`future`] is the handle and its promise, and `TaskError`;
//! - [`thread_pool`] is `ThreadPoolExecutor`;
//! - [`completion`] has `as_completed` and `wait`;
//! - [`robust`] is the seeds' pattern, every success and every
//!   `(task, error)`;
//! - [`remote`], [`worker`] and [`process_pool`] make
//!   `ProcessPoolExecutor`: tasks by name with serialised arguments, and
//!   workers that crash;
//! - [`interpreter_pool`] is `InterpreterPoolExecutor` (Python 3.14):
//!   share-nothing workers in this process, fed copies over channels, and
//!   [`interpreter_demo`] shows it;
//! - [`measure`] and [`python`] time per-task overhead and CPU speed-up,
//!   and the same in Python;
//! - [`seed`] is the seed article's `ThreadPoolExecutor(max_workers=1)`;
//! - [`roles`] is the hidden `child` subcommand worker processes run.

pub mod completion;
pub mod future;
pub mod interpreter_demo;
pub mod interpreter_pool;
pub mod measure;
pub mod process_pool;
pub mod python;
pub mod remote;
pub mod robust;
pub mod roles;
pub mod seed;
pub mod thread_pool;
pub mod worker;

pub use completion::{AsCompleted, DoneAndNotDone, ReturnWhen, as_completed, wait};
pub use future::{Handle, Outcome, TaskError, TaskId};
pub use interpreter_pool::InterpreterPool;
pub use process_pool::ProcessPool;
pub use thread_pool::ThreadPool;

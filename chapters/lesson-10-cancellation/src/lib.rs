//! Lesson 10: cancellation and structured concurrency, asyncio's and tokio's.
//!
//! - [`probe`]: a task's life seen from outside: started, reached its end,
//!   cleaned up (its `Drop` ran), and how many tasks are still alive.
//! - [`scope`]: `asyncio.TaskGroup` and `JoinSet`: the first error cancels
//!   the rest, every task is joined; `gather(return_exceptions=True)`.
//! - [`deadline`]: `asyncio.timeout` and `tokio::time::timeout`; one
//!   deadline shared by many steps.
//! - [`cancel`]: `task.cancel()` and `abort()`, dropping a future, dropping a
//!   `JoinHandle` (it detaches), dropping a `JoinSet`; `shield` and spawn.
//! - [`select_safety`]: a reader that loses bytes when `select!` drops it
//!   mid-read, and one that cannot.
//! - [`shutdown`]: graceful shutdown of a service whose jobs are child
//!   processes: stop taking work, let the running finish, cancel the rest.
//! - [`mutex`]: a `std::sync::MutexGuard` across `.await` and its three fixes.
//! - [`cpu`]: CPU work in async: inline, `spawn_blocking`, rayon,
//!   `block_in_place`, with a heartbeat that shows who blocks the loop.
//! - [`timer`]: timer resolution: why a 1 ms `tokio::time::sleep` takes 2 ms,
//!   and waits that do not round.

pub mod cancel;
pub mod cpu;
pub mod deadline;
pub mod mutex;
pub mod probe;
pub mod scope;
pub mod select_safety;
pub mod shutdown;
pub mod timer;

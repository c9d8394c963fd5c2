//! Lesson 04: child processes and inter-process communication.
//!
//! Python's `multiprocessing` gives you `Process`, `Queue`,
//! `JoinableQueue` and `Pipe`. This lesson builds each of them from real OS
//! processes: the lesson binary starts *itself* again with a role on its
//! command line (`lesson-04-ipc child producer ...`), and the processes talk
//! through `ipc-channel` channels whose ends travel between them.
//!
//! - [`process`]: start children, pids, exit codes, terminate.
//! - [`bootstrap`]: how a child gets its channel ends.
//! - [`queue`]: many producer processes, one consumer; a producer crashing
//!   mid-stream is reported, never waited for.
//! - [`joinable`]: `task_done` and `join`.
//! - [`pipe`]: a duplex pipe, ping-pong.
//! - [`writer_reader`]: the seed's writer/reader pair and why the reader
//!   must be terminated.
//! - [`fork`]: what `fork()` copies (one thread, every lock) and why Rust
//!   spawns instead.
//! - [`startup`], [`throughput`], [`python`]: what a process costs, measured,
//!   and the same work in Python.
//! - [`roles`]: the hidden `child` subcommand every child runs.
//!
//! Every function that starts children takes a
//! [`Spawner`](course_support::child::Spawner): the binary passes its own
//! executable, tests pass `env!("CARGO_BIN_EXE_lesson-04-ipc")`.

pub mod bootstrap;
pub mod fork;
pub mod joinable;
pub mod pipe;
pub mod process;
pub mod python;
pub mod queue;
pub mod roles;
pub mod startup;
pub mod throughput;
pub mod writer_reader;

//! Lesson 06: shared memory between processes.
//!
//! Python's `multiprocessing.shared_memory.SharedMemory` gives processes a
//! block of bytes they all see; numpy lays an array over it and the children
//! change the parent's array in place, with nothing pickled. This lesson does
//! the same in Rust with the `shared_memory` crate, measures it against
//! copying the array through pipes, builds `Value` and `Array` analogs, and
//! makes sure no segment outlives the program: not after a panic, not after
//! Ctrl-C.
//!
//! - [`segment`]: a named segment and the owner guard that unlinks it.
//! - [`interrupt`]: Ctrl-C unlinks every segment we own, then exits cleanly.
//! - [`named`]: the `SharedMemory(create=True, name=...)` pattern end to end.
//! - [`matrix`]: a `rows x cols` f64 matrix in a segment, with a header.
//! - [`workers`]: worker processes that transform bands: in place in shared
//!   memory, or with the numbers sent through pipes (raw bytes or JSON).
//! - [`transform`]: one in-place transform, checked; a worker that panics.
//! - [`compare`]: every mode timed side by side, memcpy as the floor.
//! - [`counter`]: `Value`: a counter in shared memory, atomic and racy.
//! - [`manager`]: `Manager()`: a server process owning a dict and a list,
//!   proxies in other processes, each call a round trip.
//! - [`plock`]: `multiprocessing.Lock`: a robust process-shared mutex in a
//!   segment, and a holder killed while holding it (Linux).
//! - [`python`]: the Manager and Lock runs in Python, side by side.
//! - [`roles`]: the hidden `child` subcommand every worker runs.
//!
//! Every function that starts children takes a
//! [`Spawner`](course_support::child::Spawner): the binary passes its own
//! executable, tests pass `env!("CARGO_BIN_EXE_lesson-06-shared-memory")`.

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "freebsd")))]
compile_error!("lesson 06 uses POSIX shared memory (shm_open): Linux, macOS or FreeBSD");

pub mod compare;
pub mod counter;
pub mod interrupt;
pub mod manager;
pub mod matrix;
pub mod named;
#[cfg(target_os = "linux")]
pub mod plock;
pub mod python;
pub mod roles;
pub mod segment;
pub mod transform;
pub mod workers;

//! Lesson 11 (6b in the book): a lock-free ring between processes.
//!
//! Lesson 04's channels pay a system call and a wake-up per message; lesson
//! 06 put data in shared memory but synchronised with whole-array steps.
//! This lesson puts a single-producer single-consumer ring in a named
//! segment: the producer writes a slot and moves a counter, the consumer
//! sees the counter and reads the slot, and no system call is needed while
//! both are busy.
//!
//! - [`sync`]: the atomics, from std or from the model checker (`model` feature).
//! - [`ring`]: the ring, its orderings, its wait strategies, crash detection.
//! - [`shm`]: the named segment, unlinked as soon as every child has it.
//! - [`transfer`]: the ring between processes: one producer, a crashing
//!   one, many producers with a ring each.
//! - [`baseline`]: ipc-channel, a pipe, and one cache line's round trip.
//! - `iceoryx` (feature `iceoryx2`): the same through iceoryx2.
//! - [`python`]: Python's Queue, Pipe and a shared-memory ring, timed.
//! - [`roles`]: the hidden `child` subcommand every child runs.

#[cfg(not(target_os = "linux"))]
compile_error!("lesson 11 uses Linux's futex and POSIX shared memory");

pub mod ring;
pub mod sync;

#[cfg(not(feature = "model"))]
pub mod baseline;
#[cfg(all(feature = "iceoryx2", not(feature = "model")))]
pub mod iceoryx;
#[cfg(not(feature = "model"))]
pub mod python;
#[cfg(not(feature = "model"))]
pub mod roles;
#[cfg(not(feature = "model"))]
pub mod shm;
#[cfg(not(feature = "model"))]
pub mod transfer;

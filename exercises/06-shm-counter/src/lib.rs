//! # Exercise: a counter in shared memory
//!
//! Python's `multiprocessing.Value('Q', 0)` is a number that several
//! processes update. Here you build one on a named shared-memory segment
//! (the `shared_memory` crate): a `u64` counter that threads and processes
//! open *by name* and add to, without ever losing an increment.
//!
//! Write:
//! - [`SharedCounter::create`], [`SharedCounter::open`], [`SharedCounter::name`]:
//!   the segment, created under a unique name or opened by name;
//! - [`SharedCounter::atomic`], [`SharedCounter::add_ones`], [`SharedCounter::get`]:
//!   the counter is an `AtomicU64` at the start of the mapping;
//! - [`count_with_threads`] and [`count_with_processes`]: many adders at once;
//! - [`worker_main`]: what the worker binary (`src/bin/counter-worker.rs`,
//!   already written) does in each worker process.
//!
//! Rules the tests check:
//! - names are `/shm-counter-<pid>-<n>`, unique per call, and the name is
//!   listed in `/dev/shm` while the creator holds the counter;
//! - the creator owns the segment: dropping it removes the name (a panic
//!   too); a counter that was merely opened never removes it;
//! - counts are exact under stress, across threads and across processes;
//! - a worker that fails makes [`count_with_processes`] return an error,
//!   and no worker process is left behind on any path.
//!
//! Run the tests with `cargo xtask check exercises shm-counter`, ask for a
//! hint with `cargo xtask hint shm-counter`.

use std::io;
use std::path::Path;
use std::sync::atomic::AtomicU64;

use shared_memory::{Shmem, ShmemError};

/// Every counter's name starts with `/` and this.
pub const PREFIX: &str = "shm-counter-";

/// Bytes in the segment: the counter, alone on its cache line.
pub const SIZE: usize = 64;

/// A `u64` counter in a named shared-memory segment.
pub struct SharedCounter {
    shmem: Shmem,
}

impl std::fmt::Debug for SharedCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedCounter")
            .field("name", &self.shmem.get_os_id())
            .finish()
    }
}

impl SharedCounter {
    /// Creates a new segment of [`SIZE`] bytes named
    /// `/shm-counter-<our pid>-<n>`, where `n` differs on every call, with
    /// the counter at 0. This handle owns it: dropping it unlinks the name.
    pub fn create() -> Result<SharedCounter, ShmemError> {
        todo!("ShmemConf::new().size(SIZE).os_id(&name).create()")
    }

    /// Maps the counter that someone else created under `name`. Dropping
    /// this handle never unlinks the name.
    pub fn open(name: &str) -> Result<SharedCounter, ShmemError> {
        todo!("ShmemConf::new().os_id(name).open()")
    }

    /// The name to open it by, e.g. `/shm-counter-4242-0`.
    pub fn name(&self) -> &str {
        todo!("the segment's os id")
    }

    /// The counter itself, in shared memory.
    pub fn atomic(&self) -> &AtomicU64 {
        todo!("the first 8 bytes of the mapping, seen as an AtomicU64")
    }

    /// Adds 1, `times` times, so that no increment is ever lost, whoever
    /// else adds at the same time.
    pub fn add_ones(&self, times: u64) {
        todo!("one indivisible read-add-write per increment")
    }

    /// The counter's value now.
    pub fn get(&self) -> u64 {
        todo!("load the counter")
    }
}

/// Starts `threads` threads at once; each opens `counter` by its name (its
/// own mapping of the same memory) and adds `per_thread` ones. Returns the
/// counter's value once they have all finished.
pub fn count_with_threads(counter: &SharedCounter, threads: usize, per_thread: u64) -> u64 {
    todo!("scoped threads, each with its own SharedCounter::open")
}

/// Starts `processes` copies of `worker` at once, each with the arguments
/// `<counter's name> <per_process>`, waits for all of them, and returns the
/// counter's value. Fails if a worker cannot be started or does not exit
/// successfully; on every path, every worker started has ended and been
/// reaped when this returns.
pub fn count_with_processes(
    worker: &Path,
    counter: &SharedCounter,
    processes: usize,
    per_process: u64,
) -> io::Result<u64> {
    todo!("spawn them all, then wait for each; kill and reap on the error paths")
}

/// What each worker process does: opens the counter `name` and adds
/// `times` ones. An error (no such segment) is returned, never a panic.
pub fn worker_main(name: &str, times: u64) -> Result<(), ShmemError> {
    todo!("open the counter by name and add")
}

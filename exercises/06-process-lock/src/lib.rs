//! # Exercise: a robust lock shared by processes
//!
//! Python's `multiprocessing.Lock` is one lock that several processes take.
//! It has a flaw: a process killed while holding it leaves it taken, and
//! every other process waits forever. Here you build one that survives that:
//! a pthread mutex inside a named shared-memory segment, initialised as
//!
//! - **process-shared** (`PTHREAD_PROCESS_SHARED`): any process that maps
//!   the segment may lock it, through its own mapping;
//! - **robust** (`PTHREAD_MUTEX_ROBUST`): when the holder dies, the kernel
//!   hands the lock to the next taker, whose `pthread_mutex_lock` returns
//!   `EOWNERDEAD`. That taker holds the lock, repairs the data, and must call
//!   `pthread_mutex_consistent` before unlocking, or the mutex becomes
//!   `ENOTRECOVERABLE` for everyone.
//!
//! Write [`ProcessLock::create`], [`ProcessLock::open`], [`ProcessLock::name`],
//! [`ProcessLock::lock`] and the guard's `Drop`. [`ProcessLock::shared`] is
//! given.
//!
//! Rules the tests check:
//! - names are `/process-lock-<pid>-<n>`, unique per call; the creator's
//!   drop removes the name, an opened lock's drop does not;
//! - mutual exclusion: N processes x M rounds of read-yield-write under the
//!   lock, released together, lose nothing; so do threads that each open
//!   their own mapping;
//! - a holder killed with SIGKILL while holding the lock: the next
//!   [`ProcessLock::lock`] (also one already waiting) returns within a
//!   second a guard whose [`Guard::recovered`] names the dead holder's pid,
//!   with `dirty` reset to 0 (the repair); the lock after that is normal.
//!
//! Run the tests with `cargo xtask check exercises process-lock`, ask for a
//! hint with `cargo xtask hint process-lock`.

use std::cell::UnsafeCell;
use std::io;
use std::sync::atomic::{AtomicU32, AtomicU64};

use shared_memory::Shmem;

/// Every lock's name starts with `/` and this.
pub const PREFIX: &str = "process-lock-";

/// What the segment holds: the mutex and the data it guards.
#[repr(C)]
pub struct Shared {
    pub mutex: UnsafeCell<libc::pthread_mutex_t>,
    /// The count the workers add to (only under the lock).
    pub count: AtomicU64,
    /// The holder's pid: written after locking, 0 again before unlocking.
    pub holder: AtomicU32,
    /// 1 while an update is half done; a taker that finds the holder dead resets it.
    pub dirty: AtomicU32,
}

/// A robust, process-shared mutex in a named shared-memory segment.
pub struct ProcessLock {
    shmem: Shmem,
}

// SAFETY: the mutex is made for use from many threads (and processes) at
// once, and every other field of `Shared` is an atomic.
unsafe impl Send for ProcessLock {}
unsafe impl Sync for ProcessLock {}

impl std::fmt::Debug for ProcessLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessLock")
            .field("name", &self.shmem.get_os_id())
            .finish()
    }
}

impl ProcessLock {
    /// Creates a segment of `size_of::<Shared>()` bytes named
    /// `/process-lock-<our pid>-<n>` (a new `n` on every call) and
    /// initialises the mutex in it: process-shared and robust. This handle
    /// owns the segment: dropping it removes the name.
    pub fn create() -> io::Result<ProcessLock> {
        todo!(
            "ShmemConf::new().size(..).os_id(&name).create(), then pthread_mutexattr_* and pthread_mutex_init"
        )
    }

    /// Maps the lock someone else created under `name`.
    pub fn open(name: &str) -> io::Result<ProcessLock> {
        todo!("ShmemConf::new().os_id(name).open()")
    }

    /// The name to open it by.
    pub fn name(&self) -> &str {
        todo!("the segment's os id")
    }

    /// The mutex and its data, in shared memory.
    pub fn shared(&self) -> &Shared {
        // SAFETY: the mapping is page-aligned and at least this big; `create`
        // initialised the mutex before anyone could learn the name.
        unsafe { &*self.shmem.as_ptr().cast::<Shared>() }
    }

    /// Takes the lock, waiting if another thread or process holds it. If
    /// its holder died holding it: reset `dirty` to 0, call
    /// `pthread_mutex_consistent`, and return a guard whose `recovered()` is
    /// the dead holder's pid. Writes our pid into `holder`.
    pub fn lock(&self) -> io::Result<Guard<'_>> {
        todo!("pthread_mutex_lock: 0, EOWNERDEAD, or an error")
    }
}

/// The lock, held until dropped.
#[derive(Debug)]
pub struct Guard<'a> {
    lock: &'a ProcessLock,
    recovered: Option<u32>,
}

impl Guard<'_> {
    /// `Some(pid)` if this lock was taken from a holder (process `pid`) that
    /// died holding it.
    pub fn recovered(&self) -> Option<u32> {
        self.recovered
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        todo!("holder back to 0, then pthread_mutex_unlock")
    }
}

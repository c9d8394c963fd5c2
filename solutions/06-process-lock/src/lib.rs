//! # Exercise: a robust lock shared by processes
//!
//! Reference solution.

use std::cell::UnsafeCell;
use std::io;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};

use shared_memory::{Shmem, ShmemConf};

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

fn check(r: libc::c_int) -> io::Result<()> {
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(r))
    }
}

impl ProcessLock {
    /// Creates a segment of `size_of::<Shared>()` bytes named
    /// `/process-lock-<our pid>-<n>` (a new `n` on every call) and
    /// initialises the mutex in it: process-shared and robust. This handle
    /// owns the segment: dropping it removes the name.
    pub fn create() -> io::Result<ProcessLock> {
        static N: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "/{PREFIX}{}-{}",
            std::process::id(),
            N.fetch_add(1, Relaxed)
        );
        let shmem = ShmemConf::new()
            .size(size_of::<Shared>())
            .os_id(&name)
            .create()
            .map_err(io::Error::other)?;
        let lock = ProcessLock { shmem };
        let mutex = lock.shared().mutex.get();
        // SAFETY: nobody else knows the name yet; the attribute object is
        // initialised before use and destroyed after.
        unsafe {
            let mut attr: libc::pthread_mutexattr_t = std::mem::zeroed();
            check(libc::pthread_mutexattr_init(&mut attr))?;
            let r = check(libc::pthread_mutexattr_setpshared(
                &mut attr,
                libc::PTHREAD_PROCESS_SHARED,
            ))
            .and_then(|()| {
                check(libc::pthread_mutexattr_setrobust(
                    &mut attr,
                    libc::PTHREAD_MUTEX_ROBUST,
                ))
            })
            .and_then(|()| check(libc::pthread_mutex_init(mutex, &attr)));
            libc::pthread_mutexattr_destroy(&mut attr);
            r?;
        }
        Ok(lock)
    }

    /// Maps the lock someone else created under `name`.
    pub fn open(name: &str) -> io::Result<ProcessLock> {
        let shmem = ShmemConf::new()
            .os_id(name)
            .open()
            .map_err(io::Error::other)?;
        if shmem.len() < size_of::<Shared>() {
            return Err(io::Error::other(format!("{name} is too small")));
        }
        Ok(ProcessLock { shmem })
    }

    /// The name to open it by.
    pub fn name(&self) -> &str {
        self.shmem.get_os_id()
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
        let shared = self.shared();
        let mutex = shared.mutex.get();
        // SAFETY: an initialised process-shared mutex in our mapping.
        let recovered = match unsafe { libc::pthread_mutex_lock(mutex) } {
            0 => None,
            libc::EOWNERDEAD => {
                let dead = shared.holder.load(Relaxed);
                shared.dirty.store(0, Relaxed); // the repair
                // SAFETY: EOWNERDEAD means we hold it.
                check(unsafe { libc::pthread_mutex_consistent(mutex) })?;
                Some(dead)
            }
            e => return Err(io::Error::from_raw_os_error(e)),
        };
        shared.holder.store(std::process::id(), Relaxed);
        Ok(Guard {
            lock: self,
            recovered,
        })
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
        let shared = self.lock.shared();
        shared.holder.store(0, Relaxed);
        // SAFETY: we hold it.
        unsafe { libc::pthread_mutex_unlock(shared.mutex.get()) };
    }
}

//! `multiprocessing.Lock`: one lock that several processes take, and what
//! happens when a process dies holding it.
//!
//! The lock is a pthread mutex placed in a shared segment and initialised
//! with two attributes:
//!
//! - `PTHREAD_PROCESS_SHARED`: any process that maps the segment may lock
//!   it. Uncontended, lock and unlock are one atomic instruction each in user
//!   space; a waiter sleeps in the kernel (a futex on the mutex's word), so
//!   nobody spins;
//! - `PTHREAD_MUTEX_ROBUST`: the kernel keeps, per thread, a list of the
//!   robust mutexes it holds. When a thread dies holding one (a `kill -9`
//!   included), the kernel marks the mutex "owner died" and wakes a waiter.
//!   The next `pthread_mutex_lock` *succeeds* but returns `EOWNERDEAD`: you
//!   hold the lock, and the data it protects may be half updated. You repair
//!   the data, call `pthread_mutex_consistent`, and go on. Unlock without
//!   that call and the mutex becomes `ENOTRECOVERABLE`: every later lock
//!   fails, for every process, for good.
//!
//! Why this design rather than a futex lock on an atomic holding the owner's
//! pid: with a pid the next taker would have to guess that the holder died
//! (poll `kill(pid, 0)`, and a pid can be reused by a new process), while
//! the robust list is the kernel's own record, walked when the thread exits,
//! whatever killed it. Python's `multiprocessing.Lock` is a POSIX semaphore:
//! a holder that dies leaves it taken, and the other processes wait forever
//! (or until their `acquire(timeout=...)` gives up).
//!
//! Robust mutexes are a Linux (and FreeBSD) feature: this module is Linux only.

use std::cell::UnsafeCell;
use std::fmt;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use clap::ValueEnum;
use course_support::child::{Signal, Spawner, exit_when_orphaned, signal};

use crate::segment::Segment;
use crate::workers::Workers;

// ANCHOR: page
/// The segment's layout: the mutex and the data it protects.
#[repr(C)]
pub struct LockPage {
    mutex: UnsafeCell<libc::pthread_mutex_t>,
    /// The shared counter. Changed only by the lock's holder (atomics with
    /// `Relaxed` order only so that the "no lock" row is a lost update, not
    /// undefined behaviour).
    pub count: AtomicU64,
    /// The holder's pid, written after locking, cleared before unlocking.
    pub holder: AtomicU32,
    /// 1 while an update is half done: a holder that dies leaves it at 1.
    pub dirty: AtomicU32,
    /// How many times a taker found the owner dead and repaired the data.
    pub recoveries: AtomicU64,
}
// ANCHOR_END: page

// SAFETY: the mutex is only used through pthread calls, which are made for
// concurrent use; the other fields are atomics.
unsafe impl Sync for LockPage {}

impl fmt::Debug for LockPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockPage")
            .field("count", &self.count)
            .field("holder", &self.holder)
            .field("dirty", &self.dirty)
            .finish_non_exhaustive()
    }
}

/// What a taker does when it finds the previous owner dead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOwnerDead {
    /// Repair the data, then `pthread_mutex_consistent`: the lock lives on.
    Recover,
    /// Unlock without `pthread_mutex_consistent` (the mistake): the mutex
    /// becomes unusable for every process.
    Forget,
}

/// How a `lock` call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// The usual case.
    Clean,
    /// `EOWNERDEAD`: the process `pid` died holding it; the data was
    /// `dirty` (half updated) or not.
    OwnerDied { pid: u32, dirty: bool },
}

/// A robust, process-shared mutex in a named segment.
#[derive(Debug)]
pub struct ProcessLock {
    segment: Segment,
}

impl ProcessLock {
    // ANCHOR: create
    /// Creates the segment and initialises the mutex in it (once, by the
    /// owner; the others only open it).
    pub fn create() -> Result<ProcessLock> {
        let segment = Segment::create(size_of::<LockPage>())?;
        let page = segment.as_ptr().cast::<LockPage>();
        // SAFETY: the mapping is page-aligned and big enough; nobody else
        // knows its name yet; attr is initialised before use and destroyed
        // after.
        unsafe {
            let mut attr: libc::pthread_mutexattr_t = std::mem::zeroed();
            check(libc::pthread_mutexattr_init(&mut attr), "mutexattr_init")?;
            let set = check(
                libc::pthread_mutexattr_setpshared(&mut attr, libc::PTHREAD_PROCESS_SHARED),
                "setpshared",
            )
            .and_then(|()| {
                check(
                    libc::pthread_mutexattr_setrobust(&mut attr, libc::PTHREAD_MUTEX_ROBUST),
                    "setrobust",
                )
            })
            .and_then(|()| {
                check(
                    libc::pthread_mutex_init(UnsafeCell::raw_get(&raw const (*page).mutex), &attr),
                    "mutex_init",
                )
            });
            libc::pthread_mutexattr_destroy(&mut attr);
            set?;
        }
        Ok(ProcessLock { segment })
    }
    // ANCHOR_END: create

    /// Maps the lock another process created.
    pub fn open(name: &str) -> Result<ProcessLock> {
        let segment = Segment::open(name)?;
        ensure!(
            segment.len() >= size_of::<LockPage>(),
            "{name} is too small"
        );
        Ok(ProcessLock { segment })
    }

    pub fn name(&self) -> &str {
        self.segment.name()
    }

    pub fn page(&self) -> &LockPage {
        // SAFETY: page-aligned, big enough, initialised by `create` before
        // the name was handed to anyone; shared fields are atomics or the mutex.
        unsafe { &*self.segment.as_ptr().cast::<LockPage>() }
    }

    fn mutex(&self) -> *mut libc::pthread_mutex_t {
        self.page().mutex.get()
    }

    // ANCHOR: lock
    /// Takes the lock. If its owner died holding it, `on_dead` says what to
    /// do: repair and mark consistent (the guard then reports
    /// [`Taken::OwnerDied`]), or leave it, which poisons the mutex for good.
    pub fn lock(&self, on_dead: OnOwnerDead) -> Result<Guard<'_>> {
        // SAFETY: an initialised process-shared mutex in our mapping.
        let r = unsafe { libc::pthread_mutex_lock(self.mutex()) };
        let page = self.page();
        let taken = match r {
            0 => Taken::Clean,
            libc::EOWNERDEAD => {
                // We hold it now; the data is what the dead holder left.
                let pid = page.holder.load(Relaxed);
                let dirty = page.dirty.load(Relaxed) == 1;
                if on_dead == OnOwnerDead::Recover {
                    page.dirty.store(0, Relaxed); // the repair: here, forget the half update
                    page.recoveries.fetch_add(1, Relaxed);
                    // SAFETY: we hold the mutex, as EOWNERDEAD says.
                    check(
                        unsafe { libc::pthread_mutex_consistent(self.mutex()) },
                        "mutex_consistent",
                    )?;
                }
                Taken::OwnerDied { pid, dirty }
            }
            libc::ENOTRECOVERABLE => bail!(
                "the lock is unusable (ENOTRECOVERABLE): an earlier taker found its owner \
                 dead and unlocked it without pthread_mutex_consistent"
            ),
            e => return Err(std::io::Error::from_raw_os_error(e)).context("pthread_mutex_lock"),
        };
        page.holder.store(std::process::id(), Relaxed);
        Ok(Guard { lock: self, taken })
    }
    // ANCHOR_END: lock
}

/// Held while alive; unlocks on drop.
#[derive(Debug)]
pub struct Guard<'a> {
    lock: &'a ProcessLock,
    taken: Taken,
}

impl Guard<'_> {
    pub fn taken(&self) -> Taken {
        self.taken
    }

    pub fn page(&self) -> &LockPage {
        self.lock.page()
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.lock.page().holder.store(0, Relaxed);
        // SAFETY: we hold the mutex. An error (ENOTRECOVERABLE after a
        // forgotten recovery is not one: unlock succeeds) is ignored in drop.
        unsafe { libc::pthread_mutex_unlock(self.lock.mutex()) };
    }
}

fn check(r: libc::c_int, what: &str) -> Result<()> {
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::from_raw_os_error(r)).with_context(|| format!("pthread_{what}"))
    }
}

// ANCHOR: add_under_lock
/// Adds 1 to the shared count `rounds` times: under the lock, or not;
/// `widen` yields the CPU between the read and the write, so that another
/// process gets in there if it can.
pub fn add_ones(lock: &ProcessLock, rounds: u64, locked: bool, widen: bool) -> Result<()> {
    let page = lock.page();
    for _ in 0..rounds {
        let _guard = if locked {
            Some(lock.lock(OnOwnerDead::Recover)?)
        } else {
            None
        };
        let seen = page.count.load(Relaxed); // read ...
        if widen {
            std::thread::yield_now();
        }
        page.count.store(seen + 1, Relaxed); // ... then write: safe only under the lock
    }
    Ok(())
}
// ANCHOR_END: add_under_lock

/// One run of `processes` x `rounds` increments.
#[derive(Debug, Clone)]
pub struct CountRun {
    pub locked: bool,
    pub widen: bool,
    pub processes: usize,
    pub rounds: u64,
    pub expected: u64,
    pub counted: u64,
    /// From `go` to the last `done`.
    pub elapsed: Duration,
    pub pids: Vec<u32>,
    pub segment: String,
}

impl CountRun {
    /// Time per increment (a lock and an unlock, when locked), all
    /// processes together.
    pub fn per_round(&self) -> Duration {
        self.elapsed.div_f64(self.expected.max(1) as f64)
    }
}

/// `processes` children add 1 `rounds` times each, released together.
pub fn count(
    spawner: &Spawner,
    processes: usize,
    rounds: u64,
    locked: bool,
    widen: bool,
) -> Result<CountRun> {
    ensure!(processes >= 1, "at least one process");
    let lock = ProcessLock::create()?;
    let args = (0..processes)
        .map(|_| {
            let mut a = vec![
                "--segment".to_owned(),
                lock.name().to_owned(),
                "--rounds".to_owned(),
                rounds.to_string(),
            ];
            if !locked {
                a.push("--no-lock".to_owned());
            }
            if widen {
                a.push("--widen".to_owned());
            }
            a
        })
        .collect();
    let mut workers = Workers::start(spawner, "lock-counter", args, Duration::from_secs(120))?;
    let pids = workers.pids();
    let started = Instant::now();
    workers.send_all("go")?;
    workers.expect_all("done")?;
    let elapsed = started.elapsed();
    let statuses = workers.close()?;
    ensure!(
        statuses.iter().all(|s| s.success()),
        "a counting process failed: {statuses:?}"
    );
    Ok(CountRun {
        locked,
        widen,
        processes,
        rounds,
        expected: processes as u64 * rounds,
        counted: lock.page().count.load(Relaxed),
        elapsed,
        pids,
        segment: lock.name().to_owned(),
    })
}

/// Role `lock-counter`: open, say `ready`, wait for `go`, add, say `done`.
pub fn counter_role(segment: &str, rounds: u64, locked: bool, widen: bool) -> Result<()> {
    use std::io::{BufRead, Write};
    exit_when_orphaned();
    let lock = ProcessLock::open(segment)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    ensure!(line.trim() == "go", "expected go, got {line:?}");
    add_ones(&lock, rounds, locked, widen)?;
    writeln!(out, "done")?;
    out.flush()?;
    Ok(())
}

// ANCHOR: holder_role
/// Role `lock-holder`: take the lock, start an update (dirty = 1), say
/// `ready`, and never finish: the parent kills this process with SIGKILL.
pub fn holder_role(segment: &str) -> Result<()> {
    use std::io::Write;
    exit_when_orphaned();
    let lock = ProcessLock::open(segment)?;
    let guard = lock.lock(OnOwnerDead::Recover)?;
    guard.page().dirty.store(1, Relaxed);
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    loop {
        std::thread::sleep(Duration::from_secs(1)); // holding the lock until killed
    }
}
// ANCHOR_END: holder_role

/// What the next takers saw after a holder was killed.
#[derive(Debug, Clone)]
pub struct DeadHolder {
    pub holder_pid: u32,
    /// How the holder ended (`killed by SIGKILL (signal 9)`).
    pub holder_ended: String,
    /// The first lock after the kill.
    pub first: Result<Taken, String>,
    /// How long that lock call took (the kernel handed the lock over at once).
    pub first_wait: Duration,
    /// The lock after that.
    pub second: Result<Taken, String>,
    pub recoveries: u64,
    pub segment: String,
}

// ANCHOR: dead_holder
/// A child takes the lock and is killed with SIGKILL while holding it; then
/// this process locks twice, treating the dead owner as `on_dead` says.
pub fn dead_holder(spawner: &Spawner, on_dead: OnOwnerDead) -> Result<DeadHolder> {
    let lock = ProcessLock::create()?;
    let args = vec![vec!["--segment".to_owned(), lock.name().to_owned()]];
    let workers = Workers::start(spawner, "lock-holder", args, Duration::from_secs(30))?;
    let holder_pid = workers.pids()[0];
    signal(holder_pid, Signal::Kill).context("killing the holder")?;
    let status = workers.close()?[0]; // reaped: it is gone
    let holder_ended = course_support::child::describe(status);
    let started = Instant::now();
    let first = lock.lock(on_dead).map(|g| g.taken());
    let first_wait = started.elapsed();
    let second = lock.lock(on_dead).map(|g| g.taken());
    Ok(DeadHolder {
        holder_pid,
        holder_ended,
        first: first.map_err(|e| format!("{e:#}")),
        first_wait,
        second: second.map_err(|e| format!("{e:#}")),
        recoveries: lock.page().recoveries.load(Relaxed),
        segment: lock.name().to_owned(),
    })
}
// ANCHOR_END: dead_holder

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_with_mappings_of_their_own_exclude_each_other() {
        let lock = ProcessLock::create().unwrap();
        let name = lock.name();
        std::thread::scope(|s| {
            for _ in 0..4 {
                // A second mapping of the same mutex, at another address:
                // only a process-shared mutex works through it.
                s.spawn(|| add_ones(&ProcessLock::open(name).unwrap(), 5_000, true, true).unwrap());
            }
        });
        assert_eq!(lock.page().count.load(Relaxed), 20_000);
        assert_eq!(
            lock.lock(OnOwnerDead::Recover).unwrap().taken(),
            Taken::Clean
        );
    }
}

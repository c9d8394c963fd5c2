//! A named shared-memory segment, and the guard that removes its name.
//!
//! On Linux, `shm_open("/l06-4242-0")` creates the file `/dev/shm/l06-4242-0`
//! in a RAM-backed file system; every process that opens the same name and
//! maps it sees the same bytes. The name outlives every process: the kernel
//! frees the memory only once the name is unlinked **and** the last mapping
//! is gone. A program that forgets to unlink leaks the segment until reboot.
//!
//! [`Segment`] wraps `shared_memory::Shmem`. The process that creates a
//! segment owns it, and its `Drop` unlinks the name: after a normal return,
//! and while unwinding from a panic. A process killed by a signal runs no
//! `Drop`, so the owner also writes the name into a registry that the Ctrl-C
//! handler ([`crate::interrupt`]) empties. A process that *opens* a segment
//! by name never unlinks it.
//!
//! Names are unique per run: [`PREFIX`], our pid, and a counter, so tests
//! running in parallel (threads of one test binary, or several binaries)
//! never meet each other's segments.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, MutexGuard};

use anyhow::{Context, Result, bail};
use shared_memory::{Shmem, ShmemConf, ShmemError};

/// Every segment this lesson creates is named `/l06-<pid>-<n>`.
pub const PREFIX: &str = "l06-";

/// Where Linux shows POSIX shared memory: one file per name.
pub const SHM_DIR: &str = "/dev/shm";

/// The segment names this process created and has not unlinked yet, for the
/// Ctrl-C handler. `closed` is set by [`unlink_all_and_close`]: from then on
/// no new segment may be created, so none can appear after the cleanup.
struct Live {
    names: BTreeSet<String>,
    closed: bool,
}

static LIVE: Mutex<Live> = Mutex::new(Live {
    names: BTreeSet::new(),
    closed: false,
});
static NEXT: AtomicU64 = AtomicU64::new(0);

fn live() -> MutexGuard<'static, Live> {
    // A panic elsewhere must not stop the cleanup: take the data anyway.
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A fresh name for this process: `/l06-<pid>-<n>`.
pub fn unique_name() -> String {
    format!(
        "/{PREFIX}{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Relaxed)
    )
}

/// The file that stands for `name` in [`SHM_DIR`] (`/l06-1-0` ->
/// `/dev/shm/l06-1-0`).
pub fn shm_path(name: &str) -> PathBuf {
    PathBuf::from(SHM_DIR).join(name.trim_start_matches('/'))
}

/// Is a segment of this name still there?
pub fn exists(name: &str) -> bool {
    shm_path(name).exists()
}

/// The lesson's segments created by process `pid` that still exist
/// (file names in [`SHM_DIR`], without the leading slash).
pub fn leftovers_of(pid: u32) -> Vec<String> {
    let mine = format!("{PREFIX}{pid}-");
    let Ok(dir) = std::fs::read_dir(SHM_DIR) else {
        return Vec::new();
    };
    let mut names: Vec<String> = dir
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(&mine))
        .collect();
    names.sort();
    names
}

/// The error for a segment that cannot be created because Ctrl-C has
/// already cleaned up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShuttingDown;

impl fmt::Display for ShuttingDown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not creating a segment: the program is shutting down")
    }
}

impl std::error::Error for ShuttingDown {}

// ANCHOR: segment
/// A mapped shared-memory segment. Created: we own the name and unlink it
/// when dropped (panics included). Opened: we only map it.
pub struct Segment {
    shmem: Shmem,
    name: String,
}

impl Segment {
    /// Creates a new segment of `size` bytes (zero-filled) under a fresh
    /// unique name; this process owns it.
    pub fn create(size: usize) -> Result<Segment> {
        let mut live = live();
        if live.closed {
            return Err(ShuttingDown.into());
        }
        // Created and registered under one lock: the Ctrl-C handler sees
        // either no segment or a registered one, never one in between.
        let mut stale = 0;
        let (name, shmem) = loop {
            let name = unique_name();
            match ShmemConf::new().size(size).os_id(&name).create() {
                Ok(shmem) => break (name, shmem),
                // Left by a killed process that had our pid: take the next name.
                Err(ShmemError::MappingIdExists) if stale < 16 => stale += 1,
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("creating shared memory {name} ({size} bytes)"));
                }
            }
        };
        live.names.insert(name.clone());
        Ok(Segment { shmem, name })
    }

    /// Maps the existing segment `name` (created by another process); we
    /// will never unlink it.
    pub fn open(name: &str) -> Result<Segment> {
        let shmem = ShmemConf::new().os_id(name).open().with_context(|| {
            format!("opening shared memory {name}: is its owner still running?")
        })?;
        if shmem.is_owner() {
            bail!("opened {name} but shared_memory says we own it");
        }
        Ok(Segment {
            shmem,
            name: name.to_owned(),
        })
    }
    // ANCHOR_END: segment

    /// The name other processes open it by, e.g. `/l06-4242-0`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its size in bytes (for an opened segment: the size its owner gave it).
    pub fn len(&self) -> usize {
        self.shmem.len()
    }

    /// A segment is never empty (`shared_memory` refuses size 0).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Did this process create it (and will it unlink it)?
    pub fn is_owner(&self) -> bool {
        self.shmem.is_owner()
    }

    /// The first byte of our mapping. It is page-aligned.
    pub fn as_ptr(&self) -> *mut u8 {
        self.shmem.as_ptr()
    }

    // ANCHOR: unlink_now
    /// Removes the name now; the mapping stays valid until dropped. Once
    /// every child has opened the segment, the name is no longer needed, and
    /// a segment without a name cannot leak: the kernel frees the memory when
    /// the last process unmaps it, however that process ends.
    pub fn unlink_now(&mut self) -> Result<()> {
        if !self.is_owner() {
            bail!("{} belongs to another process", self.name);
        }
        let mut live = live();
        live.names.remove(&self.name);
        self.shmem.set_owner(false); // its Drop must not unlink it a second time
        drop(live);
        unlink(&self.name)
    }
    // ANCHOR_END: unlink_now
}

// ANCHOR: drop
impl Drop for Segment {
    fn drop(&mut self) {
        if self.is_owner() {
            live().names.remove(&self.name);
        }
        // Then `shmem` drops: munmap, and shm_unlink if we are the owner.
    }
}
// ANCHOR_END: drop

impl fmt::Debug for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Segment")
            .field("name", &self.name)
            .field("len", &self.len())
            .field("owner", &self.is_owner())
            .finish()
    }
}

/// `shm_unlink(name)`.
pub fn unlink(name: &str) -> Result<()> {
    let c_name = std::ffi::CString::new(name).context("a segment name has no NUL byte")?;
    // SAFETY: shm_unlink reads a NUL-terminated string that lives until it returns.
    if unsafe { libc::shm_unlink(c_name.as_ptr()) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error()).with_context(|| format!("shm_unlink({name})"))
    }
}

// ANCHOR: unlink_all
/// For the Ctrl-C handler: unlinks every segment this process still owns
/// and refuses to create new ones. Returns the names it removed. The
/// mappings stay valid, so code still running on other threads does not
/// crash; only the names are gone.
pub fn unlink_all_and_close() -> Vec<String> {
    let mut live = live();
    live.closed = true;
    let names: Vec<String> = std::mem::take(&mut live.names).into_iter().collect();
    for name in &names {
        let _ = unlink(name);
    }
    names
}
// ANCHOR_END: unlink_all

/// How many segments this process owns right now.
pub fn live_count() -> usize {
    live().names.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_carry_the_pid() {
        let (a, b) = (unique_name(), unique_name());
        assert_ne!(a, b);
        assert!(a.starts_with(&format!("/{PREFIX}{}-", std::process::id())));
        assert_eq!(
            shm_path("/l06-1-2"),
            PathBuf::from("/dev/shm").join("l06-1-2")
        );
    }
}

//! The named segment the rings live in, straight from the system calls:
//! `shm_open` + `ftruncate` + `mmap`, and `shm_unlink`.
//!
//! A name in `/dev/shm` outlives every process until someone unlinks it. So
//! the creator unlinks it as soon as every child has mapped it
//! ([`Segment::unlink_now`]): from then on nothing can leak, however anyone
//! dies (the kernel frees the memory with the last mapping). Before that, a
//! `Drop` unlinks it on return and on panic, and the Ctrl-C handler
//! ([`install_ctrl_c`]) unlinks whatever is still named.

use std::collections::BTreeSet;
use std::ffi::CString;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

use anyhow::{Context, Result, bail};

/// Every segment of this lesson is `/l11-<pid>-<n>`.
pub const PREFIX: &str = "l11-";
/// Where Linux shows the names.
pub const SHM_DIR: &str = "/dev/shm";

static LIVE: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
static NEXT: AtomicU64 = AtomicU64::new(0);

fn live() -> std::sync::MutexGuard<'static, BTreeSet<String>> {
    LIVE.lock().unwrap_or_else(|p| p.into_inner())
}

/// A mapped segment. The creator owns its name until [`Segment::unlink_now`].
#[derive(Debug)]
pub struct Segment {
    ptr: *mut u8,
    len: usize,
    name: String,
    named_by_us: AtomicBool,
}

// SAFETY: the mapping is plain memory; what is shared in it is atomics.
unsafe impl Send for Segment {}
unsafe impl Sync for Segment {}

impl Segment {
    /// A fresh zero-filled segment of `len` bytes under a new name.
    pub fn create(len: usize) -> Result<Segment> {
        let mut live = live();
        let name = format!(
            "/{PREFIX}{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Relaxed)
        );
        let segment = map(&name, len, true)?;
        live.insert(name);
        Ok(segment)
    }

    /// Maps the segment `name` that another process created.
    pub fn open(name: &str, len: usize) -> Result<Segment> {
        map(name, len, false)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Removes the name (once every process that needs it has mapped it);
    /// the mapping stays valid.
    pub fn unlink_now(&self) -> Result<()> {
        if self.named_by_us.swap(false, Relaxed) {
            live().remove(&self.name);
            unlink(&self.name)?;
        }
        Ok(())
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        let _ = self.unlink_now();
        // SAFETY: we mapped exactly this range and nobody uses it after us.
        unsafe {
            libc::munmap(self.ptr.cast(), self.len);
        }
    }
}

fn map(name: &str, len: usize, create: bool) -> Result<Segment> {
    let c_name = CString::new(name).context("a segment name has no NUL byte")?;
    let flags = if create {
        libc::O_CREAT | libc::O_EXCL | libc::O_RDWR
    } else {
        libc::O_RDWR
    };
    // SAFETY: a NUL-terminated name; the returned fd is ours to close.
    let fd = unsafe { libc::shm_open(c_name.as_ptr(), flags, 0o600) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error()).with_context(|| format!("shm_open({name})"));
    }
    let result = (|| {
        if create {
            // SAFETY: fd is a fresh shared-memory object.
            if unsafe { libc::ftruncate(fd, len as libc::off_t) } != 0 {
                return Err(std::io::Error::last_os_error()).context("ftruncate");
            }
        } else {
            let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
            // SAFETY: fstat fills the struct.
            if unsafe { libc::fstat(fd, st.as_mut_ptr()) } != 0 {
                return Err(std::io::Error::last_os_error()).context("fstat");
            }
            // SAFETY: fstat succeeded.
            let size = unsafe { st.assume_init() }.st_size as usize;
            if size < len {
                bail!("{name} has {size} bytes, not {len}");
            }
        }
        // SAFETY: a new shared mapping of the whole object.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error()).context("mmap");
        }
        Ok(ptr.cast::<u8>())
    })();
    // SAFETY: the mapping keeps the object; the fd is no longer needed.
    unsafe { libc::close(fd) };
    match result {
        Ok(ptr) => Ok(Segment {
            ptr,
            len,
            name: name.to_owned(),
            named_by_us: AtomicBool::new(create),
        }),
        Err(e) => {
            if create {
                let _ = unlink(name);
            }
            Err(e.context(format!("mapping {name} ({len} bytes)")))
        }
    }
}

/// `shm_unlink(name)`.
pub fn unlink(name: &str) -> Result<()> {
    let c_name = CString::new(name).context("a segment name has no NUL byte")?;
    // SAFETY: a NUL-terminated name.
    if unsafe { libc::shm_unlink(c_name.as_ptr()) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error()).with_context(|| format!("shm_unlink({name})"))
    }
}

/// This lesson's names in `/dev/shm` made by process `pid`.
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

/// Ctrl-C (and SIGTERM, SIGHUP): unlink every name we still own, then exit
/// 130. The mappings stay; children see their parent gone and exit.
pub fn install_ctrl_c() -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(|| {
        for name in std::mem::take(&mut *live()) {
            let _ = unlink(&name);
        }
        std::process::exit(130);
    })
}

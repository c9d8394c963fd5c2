//! What a Python run leaves behind if the lesson is stopped by a signal.
//!
//! A lesson killed by Ctrl-C (SIGINT), SIGTERM or SIGHUP runs no `Drop`: the
//! interpreter, in a process group of its own so that a timeout can stop its
//! workers, would go on running, and the script's temporary folder would
//! stay. While a run is registered here, a handler for those three signals
//! kills the run's process group and removes its files, then hands the
//! signal on to whatever handled it before (by default: the process dies).
//!
//! A handler may only make async-signal-safe calls, so everything it needs is
//! prepared beforehand: the group id and the paths as C strings, in a slot it
//! reads with one atomic load. A slot's data is never freed (a few hundred
//! bytes per run), so a handler that read a pointer just before the run
//! ended never reads freed memory.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, Ordering};

const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];
const SLOTS: usize = 8;

/// What one run needs cleaned up.
#[derive(Debug)]
struct Run {
    group: libc::pid_t,
    files: Vec<CString>,
    dir: Option<CString>,
}

static ACTIVE: [AtomicPtr<Run>; SLOTS] = [const { AtomicPtr::new(ptr::null_mut()) }; SLOTS];

/// How many runs are registered, and the actions our handler replaced.
static INSTALLED: Mutex<usize> = Mutex::new(0);
/// The replaced actions, written (under `INSTALLED`) before our handler is
/// installed and read only by it.
static mut PREVIOUS: [Option<libc::sigaction>; 3] = [None; 3];

/// A registered run; dropping it unregisters it.
#[derive(Debug)]
pub struct Registration {
    slot: Option<usize>,
}

/// Registers the process group `group` (and the files and folder to remove)
/// until the returned value is dropped. With every slot taken it registers
/// nothing: the run still works, it just is not cleaned up after a signal.
pub fn register(group: u32, dir: Option<&Path>, files: &[&Path]) -> Registration {
    let c = |p: &Path| CString::new(p.as_os_str().as_bytes()).ok();
    let Ok(group) = libc::pid_t::try_from(group) else {
        return Registration { slot: None };
    };
    let run = Box::into_raw(Box::new(Run {
        group,
        files: files.iter().filter_map(|f| c(f)).collect(),
        dir: dir.and_then(c),
    }));
    let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
    let slot = ACTIVE.iter().position(|s| {
        s.compare_exchange(ptr::null_mut(), run, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    });
    if slot.is_some() {
        if *installed == 0 {
            install();
        }
        *installed += 1;
    }
    Registration { slot }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let Some(slot) = self.slot else { return };
        let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
        // Leaked on purpose: see the module's comment.
        ACTIVE[slot].store(ptr::null_mut(), Ordering::SeqCst);
        *installed -= 1;
        if *installed == 0 {
            restore();
        }
    }
}

fn install() {
    for (i, sig) in SIGNALS.into_iter().enumerate() {
        // SAFETY: a zeroed sigaction is a valid "default action" value; the
        // handler only makes async-signal-safe calls; PREVIOUS is written
        // under INSTALLED's lock, before the handler that reads it exists.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handle as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, &action, &mut old) == 0 {
                if old.sa_sigaction == libc::SIG_IGN {
                    // Ignored (a background job, nohup): leave it ignored.
                    libc::sigaction(sig, &old, ptr::null_mut());
                } else {
                    PREVIOUS[i] = Some(old);
                }
            }
        }
    }
}

fn restore() {
    for (i, sig) in SIGNALS.into_iter().enumerate() {
        // SAFETY: puts back the action that `install` replaced.
        unsafe {
            if let Some(old) = PREVIOUS[i] {
                PREVIOUS[i] = None;
                libc::sigaction(sig, &old, ptr::null_mut());
            }
        }
    }
}

extern "C" fn handle(sig: libc::c_int) {
    for slot in &ACTIVE {
        let run = slot.load(Ordering::SeqCst);
        if run.is_null() {
            continue;
        }
        // SAFETY: a registered Run is never freed; kill, unlink and rmdir are
        // async-signal-safe and take pointers to C strings that live forever.
        unsafe {
            let run = &*run;
            libc::kill(-run.group, libc::SIGKILL);
            for file in &run.files {
                libc::unlink(file.as_ptr());
            }
            if let Some(dir) = &run.dir {
                libc::rmdir(dir.as_ptr());
            }
        }
    }
    // Hand the signal on: put back the previous action and raise it again.
    let index = SIGNALS.iter().position(|s| *s == sig).unwrap_or(0);
    // SAFETY: PREVIOUS was written before this handler was installed.
    unsafe {
        let mut previous = PREVIOUS[index].unwrap_or(std::mem::zeroed());
        if previous.sa_sigaction == handle as *const () as libc::sighandler_t {
            previous = std::mem::zeroed();
        }
        libc::sigaction(sig, &previous, ptr::null_mut());
        libc::raise(sig);
    }
}

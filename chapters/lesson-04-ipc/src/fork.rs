//! `fork()`, and why Rust starts children with spawn/exec instead.
//!
//! `fork()` makes a copy of the calling process: same memory, same open
//! files, but **only the thread that called it**. Any lock another thread
//! held at that instant is copied in its locked state, and the thread that
//! would unlock it does not exist in the child. If the child then takes that
//! lock (the allocator's, stdout's, a logger's, one of yours), it waits
//! forever. POSIX therefore allows only async-signal-safe calls in the child
//! of a multi-threaded process until it calls `exec`.
//!
//! So `std::process::Command` starts a fresh program (`posix_spawn`, or
//! `fork` immediately followed by `exec`), and we re-execute our own binary
//! with a role. It runs none of our code in the forked copy unless asked:
//! `CommandExt::pre_exec` runs a closure there, before `exec`, under the same
//! rule (async-signal-safe calls only), which is why it is `unsafe`. Python chose
//! differently: `multiprocessing` used `fork` by default on Linux for years
//! (fast, and the child inherits everything), `spawn` on Windows (no fork
//! there) and on macOS since 3.8; Python 3.12 warns when a process with
//! threads forks, and Python 3.14 makes `forkserver` the Linux default.
//!
//! [`held_lock_after_fork`] shows the problem without hanging: a thread
//! holds a `Mutex`, the main thread forks, and the child *tries* the lock
//! (never blocks) and counts its own threads, using only system calls.

use std::sync::{Mutex, TryLockError, mpsc};
use std::thread;

use anyhow::{Result, bail};

/// What a forked child found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AfterFork {
    /// Threads in the parent when it forked (main + the lock holder).
    pub parent_threads: usize,
    /// Threads in the child (only the one that called fork).
    pub child_threads: usize,
    /// The child found the mutex locked, with no thread there to unlock it.
    pub child_saw_lock_held: bool,
    /// The child's pid.
    pub pid: u32,
}

// ANCHOR: fork_lock
/// Forks while another thread holds a mutex and reports what the child saw.
#[cfg(target_os = "linux")]
pub fn held_lock_after_fork() -> Result<AfterFork> {
    let lock = Mutex::new(0u64);
    let (held_tx, held_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    thread::scope(|s| {
        let lock = &lock;
        s.spawn(move || {
            let _guard = lock.lock().unwrap();
            held_tx.send(()).unwrap();
            // Hold it until the parent has forked and checked.
            let _ = release_rx.recv();
        });
        held_rx.recv()?;
        let parent_threads = threads_in_this_process().unwrap_or(0);
        // SAFETY: the child only calls try_lock (one atomic instruction),
        // open/read/close and _exit: all async-signal-safe, none allocates.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            let held = matches!(lock.try_lock(), Err(TryLockError::WouldBlock));
            let threads = threads_in_this_process().unwrap_or(0).min(63);
            // SAFETY: _exit ends the child without running any Rust code.
            unsafe { libc::_exit(((threads << 1) | usize::from(held)) as i32) };
        }
        let outcome = if pid < 0 {
            Err(std::io::Error::last_os_error().into())
        } else {
            wait_for(pid).map(|code| AfterFork {
                parent_threads,
                child_threads: (code >> 1) as usize,
                child_saw_lock_held: code & 1 == 1,
                pid: pid as u32,
            })
        };
        release_tx.send(()).ok();
        outcome
    })
}
// ANCHOR_END: fork_lock

/// Off Linux the demo needs /proc and is skipped.
#[cfg(not(target_os = "linux"))]
pub fn held_lock_after_fork() -> Result<AfterFork> {
    bail!("the fork demo reads /proc, so it runs on Linux only")
}

/// Reaps `pid`; its exit code.
#[cfg(unix)]
fn wait_for(pid: libc::pid_t) -> Result<i32> {
    let mut status = 0;
    // SAFETY: waits for our own child; `status` is a valid out-pointer.
    let r = unsafe { libc::waitpid(pid, &mut status, 0) };
    if r != pid {
        return Err(std::io::Error::last_os_error().into());
    }
    if !libc::WIFEXITED(status) {
        bail!("the forked child did not exit normally (status {status})");
    }
    Ok(libc::WEXITSTATUS(status))
}

/// The `Threads:` line of /proc/self/status, read with raw system calls into
/// a buffer on the stack, so that it is safe in a forked child.
#[cfg(target_os = "linux")]
fn threads_in_this_process() -> Option<usize> {
    let mut buf = [0u8; 4096];
    // SAFETY: a NUL-terminated path, a buffer we own and its real length.
    let n = unsafe {
        let fd = libc::open(c"/proc/self/status".as_ptr(), libc::O_RDONLY);
        if fd < 0 {
            return None;
        }
        let n = libc::read(fd, buf.as_mut_ptr().cast(), buf.len());
        libc::close(fd);
        n
    };
    let text = buf.get(..usize::try_from(n).ok()?)?;
    let key = b"Threads:";
    let at = text.windows(key.len()).position(|w| w == key)? + key.len();
    let mut count = 0usize;
    let mut seen_digit = false;
    for &b in &text[at..] {
        match b {
            b'0'..=b'9' => {
                count = count * 10 + usize::from(b - b'0');
                seen_digit = true;
            }
            b' ' | b'\t' if !seen_digit => {}
            _ => break,
        }
    }
    seen_digit.then_some(count)
}

// ANCHOR: fork_exit
/// One `fork()` whose child exits at once, then `waitpid`: the cheapest
/// possible process, for the start-up table.
#[cfg(unix)]
pub fn fork_and_reap() -> Result<()> {
    // SAFETY: the child calls only _exit.
    let pid = unsafe { libc::fork() };
    match pid {
        0 => unsafe { libc::_exit(0) },
        p if p < 0 => Err(std::io::Error::last_os_error().into()),
        p => wait_for(p).map(|_| ()),
    }
}
// ANCHOR_END: fork_exit

/// What `python3` on this machine does, if there is one: version, default
/// start method, and the methods it offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PythonStart {
    pub version: String,
    pub default: String,
    pub available: Vec<String>,
}

/// Asks the local `python3` for its multiprocessing start methods;
/// `None` if there is no `python3`.
pub fn python_start_methods() -> Option<PythonStart> {
    let script = "import multiprocessing as m, sys\n\
                  print(sys.version.split()[0], m.get_start_method(), *m.get_all_start_methods())";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut words = text.split_whitespace().map(str::to_owned);
    Some(PythonStart {
        version: words.next()?,
        default: words.next()?,
        available: words.collect(),
    })
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn counts_our_own_threads() {
        let n = threads_in_this_process().expect("/proc/self/status has Threads:");
        assert!(n >= 1);
    }

    #[test]
    fn a_forked_child_has_one_thread_and_a_lock_nobody_can_release() {
        let seen = held_lock_after_fork().unwrap();
        assert!(seen.parent_threads >= 2, "{seen:?}");
        assert_eq!(seen.child_threads, 1, "{seen:?}");
        assert!(seen.child_saw_lock_held, "{seen:?}");
    }

    #[test]
    fn fork_and_reap_works() {
        fork_and_reap().unwrap();
    }
}

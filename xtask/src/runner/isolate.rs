//! A private `/dev/shm` for each test.
//!
//! Graders running side by side (two terminals, `--watch` beside a full
//! check, a classroom server) must never see each other's shared memory. So
//! each test starts in a mount namespace of its own, where a folder of the
//! grader's, `/dev/shm/course-grader-<pid>/<n>`, is bind-mounted over
//! `/dev/shm`: the test and its children create, list and remove segments
//! as usual, and whatever they leave lands in that folder, which only this
//! grader looks at and removes. Without root this needs an unprivileged
//! user namespace (the test keeps its own uid in it); where the system
//! forbids that, the grader falls back to telling its tests' segments by
//! the pid in their names (see `reaper::remove_new_shm`).

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Set to `1` to turn the private `/dev/shm` off (the fallback is then used).
pub const OFF_VAR: &str = "COURSE_GRADER_NO_ISOLATION";

/// What the child needs, prepared before `fork` (nothing may allocate after it).
#[derive(Debug)]
pub struct Prepared {
    shm_dir: CString,
    uid_map: Vec<u8>,
    gid_map: Vec<u8>,
    root: bool,
}

impl Prepared {
    pub fn new(shm_dir: &Path) -> io::Result<Prepared> {
        // SAFETY: getuid/getgid/geteuid cannot fail.
        let (uid, gid, euid) = unsafe { (libc::getuid(), libc::getgid(), libc::geteuid()) };
        Ok(Prepared {
            shm_dir: CString::new(shm_dir.as_os_str().as_bytes())?,
            uid_map: format!("{uid} {uid} 1\n").into_bytes(),
            gid_map: format!("{gid} {gid} 1\n").into_bytes(),
            root: euid == 0,
        })
    }

    /// Makes `cmd` start in its own mount namespace with `shm_dir` as its
    /// `/dev/shm`.
    pub fn apply(self, cmd: &mut Command) {
        // SAFETY: the closure runs between fork and exec and only makes
        // system calls (unshare, open, write, close, mount) on data prepared
        // before the fork; it allocates nothing and takes no lock.
        unsafe {
            cmd.pre_exec(move || self.enter());
        }
    }

    fn enter(&self) -> io::Result<()> {
        let flags = if self.root {
            libc::CLONE_NEWNS
        } else {
            libc::CLONE_NEWUSER | libc::CLONE_NEWNS
        };
        check(unsafe { libc::unshare(flags) })?;
        if !self.root {
            write_proc(c"/proc/self/setgroups", b"deny")?;
            write_proc(c"/proc/self/uid_map", &self.uid_map)?;
            write_proc(c"/proc/self/gid_map", &self.gid_map)?;
        }
        // Nothing mounted here may reach the rest of the system.
        check(unsafe {
            libc::mount(
                std::ptr::null(),
                c"/".as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            )
        })?;
        check(unsafe {
            libc::mount(
                self.shm_dir.as_ptr(),
                c"/dev/shm".as_ptr(),
                std::ptr::null(),
                libc::MS_BIND,
                std::ptr::null(),
            )
        })?;
        Ok(())
    }
}

fn check(r: libc::c_int) -> io::Result<()> {
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn write_proc(path: &std::ffi::CStr, data: &[u8]) -> io::Result<()> {
    // SAFETY: open/write/close on a NUL-terminated path and a byte slice.
    unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let n = libc::write(fd, data.as_ptr().cast(), data.len());
        let err = io::Error::last_os_error();
        libc::close(fd);
        if n != data.len() as isize {
            return Err(err);
        }
    }
    Ok(())
}

/// `/dev/shm/course-grader-<pid>` when tests can get a private `/dev/shm`
/// here (tried once, on `true`), else `None`.
pub fn root_for(pid: u32) -> Option<PathBuf> {
    if std::env::var_os(OFF_VAR).is_some_and(|v| v == "1") {
        return None;
    }
    let root = PathBuf::from(format!("/dev/shm/course-grader-{pid}"));
    let probe = root.join("probe");
    std::fs::create_dir_all(&probe).ok()?;
    let works = (|| {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", ": > /dev/shm/seen"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        Prepared::new(&probe).ok()?.apply(&mut cmd);
        let ok = cmd.status().ok()?.success();
        Some(ok && probe.join("seen").exists() && !Path::new("/dev/shm/seen").exists())
    })()
    .unwrap_or(false);
    let _ = std::fs::remove_dir_all(&probe);
    if works {
        Some(root)
    } else {
        let _ = std::fs::remove_dir_all(&root);
        None
    }
}

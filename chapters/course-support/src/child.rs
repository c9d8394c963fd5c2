//! Child processes that are this same program started again in a *role*,
//! and a guard that never leaves one behind.
//!
//! Python's `multiprocessing` starts a child by running the interpreter
//! again and telling it which function to call. A Rust program does the same
//! with its own executable: `program child <role> [args...]`, where `child`
//! is a hidden subcommand ([`ROLE_COMMAND`]) whose `main` dispatches on the
//! role. Inside `cargo test`, `current_exe()` is the test harness, not the
//! lesson binary, so everything here takes the program path:
//! `Spawner::new(env!("CARGO_BIN_EXE_<crate>"))` in tests,
//! [`Spawner::current_exe`] in the binary.
//!
//! [`ChildGuard`] owns a `std::process::Child` and kills and reaps it when
//! dropped, also while the parent unwinds from a panic, so a failing demo or
//! test leaves no orphan and no zombie. A role that could outlive a killed
//! parent calls [`exit_when_orphaned`] first.
//!
//! ```no_run
//! use std::time::Duration;
//! use course_support::child::{Spawner, describe};
//!
//! let spawner = Spawner::current_exe()?;
//! let mut child = spawner.spawn("sleepy", ["--ms", "50"])?;
//! match child.wait_timeout(Duration::from_secs(5))? {
//!     Some(status) => println!("pid {} ended: {}", child.id(), describe(status)),
//!     None => println!("still running: killed by the guard when it drops"),
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

use std::ffi::OsStr;
use std::io;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// The hidden subcommand that runs a child role: `program child <role> ...`.
pub const ROLE_COMMAND: &str = "child";

/// Starts roles of one program: `program child <role> <args...>`, with stdin
/// closed (as `multiprocessing` does) and stdout/stderr inherited.
#[derive(Debug, Clone)]
pub struct Spawner {
    program: PathBuf,
}

impl Spawner {
    /// Children of the running executable (use [`Spawner::new`] in tests).
    pub fn current_exe() -> io::Result<Self> {
        Ok(Self::new(std::env::current_exe()?))
    }

    /// Children of `program`, e.g. `env!("CARGO_BIN_EXE_lesson-04-ipc")`.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
        }
    }

    /// The program every child runs.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The command for `role`, to adjust (pipes, env) before
    /// [`ChildGuard::spawn`].
    pub fn command<I, S>(&self, role: &str, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(&self.program);
        cmd.arg(ROLE_COMMAND)
            .arg(role)
            .args(args)
            .stdin(Stdio::null());
        cmd
    }

    /// Starts `role` with `args` and guards it.
    pub fn spawn<I, S>(&self, role: &str, args: I) -> io::Result<ChildGuard>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        ChildGuard::spawn(&mut self.command(role, args))
    }
}

// ANCHOR: guard
/// A child process that is killed (SIGKILL) and reaped when the guard drops,
/// unless it was already waited for. Dropping during a panic works too, so no
/// path out of the parent leaves the child running or a zombie behind.
#[derive(Debug)]
pub struct ChildGuard {
    child: Child,
    status: Option<ExitStatus>,
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if self.status.is_none() {
            // Already exited is fine: kill fails, wait reaps.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
// ANCHOR_END: guard

impl ChildGuard {
    /// Spawns `cmd` and guards the child.
    pub fn spawn(cmd: &mut Command) -> io::Result<Self> {
        Ok(Self::from(cmd.spawn()?))
    }

    /// The child's process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// How it ended, if it has been reaped.
    pub fn status(&self) -> Option<ExitStatus> {
        self.status
    }

    /// Has it exited? Reaps it if so; never blocks.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if self.status.is_none() {
            self.status = self.child.try_wait()?;
        }
        Ok(self.status)
    }

    /// Waits for it to exit, for as long as that takes.
    pub fn wait(&mut self) -> io::Result<ExitStatus> {
        if let Some(status) = self.status {
            return Ok(status);
        }
        let status = self.child.wait()?;
        self.status = Some(status);
        Ok(status)
    }

    /// Waits at most `timeout`; `None` means it is still running.
    pub fn wait_timeout(&mut self, timeout: Duration) -> io::Result<Option<ExitStatus>> {
        if self.status.is_none() {
            self.status = wait_timeout(&mut self.child, timeout)?;
        }
        Ok(self.status)
    }

    /// Kills it now (SIGKILL, which it cannot catch) and reaps it.
    pub fn kill(&mut self) -> io::Result<ExitStatus> {
        if let Some(status) = self.try_wait()? {
            return Ok(status);
        }
        self.child.kill()?;
        self.wait()
    }

    // ANCHOR: terminate
    /// Python's `Process.terminate()`: sends SIGTERM, which a program may
    /// catch to clean up, waits up to `grace`, then kills it for good.
    pub fn terminate(&mut self, grace: Duration) -> io::Result<ExitStatus> {
        if let Some(status) = self.try_wait()? {
            return Ok(status);
        }
        signal(self.id(), Signal::Term)?;
        match self.wait_timeout(grace)? {
            Some(status) => Ok(status),
            None => self.kill(),
        }
    }
    // ANCHOR_END: terminate

    /// The `std::process::Child`, to take its stdout or stderr pipes.
    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }
}

impl From<Child> for ChildGuard {
    fn from(child: Child) -> Self {
        Self {
            child,
            status: None,
        }
    }
}

/// Several guarded children: all of them are killed and reaped on drop.
#[derive(Debug, Default)]
pub struct Children {
    guards: Vec<ChildGuard>,
}

impl Children {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a child; returns its index.
    pub fn push(&mut self, guard: ChildGuard) -> usize {
        self.guards.push(guard);
        self.guards.len() - 1
    }

    /// Their pids, in order.
    pub fn pids(&self) -> Vec<u32> {
        self.guards.iter().map(ChildGuard::id).collect()
    }

    /// Waits for all of them until `timeout` has passed in total; each entry
    /// is `None` for a child still running then (the caller decides whether
    /// to kill it, or drops the set).
    pub fn wait_all(&mut self, timeout: Duration) -> io::Result<Vec<Option<ExitStatus>>> {
        let deadline = Instant::now() + timeout;
        self.guards
            .iter_mut()
            .map(|g| g.wait_timeout(deadline.saturating_duration_since(Instant::now())))
            .collect()
    }

    /// Kills every child still running and reaps them all.
    pub fn kill_all(&mut self) -> io::Result<Vec<ExitStatus>> {
        self.guards.iter_mut().map(ChildGuard::kill).collect()
    }
}

impl Deref for Children {
    type Target = [ChildGuard];
    fn deref(&self) -> &[ChildGuard] {
        &self.guards
    }
}

impl DerefMut for Children {
    fn deref_mut(&mut self) -> &mut [ChildGuard] {
        &mut self.guards
    }
}

impl FromIterator<ChildGuard> for Children {
    fn from_iter<I: IntoIterator<Item = ChildGuard>>(iter: I) -> Self {
        Self {
            guards: iter.into_iter().collect(),
        }
    }
}

// ANCHOR: wait_timeout
/// `Child::wait` with a time limit: polls `try_wait`, sleeping a little
/// longer each time (from 100 µs up to 10 ms). `None`: still running.
pub fn wait_timeout(child: &mut Child, timeout: Duration) -> io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + timeout;
    let mut nap = Duration::from_micros(100);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(None);
        }
        thread::sleep(nap.min(deadline - now));
        nap = (nap * 2).min(Duration::from_millis(10));
    }
}
// ANCHOR_END: wait_timeout

// ANCHOR: watchdog
/// Kills a set of children (SIGKILL) if it is not stopped before a
/// deadline. Lets the parent block in a plain `recv()` (no timeout, one
/// system call per message) and still never wait forever: when the
/// watchdog fires, the children die, their channel ends close, and the
/// parent's `recv` returns an error.
///
/// Stop it (or drop it) **before** reaping the children: a pid is only
/// reserved until its process is reaped.
#[derive(Debug)]
pub struct Watchdog {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<thread::JoinHandle<bool>>,
}

impl Watchdog {
    /// Arms a watchdog over `pids` that fires after `timeout`.
    pub fn start(pids: Vec<u32>, timeout: Duration) -> Self {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(timeout) {
                for pid in pids {
                    let _ = signal(pid, Signal::Kill);
                }
                return true;
            }
            false
        });
        Watchdog {
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Disarms it; `true` if it had already fired (and killed the children).
    pub fn stop(mut self) -> bool {
        self.disarm()
    }

    fn disarm(&mut self) -> bool {
        drop(self.stop.take());
        self.thread
            .take()
            .is_some_and(|t| t.join().unwrap_or(false))
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.disarm();
    }
}
// ANCHOR_END: watchdog

/// Signals this module can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM: "please stop" (Python's `terminate()`).
    Term,
    /// SIGKILL: stop now; cannot be caught (Python's `kill()`).
    Kill,
}

/// Sends `sig` to process `pid`.
#[cfg(unix)]
pub fn signal(pid: u32, sig: Signal) -> io::Result<()> {
    let sig = match sig {
        Signal::Term => libc::SIGTERM,
        Signal::Kill => libc::SIGKILL,
    };
    let pid = libc::pid_t::try_from(pid).map_err(io::Error::other)?;
    // SAFETY: kill(2) takes two integers and touches no memory of ours.
    if unsafe { libc::kill(pid, sig) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Sends `sig` to process `pid` (only SIGKILL-like termination off Unix).
#[cfg(not(unix))]
pub fn signal(_pid: u32, _sig: Signal) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "signals need a Unix system",
    ))
}

/// Is there still a process (running, or a zombie nobody reaped) with this
/// pid? After a guard is dropped, its pid must be gone.
#[cfg(unix)]
pub fn exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; it sends nothing.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Is there still a process with this pid? (Unknown off Unix: `false`.)
#[cfg(not(unix))]
pub fn exists(_pid: u32) -> bool {
    false
}

/// How a child ended, in words: `exit code 3`, `killed by SIGTERM (signal 15)`.
pub fn describe(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit code {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return match signal_name(sig) {
                Some(name) => format!("killed by {name} (signal {sig})"),
                None => format!("killed by signal {sig}"),
            };
        }
    }
    status.to_string()
}

/// Python's `Process.exitcode` for the same ending: the exit code, or minus
/// the signal number (`-15` after `terminate()`).
pub fn python_exitcode(status: ExitStatus) -> Option<i32> {
    if let Some(code) = status.code() {
        return Some(code);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status.signal().map(|s| -s)
    }
    #[cfg(not(unix))]
    None
}

fn signal_name(sig: i32) -> Option<&'static str> {
    Some(match sig {
        1 => "SIGHUP",
        2 => "SIGINT",
        6 => "SIGABRT",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => return None,
    })
}

/// For a child role: exits this process (code 1) soon after its parent is
/// gone, e.g. killed with SIGKILL before its guards could run. A thread
/// checks the parent pid every 100 ms; when the parent dies the child is
/// re-parented, so the pid changes.
#[cfg(unix)]
pub fn exit_when_orphaned() {
    let parent = std::os::unix::process::parent_id();
    thread::spawn(move || {
        loop {
            thread::sleep(Duration::from_millis(100));
            if std::os::unix::process::parent_id() != parent {
                std::process::exit(1);
            }
        }
    });
}

/// For a child role: no-op off Unix.
#[cfg(not(unix))]
pub fn exit_when_orphaned() {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> ChildGuard {
        ChildGuard::spawn(Command::new("sh").args(["-c", script])).expect("sh runs")
    }

    #[test]
    fn command_puts_the_role_first() {
        let cmd = Spawner::new("/bin/prog").command("producer", ["--id", "3"]);
        let args: Vec<_> = cmd.get_args().collect();
        assert_eq!(cmd.get_program(), "/bin/prog");
        assert_eq!(args, [ROLE_COMMAND, "producer", "--id", "3"]);
    }

    #[test]
    fn exit_codes_come_back() {
        let mut child = sh("exit 3");
        let status = child.wait_timeout(Duration::from_secs(10)).unwrap();
        let status = status.expect("sh exits at once");
        assert_eq!(status.code(), Some(3));
        assert_eq!(describe(status), "exit code 3");
        assert_eq!(python_exitcode(status), Some(3));
    }

    #[test]
    fn wait_timeout_returns_none_while_running() {
        let mut child = sh("sleep 30");
        let r = child.wait_timeout(Duration::from_millis(20)).unwrap();
        assert!(r.is_none(), "sleep 30 cannot have ended: {r:?}");
        let status = child.kill().unwrap();
        assert_eq!(describe(status), "killed by SIGKILL (signal 9)");
        assert!(!exists(child.id()), "killed and reaped");
    }

    #[test]
    fn terminate_sends_sigterm() {
        let mut child = sh("sleep 30");
        let status = child.terminate(Duration::from_secs(10)).unwrap();
        assert_eq!(describe(status), "killed by SIGTERM (signal 15)");
        assert_eq!(python_exitcode(status), Some(-15));
        assert!(!exists(child.id()));
    }

    #[test]
    fn terminate_falls_back_to_kill() {
        // Ignores SIGTERM, so only SIGKILL after the grace period stops it.
        let mut child = sh("trap '' TERM; while :; do sleep 1; done");
        // Give sh a moment to install the trap before we signal it.
        thread::sleep(Duration::from_millis(100));
        let status = child.terminate(Duration::from_millis(100)).unwrap();
        assert_eq!(describe(status), "killed by SIGKILL (signal 9)");
    }

    #[test]
    fn dropping_the_guard_kills_and_reaps() {
        let pid = {
            let child = sh("sleep 30");
            assert!(exists(child.id()));
            child.id()
        };
        assert!(
            !exists(pid),
            "pid {pid} still exists after the guard dropped"
        );
    }

    #[test]
    fn a_panicking_parent_leaves_no_child() {
        let (tx, rx) = std::sync::mpsc::channel();
        let result = thread::spawn(move || {
            let mut kids: Children = (0..3).map(|_| sh("sleep 30")).collect();
            tx.send(kids.pids()).unwrap();
            kids[0].try_wait().unwrap();
            panic!("the parent fails with children running");
        })
        .join();
        assert!(result.is_err());
        for pid in rx.recv().unwrap() {
            assert!(!exists(pid), "pid {pid} outlived its panicking parent");
        }
    }

    #[test]
    fn a_watchdog_kills_on_time_and_not_after_stop() {
        let mut slow = sh("sleep 30");
        let fired = Watchdog::start(vec![slow.id()], Duration::from_millis(50));
        let status = slow.wait_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(
            status.map(describe).as_deref(),
            Some("killed by SIGKILL (signal 9)")
        );
        assert!(fired.stop(), "it fired");

        let mut quick = sh("sleep 30");
        let dog = Watchdog::start(vec![quick.id()], Duration::from_secs(60));
        assert!(!dog.stop(), "stopped before the deadline");
        assert!(
            quick
                .wait_timeout(Duration::from_millis(50))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn wait_all_and_kill_all() {
        let mut kids: Children = [sh("exit 0"), sh("exit 7"), sh("sleep 30")]
            .into_iter()
            .collect();
        let statuses = kids.wait_all(Duration::from_millis(500)).unwrap();
        assert_eq!(statuses[0].and_then(|s| s.code()), Some(0));
        assert_eq!(statuses[1].and_then(|s| s.code()), Some(7));
        assert!(statuses[2].is_none());
        let ended = kids.kill_all().unwrap();
        assert_eq!(ended[1].code(), Some(7), "kill_all keeps earlier endings");
        assert!(ended[2].code().is_none());
    }
}

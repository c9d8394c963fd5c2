//! The server processes every scenario starts, Rust's and Python's alike,
//! and the guarantee that none outlives the run.
//!
//! The parent binds the listening socket and hands it to the server as file
//! descriptor 3, as Gunicorn's arbiter hands its socket to its workers: the
//! port is known before the server starts, and a pre-forked server's workers
//! inherit the very same socket. Each server runs in a process group of its
//! own; dropping its [`ServerProcess`] kills the whole group (the server and
//! any workers it forked), and so does Ctrl-C ([`install_cleanup`]). If this
//! program is killed outright, the kernel kills the group's leader
//! (`PR_SET_PDEATHSIG`), and pre-forked workers follow their parent.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use course_support::child::ChildGuard;

/// The descriptor a server finds its listening socket on.
pub const LISTEN_FD: i32 = 3;

static GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());
static PATHS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Ctrl-C (and SIGTERM, SIGHUP) kill every server group still running and
/// remove every registered temporary folder, then end with code 130.
pub fn install_cleanup() {
    let _ = ctrlc::set_handler(|| {
        for group in GROUPS.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            // SAFETY: kill(2) takes two integers and touches no memory of ours.
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
        for path in PATHS.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = std::fs::remove_dir_all(path);
        }
        eprintln!("interrupted: servers killed, temporary files removed");
        std::process::exit(130);
    });
}

/// A folder that Ctrl-C removes too (a `TempDir` removes itself on drop).
#[derive(Debug)]
pub struct TempFolder {
    dir: Option<tempfile::TempDir>,
}

impl TempFolder {
    pub fn new(prefix: &str) -> io::Result<Self> {
        let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
        PATHS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(dir.path().to_path_buf());
        Ok(Self { dir: Some(dir) })
    }

    pub fn path(&self) -> &std::path::Path {
        self.dir
            .as_ref()
            .map(|d| d.path())
            .expect("present until drop")
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let path = dir.path().to_path_buf();
            drop(dir);
            PATHS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|p| *p != path);
        }
    }
}

/// A loopback listening socket with a deep accept queue: 10,000 clients
/// connecting at once would overflow std's default backlog of 128 and wait
/// a second per dropped SYN.
pub fn listener() -> io::Result<TcpListener> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    let one: libc::c_int = 1;
    // SAFETY: listen(2) and setsockopt(2) on our own socket; a second listen
    // only changes the backlog. Accepted sockets inherit TCP_NODELAY, so no
    // server (ours or Python's) waits 40 ms for a delayed ACK between its
    // headers and its body.
    unsafe {
        libc::listen(l.as_raw_fd(), 4096);
        libc::setsockopt(
            l.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
    Ok(l)
}

// ANCHOR: spawn
/// A server (and all it forks) in a process group of its own, with the
/// listening socket on descriptor 3; the whole group is killed on drop.
#[derive(Debug)]
pub struct ServerProcess {
    pub name: String,
    pub addr: SocketAddr,
    leader: ChildGuard,
}

impl ServerProcess {
    pub fn spawn(name: &str, cmd: &mut Command, listener: &TcpListener) -> io::Result<Self> {
        // Python's servers print a traceback for every connection a client
        // closes under them; the table is what matters here
        // (SCENARIOS_SERVER_STDERR=1 shows them).
        if std::env::var_os("SCENARIOS_SERVER_STDERR").is_none() {
            cmd.stderr(Stdio::null());
        }
        Self::spawn_with(name, cmd.stdout(Stdio::null()), listener)
    }

    /// [`Self::spawn`] with stdout piped, for a server that reports a result
    /// when it ends ([`Self::wait_output`]).
    pub fn spawn_reporting(
        name: &str,
        cmd: &mut Command,
        listener: &TcpListener,
    ) -> io::Result<Self> {
        Self::spawn_with(name, cmd.stdout(Stdio::piped()), listener)
    }

    fn spawn_with(name: &str, cmd: &mut Command, listener: &TcpListener) -> io::Result<Self> {
        let fd = listener.as_raw_fd();
        cmd.stdin(Stdio::null()).process_group(0);
        // SAFETY: between fork and exec only async-signal-safe calls: dup2,
        // fcntl and prctl touch nothing but descriptors and this process.
        unsafe {
            cmd.pre_exec(move || {
                if fd == LISTEN_FD {
                    libc::fcntl(fd, libc::F_SETFD, 0); // keep it across exec
                } else if libc::dup2(fd, LISTEN_FD) < 0 {
                    return Err(io::Error::last_os_error());
                }
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let leader = ChildGuard::spawn(cmd)?;
        let group = leader.id() as i32;
        GROUPS.lock().unwrap_or_else(|e| e.into_inner()).push(group);
        Ok(Self {
            name: name.to_owned(),
            addr: listener.local_addr()?,
            leader,
        })
    }
    // ANCHOR_END: spawn

    /// The group's id (the leader's pid).
    pub fn group(&self) -> u32 {
        self.leader.id()
    }

    /// Every live process of the group: the server and its workers.
    pub fn pids(&self) -> Vec<u32> {
        group_members(self.group())
    }

    /// Memory of the whole group now: the sum of each process's PSS
    /// (shared pages divided among the processes that share them, so a
    /// pre-forked server's common code is not counted once per worker).
    pub fn memory_kib(&self) -> Option<u64> {
        let pids = self.pids();
        if pids.is_empty() {
            return None;
        }
        Some(pids.iter().filter_map(|p| pss_kib(*p)).sum())
    }

    /// Has the leader exited? (Then it never answers.)
    pub fn exited(&mut self) -> Option<String> {
        match self.leader.try_wait() {
            Ok(Some(status)) => Some(course_support::child::describe(status)),
            _ => None,
        }
    }

    /// Waits until `probe` succeeds (the server answers), at most `limit`.
    pub fn wait_ready(
        &mut self,
        limit: Duration,
        mut probe: impl FnMut(SocketAddr) -> bool,
    ) -> io::Result<()> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.exited() {
                return Err(io::Error::other(format!(
                    "{} ended before it answered ({status})",
                    self.name
                )));
            }
            if probe(self.addr) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(io::Error::other(format!(
            "{} did not answer within {limit:?}",
            self.name
        )))
    }

    /// Waits at most `limit` for the leader to exit by itself and returns
    /// what it printed (spawned with [`Self::spawn_reporting`]).
    pub fn wait_output(&mut self, limit: Duration) -> io::Result<String> {
        use std::io::Read;
        let Some(mut out) = self.leader.child_mut().stdout.take() else {
            return Err(io::Error::other("stdout was not captured"));
        };
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = out.read_to_string(&mut text);
            text
        });
        match self.leader.wait_timeout(limit)? {
            Some(status) if status.success() => Ok(reader.join().unwrap_or_default()),
            Some(status) => Err(io::Error::other(format!(
                "{} failed: {}",
                self.name,
                course_support::child::describe(status)
            ))),
            None => {
                // Kill the group so the reader sees the pipe close.
                // SAFETY: kill(2) takes two integers and touches no memory of ours.
                unsafe { libc::kill(-(self.leader.id() as i32), libc::SIGKILL) };
                let _ = reader.join();
                Err(io::Error::other(format!(
                    "{} did not finish within {limit:?}: killed",
                    self.name
                )))
            }
        }
    }

    /// Kills the group and reaps the leader; returns the pids it had.
    pub fn stop(self) -> Vec<u32> {
        let pids = self.pids();
        drop(self);
        pids
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let group = self.leader.id() as i32;
        // SAFETY: kill(2) takes two integers and touches no memory of ours.
        unsafe { libc::kill(-group, libc::SIGKILL) };
        let _ = self.leader.kill();
        GROUPS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|g| *g != group);
    }
}

/// Live (not zombie) processes whose process group is `group`.
pub fn group_members(group: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // After the command's ")": state, ppid, pgrp, ...
            let Some((_, rest)) = stat.rsplit_once(") ") else {
                return false;
            };
            let mut f = rest.split_whitespace();
            let state = f.next();
            let pgrp = f.nth(1).and_then(|g| g.parse::<u32>().ok());
            state != Some("Z") && pgrp == Some(group)
        })
        .collect()
}

/// Proportional set size of `pid` in KiB (its RSS if PSS is not readable).
pub fn pss_kib(pid: u32) -> Option<u64> {
    let field = |file: &str, name: &str| -> Option<u64> {
        let text = std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix(name))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    field("smaps_rollup", "Pss:").or_else(|| field("status", "VmRSS:"))
}

/// The inherited listening socket of a server role.
pub fn inherited_listener() -> io::Result<TcpListener> {
    use std::os::fd::FromRawFd;
    // SAFETY: the parent put a listening TCP socket on LISTEN_FD; we take it once.
    let l = unsafe { TcpListener::from_raw_fd(LISTEN_FD) };
    l.local_addr()?; // fails if it is not a socket
    Ok(l)
}

/// Samples a server's memory every `every` on a thread until stopped; the
/// peak is what the table shows.
#[derive(Debug)]
pub struct MemorySampler {
    stop: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<Option<u64>>,
}

impl MemorySampler {
    pub fn start(group: u32, every: Duration) -> Self {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let mut peak = None;
            loop {
                let pids = group_members(group);
                let now: u64 = pids.iter().filter_map(|p| pss_kib(*p)).sum();
                if !pids.is_empty() {
                    peak = Some(peak.unwrap_or(0).max(now));
                }
                if !matches!(
                    stopped.recv_timeout(every),
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                ) {
                    return peak;
                }
            }
        });
        Self { stop, thread }
    }

    /// The peak memory seen, in KiB.
    pub fn finish(self) -> Option<u64> {
        drop(self.stop);
        self.thread.join().ok().flatten()
    }
}

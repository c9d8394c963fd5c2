//! Leaving nothing behind, whatever way the grader ends.
//!
//! Every test runs in its own process group, tagged with an environment
//! variable that its descendants inherit (`COURSE_GRADER_TEST=<grader pid>.<n>`).
//! The grader is a Linux "child subreaper": a process that a test detached
//! (double fork, `setsid`) is re-parented to the grader rather than to init,
//! so it can still be found and killed.
//!
//! One [`Run`] per grader process holds what the run owns: the live test
//! groups, a private folder for test logs and the per-test shared-memory
//! folders. [`install`] blocks SIGINT, SIGTERM and SIGHUP and waits for them on
//! a thread of its own, and adds a panic hook: on a signal the running tests
//! are killed at once and the grader reports what finished; on a panic, or if
//! the report does not come within a few seconds, everything is killed and
//! removed right there.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The environment variable that marks every process of one test.
pub const TAG_VAR: &str = "COURSE_GRADER_TEST";

/// What one grader process owns.
#[derive(Debug)]
pub struct Run {
    /// Private folder for the tests' result logs.
    pub log_dir: PathBuf,
    /// Parent of the per-test `/dev/shm` folders, when tests get a private
    /// `/dev/shm` (see `runner::isolate`).
    pub shm_root: Option<PathBuf>,
    next_test: AtomicU64,
    /// Process groups of the tests running now.
    live: Mutex<BTreeSet<u32>>,
    /// Other children to kill on the way out (cargo, gdb).
    helpers: Mutex<BTreeSet<u32>>,
}

static RUN: OnceLock<Run> = OnceLock::new();
/// The signal that interrupted the run, or 0.
static INTERRUPTED: AtomicI32 = AtomicI32::new(0);
/// Set when the grader itself panicked: no new test may start.
static PANICKED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether the run is ending (a signal, or a panic of the grader's own).
pub fn stopping() -> bool {
    interrupted().is_some() || PANICKED.load(Ordering::SeqCst)
}

/// Sets up the run (once per process): subreaper, signal thread, panic hook,
/// private folders. Call before any other thread is started.
pub fn install() -> &'static Run {
    RUN.get_or_init(|| {
        become_subreaper();
        catch_and_watch_signals();
        install_panic_hook();
        let me = std::process::id();
        let log_dir = std::env::temp_dir().join(format!("course-grader-{me}"));
        let _ = fs::remove_dir_all(&log_dir);
        let _ = fs::create_dir_all(&log_dir);
        sweep_stale_runs();
        let shm_root = crate::runner::isolation_root(me);
        Run {
            log_dir,
            shm_root,
            next_test: AtomicU64::new(0),
            live: Mutex::new(BTreeSet::new()),
            helpers: Mutex::new(BTreeSet::new()),
        }
    })
}

impl Run {
    /// A fresh tag for one test: `<grader pid>.<n>`.
    pub fn next_tag(&self) -> (u64, String) {
        let n = self.next_test.fetch_add(1, Ordering::Relaxed);
        (n, format!("{}.{n}", std::process::id()))
    }

    pub fn started(&self, pgid: u32) {
        lock(&self.live).insert(pgid);
        // A signal that came while the test was being started: stop it now.
        if stopping() {
            kill_group(pgid);
        }
    }

    pub fn finished(&self, pgid: u32) {
        lock(&self.live).remove(&pgid);
    }

    pub fn helper_started(&self, pid: u32) {
        lock(&self.helpers).insert(pid);
    }

    pub fn helper_finished(&self, pid: u32) {
        lock(&self.helpers).remove(&pid);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The signal that interrupted this run, if one did.
pub fn interrupted() -> Option<i32> {
    match INTERRUPTED.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

pub fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGINT => "SIGINT (Ctrl-C)",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP (the terminal was closed)",
        _ => "a signal",
    }
}

/// Kills every running test (and helper) at once; the threads that wait for
/// them then report them as stopped.
fn stop_running_tests() {
    if let Some(run) = RUN.get() {
        for &pgid in lock(&run.live).iter() {
            kill_group(pgid);
        }
        for &pid in lock(&run.helpers).iter() {
            kill_pid(pid);
        }
    }
}

/// Everything this run started goes, and everything it made is removed:
/// the live tests' groups, every process re-parented to us, the private
/// folders. Safe to call more than once.
pub fn cleanup_all() {
    stop_running_tests();
    sweep_children(|_| true);
    if let Some(run) = RUN.get() {
        let _ = fs::remove_dir_all(&run.log_dir);
        if let Some(root) = &run.shm_root {
            let _ = fs::remove_dir_all(root);
        }
    }
}

fn become_subreaper() {
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER takes one integer argument
    // and only changes how orphans of this process are re-parented.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

/// The write end of the pipe the signal handler writes a caught signal to.
static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(sig: libc::c_int) {
    let fd = SIGNAL_PIPE.load(Ordering::SeqCst);
    let byte = sig as u8;
    // SAFETY: write(2) is async-signal-safe; a full pipe only drops a byte.
    unsafe {
        libc::write(fd, (&raw const byte).cast(), 1);
    }
}

/// Catches the three signals with a handler that writes them to a pipe, and
/// handles them on a thread of its own that reads it. A handler, not a
/// blocked mask and `sigwait`: a blocked mask is inherited by every process
/// the grader starts (tests, cargo, Python), which then could not be stopped
/// with SIGTERM; a handler is reset to the default at `exec`.
fn catch_and_watch_signals() {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two descriptors we own; O_CLOEXEC keeps them out
    // of every child.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return;
    }
    SIGNAL_PIPE.store(fds[1], Ordering::SeqCst);
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: installs a handler that only calls write(2); a zeroed
        // sigaction with an empty mask is valid.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            libc::sigaction(sig, &action, &mut old);
            if old.sa_sigaction == libc::SIG_IGN {
                // Ignored when we started (nohup, a background job): keep it so.
                libc::sigaction(sig, &old, std::ptr::null_mut());
            }
        }
    }
    let read_fd = fds[0];
    std::thread::spawn(move || {
        loop {
            let mut byte = 0u8;
            // SAFETY: reads one byte into a local from the pipe we own.
            let n = unsafe { libc::read(read_fd, (&raw mut byte).cast(), 1) };
            if n != 1 {
                if n < 0
                    && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted
                {
                    continue;
                }
                return;
            }
            let sig = i32::from(byte);
            if INTERRUPTED
                .compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
            {
                // A second signal: no more waiting for the report.
                cleanup_all();
                // SAFETY: ends the process at once, as a signal would.
                unsafe { libc::_exit(128 + sig) };
            }
            stop_running_tests();
            // The main thread now reports what finished and cleans up; if it
            // cannot (say, stuck writing to a closed terminal), do it here.
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(5));
                cleanup_all();
                // SAFETY: as above.
                unsafe { libc::_exit(128 + sig) };
            });
        }
    });
}

fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A panic of the grader itself: nothing it started may outlive it.
        PANICKED.store(true, Ordering::SeqCst);
        cleanup_all();
        default(info);
    }));
}

/// Sends SIGKILL to every process of group `pgid`.
pub fn kill_group(pgid: u32) {
    // SAFETY: kill(2) with a negative pid signals a process group; a group
    // that no longer exists only yields ESRCH, which we ignore.
    unsafe {
        libc::kill(-(pgid as libc::pid_t), libc::SIGKILL);
    }
}

fn kill_pid(pid: u32) {
    // SAFETY: signals one process; ESRCH is ignored.
    unsafe {
        libc::kill(pid as libc::pid_t, libc::SIGKILL);
    }
}

/// What the clean-up after one test found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    /// Processes still running after the test ended, killed: `pid command`.
    pub running: Vec<String>,
    /// Processes that had finished but were never waited for (zombies), reaped.
    pub zombies: usize,
}

/// A process seen in /proc.
#[derive(Debug, Clone)]
pub struct Proc {
    pub pid: u32,
    pub ppid: u32,
    pub pgrp: u32,
    pub state: char,
}

/// Every process on the system, from /proc/*/stat.
pub fn processes() -> Vec<Proc> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(read_proc)
        .collect()
}

/// Fields of /proc/PID/stat; the command name may hold spaces and
/// parentheses, so fields are read after the last `)`.
pub fn read_proc(pid: u32) -> Option<Proc> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut rest = stat[stat.rfind(')')? + 1..].split_whitespace();
    let state = rest.next()?.chars().next()?;
    let ppid = rest.next()?.parse().ok()?;
    let pgrp = rest.next()?.parse().ok()?;
    Some(Proc {
        pid,
        ppid,
        pgrp,
        state,
    })
}

/// The test tag in a process's environment, if it has one.
pub fn tag_of(pid: u32) -> Option<String> {
    let env = fs::read(format!("/proc/{pid}/environ")).ok()?;
    let key = format!("{TAG_VAR}=");
    env.split(|&b| b == 0)
        .find_map(|kv| kv.strip_prefix(key.as_bytes()))
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

fn command_line(pid: u32) -> String {
    let raw = fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let mut line = String::from_utf8_lossy(&raw).replace('\0', " ");
    line.truncate(line.trim_end().len().min(100));
    line
}

/// Pids whose parent is `parent`.
#[cfg(test)]
fn children_of(parent: u32) -> Vec<u32> {
    processes()
        .into_iter()
        .filter(|p| p.ppid == parent)
        .map(|p| p.pid)
        .collect()
}

/// After test `tag` (process group `pgid`) ended: gives what it left a short
/// grace to end by itself, then kills its group and every process
/// re-parented to the grader that carries its tag (repeatedly: killing one
/// can orphan its own children, which then come to us), and reaps them.
/// Zombies are reaped and counted apart: they were not running.
pub fn sweep_test(pgid: u32, tag: &str) -> Swept {
    let me = std::process::id();
    let mine = |p: &Proc| {
        p.pid != me && (p.pgrp == pgid || (p.ppid == me && tag_of(p.pid).as_deref() == Some(tag)))
    };
    // Processes on their way out (killed by the test, or ending as their
    // pipes close) get a moment before they count as left running.
    let deadline = Instant::now() + Duration::from_millis(150);
    loop {
        let alive = processes()
            .iter()
            .filter(|p| mine(p) && p.state != 'Z' && p.state != 'X')
            .count();
        if alive == 0 || Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut swept = Swept::default();
    let mut seen = BTreeSet::new();
    for _ in 0..50 {
        // Seen (running or zombie) before anything is killed, so that what
        // the kill itself turns into zombies is not counted as such.
        let found: Vec<Proc> = processes().into_iter().filter(|p| mine(p)).collect();
        if found.is_empty() {
            break;
        }
        for p in &found {
            if seen.insert(p.pid) {
                if p.state == 'Z' || p.state == 'X' {
                    if p.ppid == me {
                        swept.zombies += 1;
                    }
                } else {
                    swept
                        .running
                        .push(format!("{} {}", p.pid, command_line(p.pid)));
                }
            }
            kill_pid(p.pid);
        }
        kill_group(pgid);
        reap_children(&found);
        std::thread::sleep(Duration::from_millis(5));
    }
    swept
}

/// Reaps those of `procs` that are our children (without blocking long).
fn reap_children(procs: &[Proc]) {
    let me = std::process::id();
    for p in procs.iter().filter(|p| p.ppid == me) {
        for _ in 0..200 {
            // SAFETY: reaps our own child, without blocking.
            let r =
                unsafe { libc::waitpid(p.pid as libc::pid_t, std::ptr::null_mut(), libc::WNOHANG) };
            if r != 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// Kills and reaps every child of the grader for which `which` holds, and
/// whatever they leave orphaned. Returns how many processes were running.
pub fn sweep_children(which: impl Fn(u32) -> bool) -> usize {
    let me = std::process::id();
    let mut killed = BTreeSet::new();
    for _ in 0..50 {
        let found: Vec<Proc> = processes()
            .into_iter()
            .filter(|p| p.ppid == me && which(p.pid))
            .collect();
        if found.is_empty() {
            break;
        }
        for p in &found {
            if p.state != 'Z' && p.state != 'X' {
                killed.insert(p.pid);
            }
            // Its whole group too, when it leads one (a test, cargo).
            if p.pgrp == p.pid {
                kill_group(p.pid);
            }
            kill_pid(p.pid);
        }
        reap_children(&found);
    }
    killed.len()
}

/// Removes what earlier graders that were killed outright (SIGKILL, power
/// loss) left: their private folders, when their process is gone.
fn sweep_stale_runs() {
    let dirs = [std::env::temp_dir(), PathBuf::from("/dev/shm")];
    for dir in dirs {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name
                .strip_prefix("course-grader-")
                .and_then(|p| p.parse::<u32>().ok())
            else {
                continue;
            };
            if !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// The names in /dev/shm (POSIX shared memory) right now.
pub fn shm_snapshot() -> BTreeSet<String> {
    let Ok(entries) = fs::read_dir(Path::new("/dev/shm")) else {
        return BTreeSet::new();
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Without a private `/dev/shm` per test: removes the entries that appeared
/// since `before` and that this test's processes made. The course names
/// every segment `<prefix><creator's pid>-<n>`, so an entry is the test's
/// when a number in its name is the pid of one of its processes (`pids`,
/// watched while it ran). Entries some live process still has open or
/// mapped are left alone. Returns the names removed.
pub fn remove_new_shm(before: &BTreeSet<String>, pids: &BTreeSet<u32>) -> Vec<String> {
    let new: Vec<String> = shm_snapshot()
        .difference(before)
        .filter(|name| {
            name.split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse::<u32>().ok())
                .any(|n| pids.contains(&n))
        })
        .cloned()
        .collect();
    if new.is_empty() {
        return new;
    }
    let in_use = shm_in_use();
    let leaked: Vec<String> = new.into_iter().filter(|n| !in_use.contains(n)).collect();
    for name in &leaked {
        let _ = fs::remove_file(Path::new("/dev/shm").join(name));
    }
    leaked
}

/// Names in /dev/shm that some process has open (fd) or mapped.
fn shm_in_use() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let Ok(procs) = fs::read_dir("/proc") else {
        return names;
    };
    for proc in procs.filter_map(|e| e.ok()).map(|e| e.path()) {
        if let Ok(fds) = fs::read_dir(proc.join("fd")) {
            for fd in fds.filter_map(|e| e.ok()) {
                if let Ok(target) = fs::read_link(fd.path())
                    && let Ok(name) = target.strip_prefix("/dev/shm")
                {
                    names.insert(name.to_string_lossy().into_owned());
                }
            }
        }
        if let Ok(maps) = fs::read_to_string(proc.join("maps")) {
            for line in maps.lines() {
                if let Some(at) = line.find("/dev/shm/") {
                    let name = line[at + "/dev/shm/".len()..].trim_end_matches(" (deleted)");
                    names.insert(name.to_owned());
                }
            }
        }
    }
    names
}

/// The processes of one test: its process group, their descendants, and
/// the processes re-parented to the grader that carry its tag.
pub fn test_tree(pgid: u32, tag: &str) -> Vec<u32> {
    let me = std::process::id();
    let all = processes();
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for p in &all {
        children.entry(p.ppid).or_default().push(p.pid);
    }
    let mut tree: BTreeSet<u32> = all
        .iter()
        .filter(|p| {
            p.pid != me
                && (p.pgrp == pgid
                    || (p.ppid == me && p.pid != pgid && tag_of(p.pid).as_deref() == Some(tag)))
        })
        .map(|p| p.pid)
        .collect();
    let mut todo: Vec<u32> = tree.iter().copied().collect();
    while let Some(pid) = todo.pop() {
        for &c in children.get(&pid).map(Vec::as_slice).unwrap_or(&[]) {
            if tree.insert(c) {
                todo.push(c);
            }
        }
    }
    tree.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_the_grader_starts_can_be_stopped_by_signals() {
        // After the run is set up, a child must not inherit a blocked
        // SIGINT/SIGTERM/SIGHUP: a test that stops its workers with SIGTERM
        // (or Python's Pool.terminate) would hang otherwise.
        install();
        let out = std::process::Command::new("sh")
            .args(["-c", "grep SigBlk /proc/self/status"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let mask = text.trim().trim_start_matches("SigBlk:").trim();
        assert!(
            mask.chars().all(|c| c == '0'),
            "a child of the grader starts with signals blocked: {text}"
        );
    }

    #[test]
    fn reads_own_parent() {
        let me = std::process::id();
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        assert_eq!(read_proc(child.id()).map(|p| p.ppid), Some(me));
        assert!(children_of(me).contains(&child.id()));
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn only_segments_named_after_our_processes_are_removed() {
        let before = shm_snapshot();
        let me = std::process::id();
        let ours = format!("xtask-test-{me}-0");
        let theirs = format!("xtask-test-other-{}-0", u32::MAX - 1);
        for name in [&ours, &theirs] {
            if fs::write(Path::new("/dev/shm").join(name), b"x").is_err() {
                return; // no /dev/shm on this system: nothing to test
            }
        }
        let removed = remove_new_shm(&before, &BTreeSet::from([me]));
        assert!(removed.contains(&ours), "{removed:?}");
        assert!(!removed.contains(&theirs), "{removed:?}");
        assert!(Path::new("/dev/shm").join(&theirs).exists());
        fs::remove_file(Path::new("/dev/shm").join(&theirs)).unwrap();
    }

    #[test]
    fn segments_in_use_are_left_alone() {
        let before = shm_snapshot();
        let me = std::process::id();
        let name = format!("xtask-test-open-{me}");
        let path = Path::new("/dev/shm").join(&name);
        let Ok(file) = fs::File::create(&path) else {
            return; // no /dev/shm on this system: nothing to test
        };
        assert!(
            remove_new_shm(&before, &BTreeSet::from([me])).is_empty(),
            "an open segment was removed"
        );
        assert!(path.exists());
        drop(file);
        fs::remove_file(path).unwrap();
    }
}

//! Telling a deadlock early, and showing where the threads are stuck.
//!
//! A test whose every thread (in every one of its processes) sits in a wait
//! with no time limit (a lock, a condition variable, a channel, a join, a
//! read from a pipe) and has not run for [`STUCK_FOR`] can never go on: no
//! thread is left to wake the others. That is a deadlock, and it is judged
//! then rather than at the time limit. Linux shows each thread's state, the
//! system call it waits in with its arguments (`/proc/PID/task/TID/syscall`)
//! and how long it has run (`schedstat`), so this needs no debugger. Where
//! the threads are, in the learner's files, comes from gdb when it is
//! installed, else from /proc alone.

use std::collections::BTreeMap;
use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long every thread must have waited, untouched, to call it a deadlock.
pub const STUCK_FOR: Duration = Duration::from_millis(2000);

/// One look at a test's threads: per thread, how much it has run.
type Sample = BTreeMap<(u32, u32), (u64, u64)>;

/// Watches a test for a deadlock, one sample at a time.
#[derive(Debug, Default)]
pub struct Watch {
    last: Option<Sample>,
    since: Option<Instant>,
}

impl Watch {
    /// Looks at `pids`; true once every thread has been in an endless wait,
    /// without running at all, for [`STUCK_FOR`].
    pub fn stuck(&mut self, pids: &[u32]) -> bool {
        let now = Instant::now();
        let Some(sample) = sample(pids) else {
            self.last = None;
            self.since = None;
            return false;
        };
        if self.last.as_ref() == Some(&sample) {
            let since = *self.since.get_or_insert(now);
            now.duration_since(since) >= STUCK_FOR
        } else {
            self.last = Some(sample);
            self.since = Some(now);
            false
        }
    }
}

/// The run time of every thread of `pids`, or `None` when some thread runs
/// or waits for something that ends by itself (a sleep, a timed wait).
fn sample(pids: &[u32]) -> Option<Sample> {
    let mut sample = Sample::new();
    for &pid in pids {
        let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
            continue; // gone meanwhile
        };
        for task in tasks.filter_map(|e| e.ok()) {
            let Some(tid) = task.file_name().to_str().and_then(|t| t.parse().ok()) else {
                continue;
            };
            let dir = task.path();
            let state = task_state(&fs::read_to_string(dir.join("stat")).ok()?)?;
            match state {
                'Z' | 'X' => continue,
                'S' | 'D' => {}
                _ => return None,
            }
            let syscall = fs::read_to_string(dir.join("syscall")).ok()?;
            if !endless_wait(&syscall) {
                return None;
            }
            let sched = fs::read_to_string(dir.join("schedstat")).ok()?;
            let mut f = sched.split_whitespace().map(|n| n.parse::<u64>().ok());
            let ran = f.next()??;
            let slices = f.nth(1)??;
            sample.insert((pid, tid), (ran, slices));
        }
    }
    (!sample.is_empty()).then_some(sample)
}

fn task_state(stat: &str) -> Option<char> {
    stat[stat.rfind(')')? + 1..]
        .split_whitespace()
        .next()?
        .chars()
        .next()
}

/// The numbers in a `/proc/.../syscall` line: the call, then its arguments.
fn syscall_fields(line: &str) -> Option<(i64, Vec<u64>)> {
    let mut f = line.split_whitespace();
    let nr = f.next()?.parse::<i64>().ok()?;
    let args = f
        .take(6)
        .map(|a| u64::from_str_radix(a.trim_start_matches("0x"), 16).unwrap_or(u64::MAX))
        .collect();
    Some((nr, args))
}

/// Whether a thread blocked in this system call waits with no time limit.
fn endless_wait(line: &str) -> bool {
    wait_kind(line).is_some_and(|(_, endless)| endless)
}

/// What a blocked thread waits for, and whether that wait has no time limit.
pub fn wait_kind(line: &str) -> Option<(&'static str, bool)> {
    let (nr, a) = syscall_fields(line)?;
    let arg = |i: usize| a.get(i).copied().unwrap_or(0);
    // FUTEX_WAIT, LOCK_PI, WAIT_BITSET, WAIT_REQUEUE_PI, LOCK_PI2, without
    // the private and clock flags.
    const FUTEX_WAITS: [u64; 5] = [0, 6, 9, 11, 13];
    let kind = match nr {
        libc::SYS_futex if FUTEX_WAITS.contains(&(arg(1) & 0x7f)) => (
            "a lock, condition variable, channel, barrier or join",
            arg(3) == 0,
        ),
        libc::SYS_futex_waitv => ("several locks", arg(3) == 0),
        libc::SYS_read | libc::SYS_readv | libc::SYS_recvfrom | libc::SYS_recvmsg => {
            ("reading a pipe, socket or terminal", true)
        }
        libc::SYS_wait4 | libc::SYS_waitid => ("a child process to end", true),
        libc::SYS_accept4 => ("a connection", true),
        libc::SYS_epoll_pwait => ("events (epoll)", arg(3) as i32 == -1),
        libc::SYS_epoll_pwait2 => ("events (epoll)", arg(3) == 0),
        libc::SYS_ppoll => ("events (poll)", arg(2) == 0),
        libc::SYS_pselect6 => ("events (select)", arg(4) == 0),
        libc::SYS_rt_sigsuspend => ("a signal", true),
        libc::SYS_clock_nanosleep | libc::SYS_nanosleep => ("a sleep", false),
        #[cfg(target_arch = "x86_64")]
        libc::SYS_accept => ("a connection", true),
        #[cfg(target_arch = "x86_64")]
        libc::SYS_pause => ("a signal", true),
        #[cfg(target_arch = "x86_64")]
        libc::SYS_epoll_wait => ("events (epoll)", arg(3) as i32 == -1),
        #[cfg(target_arch = "x86_64")]
        libc::SYS_poll => ("events (poll)", arg(2) as i32 == -1),
        #[cfg(target_arch = "x86_64")]
        libc::SYS_select => ("events (select)", arg(4) == 0),
        _ => return None,
    };
    Some(kind)
}

/// Where the threads of `pids` are, for the learner: from gdb when it is
/// installed (only the frames in `own`, the exercise's folder as it appears
/// in debug info, e.g. `exercises/01-run-together/`), else from /proc.
pub fn describe(pids: &[u32], own: &str, use_gdb: bool, rerun: &str) -> String {
    let mut out = Vec::new();
    for &pid in pids.iter().take(4) {
        let threads = proc_threads(pid);
        if threads.is_empty() {
            continue;
        }
        let frames = if use_gdb { gdb_frames(pid, own) } else { None };
        if pids.len() > 1 {
            out.push(format!("process {pid} ({}):", comm(pid, pid)));
        }
        let mut groups: Vec<(String, usize)> = Vec::new();
        // With gdb, threads with no frame in the learner's files (the test
        // harness's own, a runtime's) are only counted.
        let any_own = frames
            .as_ref()
            .is_some_and(|f| f.values().any(|lines| !lines.is_empty()));
        let mut elsewhere = 0;
        for (tid, name, waiting) in &threads {
            let mut text = format!("thread '{name}': {waiting}");
            match frames.as_ref().and_then(|f| f.get(tid)) {
                Some(lines) if !lines.is_empty() => {
                    for l in lines.iter().take(6) {
                        text.push_str(&format!("\n    at {l}"));
                    }
                }
                Some(_) if any_own => {
                    elsewhere += 1;
                    continue;
                }
                Some(_) => text.push_str(
                    "\n    (no frame in your code: inside the standard library or a crate)",
                ),
                None => {}
            }
            match groups.iter_mut().find(|(t, _)| *t == text) {
                Some((_, n)) => *n += 1,
                None => groups.push((text, 1)),
            }
        }
        for (text, n) in groups.iter().take(8) {
            let mut lines = text.lines();
            let first = lines.next().unwrap_or_default();
            if *n > 1 {
                out.push(format!("{first} ({n} threads like this)"));
            } else {
                out.push(first.to_owned());
            }
            out.extend(lines.map(str::to_owned));
        }
        if groups.len() > 8 {
            out.push(format!("(and {} more different threads)", groups.len() - 8));
        }
        if elsewhere > 0 {
            out.push(format!(
                "(and {elsewhere} more thread(s) waiting outside your code, e.g. the test harness's)"
            ));
        }
        if frames.is_none() && use_gdb {
            out.push("(install gdb to see the lines of your code where each thread waits)".into());
        } else if frames.is_none() {
            out.push(format!(
                "(the lines of your code where each thread waits: `{rerun}`)"
            ));
        }
    }
    if pids.len() > 4 {
        out.push(format!("(and {} more processes)", pids.len() - 4));
    }
    out.join("\n")
}

fn comm(pid: u32, tid: u32) -> String {
    fs::read_to_string(format!("/proc/{pid}/task/{tid}/comm"))
        .map(|c| c.trim_end().to_owned())
        .unwrap_or_default()
}

/// (tid, name, what it is doing) for each thread of `pid`.
fn proc_threads(pid: u32) -> Vec<(u32, String, String)> {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    let mut tids: Vec<u32> = tasks
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    tids.sort();
    tids.into_iter()
        .map(|tid| {
            let dir = format!("/proc/{pid}/task/{tid}");
            let state = fs::read_to_string(format!("{dir}/stat"))
                .ok()
                .and_then(|s| task_state(&s))
                .unwrap_or('?');
            let doing = match state {
                'R' => "running (a loop that never ends?)".to_owned(),
                _ => match fs::read_to_string(format!("{dir}/syscall"))
                    .ok()
                    .and_then(|s| wait_kind(&s))
                {
                    Some((what, true)) => format!("waits for {what}, with no time limit"),
                    Some((what, false)) => format!("waits for {what}, with a time limit"),
                    None => "blocked".to_owned(),
                },
            };
            (tid, comm(pid, tid), doing)
        })
        .collect()
}

/// The frames of each thread (by tid) that are in the learner's files, from
/// `gdb -p PID -batch -ex "thread apply all bt"`; `None` without gdb.
fn gdb_frames(pid: u32, own: &str) -> Option<BTreeMap<u32, Vec<String>>> {
    let child = Command::new("gdb")
        .args(["-nx", "-batch", "-p", &pid.to_string()])
        .args(["-ex", "set pagination off"])
        .args(["-ex", "set print frame-arguments none"])
        .args(["-ex", "thread apply all bt 40"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .ok()?;
    let run = crate::reaper::install();
    let gdb = child.id();
    run.helper_started(gdb);
    // gdb must not hold the verdict up for long.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = rx.recv_timeout(Duration::from_secs(10));
    if out.is_err() {
        crate::reaper::kill_group(gdb);
    }
    run.helper_finished(gdb);
    let text = String::from_utf8_lossy(&out.ok()?.ok()?.stdout).into_owned();
    Some(parse_gdb(&text, own))
}

use std::os::unix::process::CommandExt;

/// Threads (`Thread N (Thread 0x... (LWP tid) "name"):`) and their frames
/// (`#3  0x... in krate::f (...) at exercises/01-x/src/lib.rs:12`), keeping
/// the frames in `own` as `src/lib.rs:12 in krate::f`.
fn parse_gdb(text: &str, own: &str) -> BTreeMap<u32, Vec<String>> {
    let mut threads = BTreeMap::new();
    let mut current: Option<u32> = None;
    for line in text.lines() {
        if line.starts_with("Thread ") {
            current = line
                .split("(LWP ")
                .nth(1)
                .and_then(|r| r.split(')').next())
                .and_then(|t| t.trim().parse().ok());
            if let Some(tid) = current {
                threads.insert(tid, Vec::new());
            }
            continue;
        }
        let (Some(tid), true) = (current, line.starts_with('#')) else {
            continue;
        };
        let Some((head, file)) = line.rsplit_once(" at ") else {
            continue;
        };
        let Some(at) = file.find(own) else {
            continue;
        };
        let file = &file[at + own.len()..];
        let func = head
            .split(" in ")
            .nth(1)
            .unwrap_or_else(|| head.split_whitespace().nth(1).unwrap_or(""))
            .split(" (")
            .next()
            .unwrap_or("");
        if let Some(frames) = threads.get_mut(&tid) {
            frames.push(format!("{file} in {func}"));
        }
    }
    threads
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untimed_futex_waits_are_endless_and_sleeps_are_not() {
        let futex = format!(
            "{} 0x7f00 0x89 0x2 0x0 0x0 0xffffffff 0x7ffc 0x7f01",
            libc::SYS_futex
        );
        assert!(endless_wait(&futex));
        let timed = format!(
            "{} 0x7f00 0x89 0x2 0x7ffc0 0x0 0xffffffff 0x7ffc 0x7f01",
            libc::SYS_futex
        );
        assert!(!endless_wait(&timed));
        let sleep = format!(
            "{} 0x0 0x0 0x7ffe 0x7ffe 0x0 0x0 0x7ffe 0x7f0b",
            libc::SYS_clock_nanosleep
        );
        assert!(!endless_wait(&sleep));
        assert!(!endless_wait("running"));
    }

    #[test]
    fn gdb_frames_in_the_learners_files_are_kept() {
        let text = "\nThread 2 (Thread 0x7f (LWP 4321) \"worker\"):\n\
            #0  0x00007f in syscall () from /lib/libc.so.6\n\
            #1  0x0000555 in std::sys::sync::mutex::futex::Mutex::lock_contended () at library/std/src/sys/sync/mutex/futex.rs:66\n\
            #2  0x0000556 in run_together::run_in_parallel<i32> (...) at exercises/01-run-together/src/lib.rs:30\n\
            #3  run_together::helper (...) at /tmp/x/exercises/01-run-together/tests/run_together.rs:12\n\
            \nThread 1 (Thread 0x7e (LWP 4320) \"main\"):\n#0  0x1 in poll () from /lib/libc.so.6\n";
        let frames = parse_gdb(text, "exercises/01-run-together/");
        assert_eq!(
            frames[&4321],
            [
                "src/lib.rs:30 in run_together::run_in_parallel<i32>",
                "tests/run_together.rs:12 in run_together::helper"
            ]
        );
        assert!(frames[&4320].is_empty());
    }

    #[test]
    fn a_thread_blocked_forever_is_seen_stuck() {
        // A child process that waits forever on a pipe nobody writes to.
        let mut child = Command::new("sh")
            .args(["-c", "read x"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let mut watch = Watch::default();
        let start = Instant::now();
        let mut stuck = false;
        while start.elapsed() < STUCK_FOR * 3 {
            if watch.stuck(&[child.id()]) {
                stuck = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(stuck, "a process blocked on read was not seen stuck");
        assert!(start.elapsed() >= STUCK_FOR);
    }
}

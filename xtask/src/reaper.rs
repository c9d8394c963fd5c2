//! Leaving nothing behind: every test runs in its own process group that is
//! killed whole, and xtask adopts (as a Linux "child subreaper") any process a
//! test tried to detach, so that it can kill those too. Shared-memory
//! segments a test created and did not remove are deleted.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// Makes this process the reaper of orphaned descendants, so a grandchild
/// that double-forks or calls `setsid` still reports to us, not to init.
pub fn become_subreaper() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER takes one integer argument
    // and only changes how orphans of this process are re-parented.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

/// Sends SIGKILL to every process of group `pgid`.
pub fn kill_group(pgid: u32) {
    // SAFETY: kill(2) with a negative pid signals a process group; a group
    // that no longer exists only yields ESRCH, which we ignore.
    unsafe {
        libc::kill(-(pgid as libc::pid_t), libc::SIGKILL);
    }
}

/// Kills and reaps every process that was re-parented to us. Returns how many
/// there were (a test that leaves processes behind deserves to be told).
pub fn kill_adopted() -> usize {
    let me = std::process::id();
    let mut killed = 0;
    // Killing one orphan can orphan its own children, which then come to us:
    // repeat until none is left (bounded, in case one keeps forking).
    for _ in 0..20 {
        let orphans = children_of(me);
        if orphans.is_empty() {
            break;
        }
        for pid in orphans {
            // SAFETY: signals and reaps a process that is our own child.
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGKILL);
                libc::waitpid(pid as libc::pid_t, std::ptr::null_mut(), 0);
            }
            killed += 1;
        }
    }
    killed
}

/// Pids whose parent is `parent`, read from /proc.
fn children_of(parent: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| parent_of(pid) == Some(parent))
        .collect()
}

/// The parent pid from /proc/PID/stat; the command name may hold spaces and
/// parentheses, so fields are read after the last `)`.
fn parent_of(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
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

/// Removes segments that appeared since `before` and that no live process
/// has open or mapped (those belong to someone else, say a `cargo test`
/// running beside the grader); returns the names removed.
pub fn remove_new_shm(before: &BTreeSet<String>) -> Vec<String> {
    let new: Vec<String> = shm_snapshot().difference(before).cloned().collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_parent() {
        let me = std::process::id();
        let child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        assert_eq!(parent_of(child.id()), Some(me));
        assert!(children_of(me).contains(&child.id()));
        kill_group_or_pid(child);
    }

    fn kill_group_or_pid(mut child: std::process::Child) {
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn new_shm_segments_are_removed() {
        let before = shm_snapshot();
        let name = format!("xtask-test-{}", std::process::id());
        let path = Path::new("/dev/shm").join(&name);
        if fs::write(&path, b"x").is_err() {
            return; // no /dev/shm on this system: nothing to test
        }
        // (Other tests may create segments at the same time: look only at ours.)
        assert!(remove_new_shm(&before).contains(&name));
        assert!(!path.exists());
    }

    #[test]
    fn segments_in_use_are_left_alone() {
        let before = shm_snapshot();
        let name = format!("xtask-test-open-{}", std::process::id());
        let path = Path::new("/dev/shm").join(&name);
        let Ok(file) = fs::File::create(&path) else {
            return; // no /dev/shm on this system: nothing to test
        };
        assert!(
            remove_new_shm(&before).is_empty(),
            "an open segment was removed"
        );
        assert!(path.exists());
        drop(file);
        fs::remove_file(path).unwrap();
    }
}

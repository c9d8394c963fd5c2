//! What the operating system allows, and what a process or thread used:
//! open-file limits (every socket is a file descriptor), memory now and at its
//! peak, threads, and CPU time. Lessons 08 and 09 read them; so may tests.

/// The open-file limits of this process: (soft, hard).
#[cfg(unix)]
pub fn nofile_limits() -> Option<(u64, u64)> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own and nothing else.
    let r = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    // rlim_t is u64 on Linux, but not on every Unix.
    #[allow(clippy::unnecessary_cast)]
    let limits = (lim.rlim_cur as u64, lim.rlim_max as u64);
    (r == 0).then_some(limits)
}

/// The open-file limits (unknown off Unix).
#[cfg(not(unix))]
pub fn nofile_limits() -> Option<(u64, u64)> {
    None
}

// ANCHOR: raise_nofile
/// Raises the soft open-file limit to the hard one, as `ulimit -n $(ulimit -Hn)`
/// does; a process may always do that without privileges. 10,000 open
/// connections need more than the common default of 1,024. Returns the
/// soft limit now in force.
#[cfg(unix)]
pub fn raise_nofile() -> Option<u64> {
    let (soft, hard) = nofile_limits()?;
    if soft < hard {
        let lim = libc::rlimit {
            rlim_cur: hard as libc::rlim_t,
            rlim_max: hard as libc::rlim_t,
        };
        // SAFETY: setrlimit reads the struct we own; raising soft to hard is always allowed.
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) };
    }
    nofile_limits().map(|(soft, _)| soft)
}
// ANCHOR_END: raise_nofile

/// Nothing to raise off Unix.
#[cfg(not(unix))]
pub fn raise_nofile() -> Option<u64> {
    None
}

/// Is the open-file limit high enough for `connections` sockets at once
/// (plus a margin for everything else)? `Err` says what to do.
pub fn check_nofile(connections: usize) -> Result<(), String> {
    let Some((soft, hard)) = nofile_limits() else {
        return Ok(());
    };
    let need = connections as u64 + 64;
    if soft >= need {
        return Ok(());
    }
    Err(format!(
        "{connections} connections need about {need} open files, and this process may open {soft} \
         (hard limit {hard}): raise it with `ulimit -n {need}` (as root if the hard limit is lower)"
    ))
}

// ANCHOR: vm_hwm
/// A number from /proc/self/status (memory in KiB), e.g. `VmHWM`: the peak resident
/// memory of this process so far ("high water mark"), or `VmRSS`: now.
pub fn proc_status_field(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}
// ANCHOR_END: vm_hwm

/// Peak resident memory of this process so far, in KiB (Linux only).
pub fn peak_rss_kib() -> Option<u64> {
    proc_status_field("VmHWM")
}

/// Resident memory now, in KiB (Linux only).
pub fn rss_kib() -> Option<u64> {
    proc_status_field("VmRSS")
}

/// How many threads this process has now (Linux only).
pub fn threads_now() -> Option<u64> {
    proc_status_field("Threads")
}

/// CPU time this process has used so far, user and system together.
#[cfg(unix)]
pub fn cpu_time() -> Option<std::time::Duration> {
    // SAFETY: an all-zero rusage is a valid value for getrusage to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own and nothing else.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return None;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    Some(std::time::Duration::from_secs_f64(
        secs(usage.ru_utime) + secs(usage.ru_stime),
    ))
}

/// CPU time (unknown off Unix).
#[cfg(not(unix))]
pub fn cpu_time() -> Option<std::time::Duration> {
    None
}

/// CPU time the calling thread has used so far (user and system), read with
/// `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`: a thread that sleeps while it
/// waits barely adds to it; one that spins adds its whole wait.
#[cfg(unix)]
pub fn thread_cpu_time() -> std::time::Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec, and the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// KiB as MiB with one decimal, or "n/a".
pub fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "n/a".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raising_never_lowers_the_limit() {
        let before = nofile_limits();
        let now = raise_nofile();
        if let (Some((soft, hard)), Some(now)) = (before, now) {
            assert!(now >= soft && now <= hard);
        }
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn proc_status_has_memory_and_threads() {
        // Now first: the peak, read after, can only be higher.
        let now = rss_kib().expect("VmRSS");
        let peak = peak_rss_kib().expect("VmHWM");
        assert!(peak >= now && now > 0);
        assert!(threads_now().expect("Threads") >= 1);
    }

    #[test]
    #[cfg(unix)]
    fn a_spinning_thread_uses_cpu_time_and_a_sleeping_one_does_not() {
        let start = thread_cpu_time();
        std::thread::sleep(std::time::Duration::from_millis(30));
        let slept = thread_cpu_time() - start;
        let spin_start = (thread_cpu_time(), std::time::Instant::now());
        while spin_start.1.elapsed() < std::time::Duration::from_millis(30) {
            std::hint::spin_loop();
        }
        let spun = thread_cpu_time() - spin_start.0;
        assert!(spun > slept, "spun {spun:?}, slept {slept:?}");
    }

    #[test]
    fn an_absurd_connection_count_is_refused_with_advice() {
        if nofile_limits().is_some() {
            let err = check_nofile(usize::MAX / 2).unwrap_err();
            assert!(err.contains("ulimit -n"), "{err}");
        }
    }
}

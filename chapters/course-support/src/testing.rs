//! Helpers for the lessons' tests, so that no test can hang the suite or
//! leave a process behind: a lesson binary run with a time limit, a closure
//! run with a deadline, and a check that child processes are really gone.

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Condvar, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use crate::child::{ChildGuard, describe, exists};

/// A lesson's binary as the tests run it: stdin closed, output captured,
/// `RUST_BACKTRACE=0` (a user-facing error must read well without it), and
/// killed, failing the test, if a run outlives its time limit.
#[derive(Debug, Clone)]
pub struct Cli {
    program: &'static str,
    envs: Vec<(String, String)>,
    removed: Vec<String>,
    limit: Duration,
}

impl Cli {
    /// `program` is the binary Cargo built, e.g. `env!("CARGO_BIN_EXE_lab")`
    /// (inside `cargo test`, `current_exe()` is the test harness instead).
    pub fn new(program: &'static str) -> Self {
        Self {
            program,
            envs: vec![("RUST_BACKTRACE".into(), "0".into())],
            removed: Vec::new(),
            limit: Duration::from_secs(60),
        }
    }

    /// Sets an environment variable for every run.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// Removes an environment variable the test runner may have set.
    pub fn env_remove(mut self, key: &str) -> Self {
        self.removed.push(key.into());
        self
    }

    /// How long one run may take before it counts as a hang.
    pub fn limit(mut self, limit: Duration) -> Self {
        self.limit = limit;
        self
    }

    /// Runs with `args`; returns the child's pid and its output.
    pub fn run_with_pid(&self, args: &[&str]) -> (u32, Output) {
        self.spawn_and_wait(args, None)
    }

    /// Runs with `args`, writes `input` to its stdin and closes it.
    pub fn run_with_input(&self, args: &[&str], input: &[u8]) -> Output {
        self.spawn_and_wait(args, Some(input.to_vec())).1
    }

    fn spawn_and_wait(&self, args: &[&str], input: Option<Vec<u8>>) -> (u32, Output) {
        let mut cmd = Command::new(self.program);
        cmd.args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for key in &self.removed {
            cmd.env_remove(key);
        }
        for (key, value) in &self.envs {
            cmd.env(key, value);
        }
        let mut child = ChildGuard::spawn(&mut cmd).expect("the lesson binary runs");
        if let (Some(input), Some(mut stdin)) = (input, child.child_mut().stdin.take()) {
            // A thread, so that a child that never reads cannot block us;
            // dropping `stdin` at its end closes the pipe.
            thread::spawn(move || {
                let _ = stdin.write_all(&input);
            });
        }
        // Both pipes are drained on their own threads: a child that fills
        // one while we read the other would otherwise block for ever.
        let stdout = drain(child.child_mut().stdout.take().expect("piped stdout"));
        let stderr = drain(child.child_mut().stderr.take().expect("piped stderr"));
        let status = child
            .wait_timeout(self.limit)
            .expect("waiting for the lesson binary")
            .unwrap_or_else(|| panic!("{args:?} still running after {:?}: a hang", self.limit));
        // The guard has reaped the child; it kills nothing when dropped.
        let output = Output {
            status,
            stdout: stdout.join().expect("stdout reader"),
            stderr: stderr.join().expect("stderr reader"),
        };
        (child.id(), output)
    }

    /// Runs with `args` and returns the output, whatever the exit status.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_pid(args).1
    }

    /// Runs with `args`, asserts success, and returns stdout.
    pub fn stdout_of(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed ({}):\n{}{}",
            describe(out.status),
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    /// Asserts that `args` is refused as a usage error: exit code 2, an
    /// `error:` line, and no panic. Returns stderr for further checks.
    pub fn assert_usage_error(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?} should be a usage error, got {}: {err}",
            describe(out.status)
        );
        assert!(err.contains("error:"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        err
    }

    /// Asserts that `args` fails with exit code 1 and an error that says
    /// `says`, without a panic. Returns stderr for further checks.
    pub fn assert_fails_with(&self, args: &[&str], says: &str) -> String {
        let out = self.run(args);
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} should fail with exit code 1, got {}: {err}",
            describe(out.status)
        );
        assert!(err.contains(says), "{args:?} should say {says:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        err
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        pipe.read_to_end(&mut buf).map(|_| buf).unwrap_or_default()
    })
}

/// A run's stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A run's stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `f` on its own thread and fails the test if it has not finished
/// within `limit`: a deadlock becomes a failure, not a hung test run. A
/// panic inside `f` is re-raised, so the test shows its message.
pub fn within<T: Send + 'static>(
    what: &str,
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    within_or_explain(what, limit, "deadlocked or hung", f)
}

/// [`within`], failing with `why` (the likely cause, and its fix) after
/// the time it took: "`what`: still running after `limit`: `why`".
pub fn within_or_explain<T: Send + 'static>(
    what: &str,
    limit: Duration,
    why: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: still running after {limit:?}: {why}")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("sent nothing without panicking"),
        },
    }
}

/// Every pid is gone: the process ended *and* was reaped (a zombie still
/// exists). Allows a few seconds for a kill to land.
pub fn assert_all_gone(pids: &[u32]) {
    let deadline = Instant::now() + Duration::from_secs(5);
    for &pid in pids {
        while exists(pid) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        assert!(!exists(pid), "process {pid} was left behind");
    }
}

/// How many times the calling thread has gone to sleep and been woken so
/// far (its voluntary context switches). A thread blocked on a `Condvar`
/// sleeps once; one that polls with `thread::sleep` wakes every few
/// milliseconds, so the difference over a wait tells the two apart. Linux
/// only: elsewhere it is always 0, and tests that use it prove nothing there.
#[cfg(target_os = "linux")]
pub fn thread_wakeups() -> u64 {
    // SAFETY: an all-zero rusage is valid; getrusage only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
    assert_eq!(rc, 0, "getrusage failed");
    u64::try_from(usage.ru_nvcsw).unwrap_or(0)
}

/// How many times the calling thread has gone to sleep (unknown here: 0).
#[cfg(not(target_os = "linux"))]
pub fn thread_wakeups() -> u64 {
    0
}

/// CPU time the calling thread has used so far. A thread asleep on a
/// `Condvar` uses next to none while it waits; one that spins uses all of
/// its wait. Unix only: elsewhere it is always zero, and tests that use it
/// prove nothing there.
#[cfg(unix)]
pub fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime failed");
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
}

/// CPU time the calling thread has used so far (unknown here: zero).
#[cfg(not(unix))]
pub fn thread_cpu_time() -> Duration {
    Duration::ZERO
}

/// A count of arrivals that others can wait on: `wait_for(n, patience)`
/// sleeps until `n` have arrived, or `patience` passes, and says which.
#[derive(Debug, Default)]
pub struct Arrivals {
    count: Mutex<usize>,
    changed: Condvar,
}

impl Arrivals {
    /// One more has arrived; wakes everyone waiting.
    pub fn arrive(&self) {
        *self.count.lock().unwrap() += 1;
        self.changed.notify_all();
    }

    /// `true` once `n` have arrived, `false` if `patience` passed first.
    pub fn wait_for(&self, n: usize, patience: Duration) -> bool {
        let count = self.count.lock().unwrap();
        let (count, _) = self
            .changed
            .wait_timeout_while(count, patience, |c| *c < n)
            .unwrap();
        *count >= n
    }
}

/// A barrier with a timeout, for tests that prove work really runs at the
/// same time: `n` threads can only meet there if all `n` are running.
#[derive(Debug)]
pub struct Rendezvous {
    n: usize,
    arrived: Mutex<usize>,
    all_here: Condvar,
}

impl Rendezvous {
    /// A meeting point for `n` threads.
    pub fn new(n: usize) -> Self {
        Self {
            n,
            arrived: Mutex::new(0),
            all_here: Condvar::new(),
        }
    }

    /// Waits here for the others: `true` once `n` threads are inside
    /// together, `false` (and leaves) if that did not happen within `timeout`.
    pub fn arrive(&self, timeout: Duration) -> bool {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.all_here.notify_all();
        let (mut arrived, _) = self
            .all_here
            .wait_timeout_while(arrived, timeout, |a| *a < self.n)
            .unwrap();
        if *arrived >= self.n {
            return true;
        }
        *arrived -= 1; // gave up: no longer here
        false
    }
}

/// A start line for `n` workers that a test cannot start itself: the first
/// `n` calls of [`StartLine::wait`] (one per worker, made from inside the
/// work the test hands them) are held until all `n` are there, then set off
/// together; later calls pass straight through. Threads that start apart
/// rarely collide; set off together they reach for shared state at the same
/// moment, which is what makes a race in the code under test show. If the
/// `n` never all arrive within `patience` (the code runs fewer workers), it
/// stops holding anyone and the test goes on.
#[derive(Debug)]
pub struct StartLine {
    n: usize,
    calls: AtomicUsize,
    holding: AtomicBool,
    meet: Rendezvous,
    patience: Duration,
}

impl StartLine {
    /// A start line for `n` workers, each held at most `patience`.
    pub fn new(n: usize, patience: Duration) -> Self {
        Self {
            n,
            calls: AtomicUsize::new(0),
            holding: AtomicBool::new(true),
            meet: Rendezvous::new(n),
            patience,
        }
    }

    /// Holds the first `n` callers until all `n` have come; returns at once
    /// for every later caller.
    pub fn wait(&self) {
        // Once `n` have come, a read of a line nobody writes: cheap enough to
        // call on every item of a hot loop.
        if self.holding.load(SeqCst)
            && self.calls.load(SeqCst) < self.n
            && self.calls.fetch_add(1, SeqCst) < self.n
        {
            let met = self.meet.arrive(self.patience);
            if !met {
                self.holding.store(false, SeqCst);
            }
        }
    }
}

/// A tag for the child processes one test starts: put it on their command
/// lines, and when this value is dropped every child of this process that
/// still carries it is killed and reaped, so a failing test leaves nothing
/// running behind it.
#[derive(Debug)]
pub struct TaggedChildren {
    tag: String,
}

impl TaggedChildren {
    /// A tag unique to this process and call: `{prefix}-{pid}-{n}`.
    pub fn new(prefix: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        TaggedChildren {
            tag: format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, SeqCst)),
        }
    }

    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// Our children whose command line carries the tag.
    pub fn running(&self) -> Vec<i32> {
        let me = std::process::id().to_string();
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .filter(|pid| {
                let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
                let ppid = stat
                    .rsplit(')')
                    .next()
                    .and_then(|r| r.split_whitespace().nth(1));
                let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                ppid == Some(me.as_str()) && String::from_utf8_lossy(&cmd).contains(&self.tag)
            })
            .collect()
    }
}

impl Drop for TaggedChildren {
    fn drop(&mut self) {
        #[cfg(unix)]
        for pid in self.running() {
            // SAFETY: kill and waitpid on our own child; errors are ignored.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::waitpid(pid, std::ptr::null_mut(), 0);
            }
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn within_returns_the_value_and_reraises_a_panic() {
        assert_eq!(within("adds", Duration::from_secs(5), || 2 + 2), 4);
        let caught = std::panic::catch_unwind(|| {
            within("panics", Duration::from_secs(5), || -> u8 {
                panic!("boom")
            })
        });
        let message = caught.unwrap_err();
        assert_eq!(message.downcast_ref::<&str>(), Some(&"boom"));
    }

    #[test]
    fn within_fails_a_hang_at_its_limit() {
        let started = Instant::now();
        let caught = std::panic::catch_unwind(|| {
            within("sleeps", Duration::from_millis(50), || {
                thread::sleep(Duration::from_secs(2))
            })
        });
        assert!(caught.is_err());
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn a_run_past_its_limit_fails_and_leaves_no_process() {
        let cli = Cli::new("sleep").limit(Duration::from_millis(200));
        let caught = std::panic::catch_unwind(|| cli.run_with_pid(&["30"]));
        let message = caught.unwrap_err();
        let text = message.downcast_ref::<String>().unwrap();
        assert!(text.contains("a hang"), "{text}");
    }

    #[test]
    fn output_and_pid_are_captured() {
        let cli = Cli::new("sh").env("GREETING", "hi");
        let (pid, out) = cli.run_with_pid(&["-c", "echo $GREETING; echo oops >&2; exit 3"]);
        assert_eq!(stdout(&out), "hi\n");
        assert_eq!(stderr(&out), "oops\n");
        assert_eq!(out.status.code(), Some(3));
        assert_all_gone(&[pid]);
    }

    #[test]
    fn a_rendezvous_meets_or_gives_up() {
        let meet = std::sync::Arc::new(Rendezvous::new(2));
        let other = std::sync::Arc::clone(&meet);
        let partner = thread::spawn(move || other.arrive(Duration::from_secs(10)));
        assert!(meet.arrive(Duration::from_secs(10)));
        assert!(partner.join().unwrap());
        let alone = Rendezvous::new(2);
        assert!(!alone.arrive(Duration::from_millis(20)));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn polling_wakes_up_and_blocking_does_not() {
        let before = thread_wakeups();
        for _ in 0..30 {
            thread::sleep(Duration::from_millis(1));
        }
        assert!(thread_wakeups() - before >= 25, "30 sleeps are 30 wake-ups");
        let (tx, rx) = mpsc::channel::<()>();
        let sleeper = thread::spawn(move || {
            let before = thread_wakeups();
            let _ = rx.recv();
            thread_wakeups() - before
        });
        thread::sleep(Duration::from_millis(100));
        drop(tx);
        assert!(
            sleeper.join().unwrap() <= 3,
            "one blocking wait, one wake-up"
        );
    }

    #[test]
    fn arrivals_are_waited_for_or_given_up_on() {
        let arrivals = std::sync::Arc::new(Arrivals::default());
        let other = std::sync::Arc::clone(&arrivals);
        let coming = thread::spawn(move || (0..3).for_each(|_| other.arrive()));
        assert!(arrivals.wait_for(3, Duration::from_secs(10)));
        coming.join().unwrap();
        assert!(!arrivals.wait_for(4, Duration::from_millis(20)));
    }

    #[test]
    fn a_start_line_holds_the_first_n_then_lets_everyone_through() {
        let line = std::sync::Arc::new(StartLine::new(3, Duration::from_secs(10)));
        let passed = std::sync::Arc::new(AtomicUsize::new(0));
        let early: Vec<_> = (0..2)
            .map(|_| {
                let (line, passed) = (line.clone(), passed.clone());
                thread::spawn(move || {
                    line.wait();
                    passed.fetch_add(1, SeqCst);
                })
            })
            .collect();
        thread::sleep(Duration::from_millis(50));
        assert_eq!(passed.load(SeqCst), 0, "two of three are held");
        line.wait();
        early.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(passed.load(SeqCst), 2);
        let started = Instant::now();
        line.wait();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the fourth passes"
        );
        let alone = StartLine::new(2, Duration::from_millis(20));
        alone.wait();
        let started = Instant::now();
        alone.wait();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "gave up holding"
        );
    }

    #[test]
    fn input_reaches_stdin() {
        let out = Cli::new("cat").run_with_input(&[], b"one\ntwo\n");
        assert_eq!(stdout(&out), "one\ntwo\n");
    }

    #[test]
    fn usage_errors_are_recognised() {
        let cli = Cli::new("sh");
        let err = cli.assert_usage_error(&["-c", "echo 'error: no such flag' >&2; exit 2"]);
        assert!(err.contains("no such flag"));
        let not_usage = std::panic::catch_unwind(|| cli.assert_usage_error(&["-c", "exit 1"]));
        assert!(not_usage.is_err());
    }
}

/// A child process that talks in lines, for tests that drive several
/// processes in step: the test reads what it says (`ready`, a result) and
/// tells it `go`. Killed and reaped when dropped.
#[derive(Debug)]
pub struct LineChild {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    stdout: std::io::BufReader<std::process::ChildStdout>,
}

impl TaggedChildren {
    /// Starts `program` with `args` and `--tag <tag>`, so [`TaggedChildren::running`]
    /// (and the grader's clean-up) find it.
    pub fn start_line_child(&self, program: &str, args: &[&str]) -> LineChild {
        let mut child = Command::new(program)
            .args(args)
            .args(["--tag", self.tag()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {program}: {e}"));
        let stdin = child.stdin.take();
        let stdout = std::io::BufReader::new(child.stdout.take().expect("stdout is piped"));
        LineChild {
            child,
            stdin,
            stdout,
        }
    }
}

impl LineChild {
    /// Its process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Its next line, without the newline; empty once it has exited.
    pub fn line(&mut self) -> String {
        use std::io::BufRead;
        let mut line = String::new();
        let _ = self.stdout.read_line(&mut line);
        line.trim_end().to_owned()
    }

    /// Tells it `go`.
    pub fn go(&mut self) {
        if let Some(stdin) = self.stdin.as_mut() {
            let _ = stdin.write_all(b"go\n").and_then(|()| stdin.flush());
        }
    }

    /// Kills and reaps it (SIGKILL: a holder dying mid-work).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LineChild {
    fn drop(&mut self) {
        self.kill();
    }
}

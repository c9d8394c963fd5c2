//! Running one test of a test executable: in its own process group, with a
//! time limit, a private `/dev/shm`, its output drained (and kept only in
//! part, so a test that floods its output can't exhaust memory), judged
//! early when it deadlocks, and nothing left behind.

mod isolate;
mod stacks;

use std::collections::BTreeSet;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::reaper;

pub use isolate::root_for as isolation_root;

/// How a test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// Failed, with the message a learner needs.
    Failed(String),
    /// Killed at the time limit.
    TimedOut(Duration),
    /// Every thread waited, with no time limit, for this long: a deadlock.
    Deadlocked(Duration),
    /// Never ran, and why (the exercise did not compile, or the run was
    /// interrupted).
    NotRun(String),
}

impl Outcome {
    pub fn passed(&self) -> bool {
        matches!(self, Outcome::Passed)
    }

    pub fn not_run(&self) -> bool {
        matches!(self, Outcome::NotRun(_))
    }
}

/// One test's result.
#[derive(Debug, Clone)]
pub struct TestRun {
    pub name: String,
    pub outcome: Outcome,
    pub elapsed: Duration,
    /// Things cleaned up after the test: stray processes, shared memory.
    pub cleanup: Vec<String>,
    /// Where the threads were when the test was stopped (timeout, deadlock).
    pub stacks: String,
}

impl TestRun {
    pub fn not_run(name: &str, why: &str) -> TestRun {
        TestRun {
            name: name.to_owned(),
            outcome: Outcome::NotRun(why.to_owned()),
            elapsed: Duration::ZERO,
            cleanup: Vec::new(),
            stacks: String::new(),
        }
    }
}

/// Lists the tests in a libtest executable.
pub fn list_tests(exe: &Path) -> Result<Vec<String>> {
    let out = Command::new(exe)
        .args(["--list", "--format", "terse"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .env(reaper::TAG_VAR, format!("{}.list", std::process::id()))
        .process_group(0)
        .output()
        .with_context(|| format!("could not list tests of {}", exe.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_owned)
        .collect())
}

/// Keeps the first and last `KEEP` bytes of a stream, counting the rest.
const KEEP: usize = 16 * 1024;

#[derive(Debug, Default)]
struct Captured {
    head: Vec<u8>,
    tail: Vec<u8>,
    total: usize,
}

impl Captured {
    fn text(&self) -> String {
        let mut s = String::from_utf8_lossy(&self.head).into_owned();
        if self.total > self.head.len() + self.tail.len() {
            s.push_str(&format!(
                "\n[... {} bytes of output skipped ...]\n",
                self.total - self.head.len() - self.tail.len()
            ));
        }
        s.push_str(&String::from_utf8_lossy(&self.tail));
        s
    }
}

fn drain(mut source: impl Read + Send + 'static, done: mpsc::Sender<Captured>) {
    thread::spawn(move || {
        let mut cap = Captured::default();
        let mut buf = [0u8; 8192];
        while let Ok(n @ 1..) = source.read(&mut buf) {
            cap.total += n;
            let mut chunk = &buf[..n];
            if cap.head.len() < KEEP {
                let take = chunk.len().min(KEEP - cap.head.len());
                cap.head.extend_from_slice(&chunk[..take]);
                chunk = &chunk[take..];
            }
            cap.tail.extend_from_slice(chunk);
            if cap.tail.len() > 2 * KEEP {
                cap.tail.drain(..cap.tail.len() - KEEP);
            }
        }
        if cap.tail.len() > KEEP {
            cap.tail.drain(..cap.tail.len() - KEEP);
        }
        let _ = done.send(cap);
    });
}

/// One test to run.
#[derive(Debug, Clone)]
pub struct TestSpec {
    pub exe: PathBuf,
    pub name: String,
    /// Working directory: the exercise's folder.
    pub dir: PathBuf,
    pub limit: Duration,
    /// The exercise's folder as debug info names it (`exercises/01-x/`),
    /// to pick the learner's frames out of a stack.
    pub own: String,
    /// The exercise's id, for the command that runs this test alone.
    pub exercise: String,
    /// Stacks from gdb (a second or more each) for the first few stopped
    /// tests of an exercise only, so that a deadlocked attempt is judged fast;
    /// the others show what /proc tells.
    pub gdb_budget: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// For a model-checked test (`tests/model.rs`): where loom records the
    /// interleaving it is running, and whether to replay the recorded one.
    pub model: Option<ModelRun>,
}

/// How a model-checked test runs. Loom (with `LOOM_CHECKPOINT_FILE` and
/// `LOOM_CHECKPOINT_INTERVAL=1`) writes the schedule of every interleaving
/// to `schedule` before running it, so after a failure the file holds the
/// failing one; a run that finds the file starts from that schedule.
#[derive(Debug, Clone)]
pub struct ModelRun {
    pub schedule: PathBuf,
    /// Start from the recorded schedule and print every step (`LOOM_LOG`).
    pub replay: bool,
}

/// Stopped tests per exercise whose stacks come from gdb.
pub const GDB_STACKS: usize = 2;

/// Runs one test with a time limit; see the module's documentation.
pub fn run_test(spec: &TestSpec) -> Result<TestRun> {
    let run = reaper::install();
    if reaper::stopping() {
        let why = match reaper::interrupted() {
            Some(sig) => format!("the grader was stopped by {}", reaper::signal_name(sig)),
            None => "the grader itself failed before this test".to_owned(),
        };
        return Ok(TestRun::not_run(&spec.name, &why));
    }
    let (n, tag) = run.next_tag();
    std::fs::create_dir_all(&run.log_dir)?;
    let logfile = run.log_dir.join(format!("{n}.log"));
    let shm_dir = run.shm_root.as_ref().map(|root| root.join(n.to_string()));
    let shm_before = if shm_dir.is_none() {
        reaper::shm_snapshot()
    } else {
        BTreeSet::new()
    };
    let mut cmd = Command::new(&spec.exe);
    cmd.arg(&spec.name)
        .args(["--exact", "--nocapture", "--test-threads=1", "--logfile"])
        .arg(&logfile)
        .current_dir(&spec.dir)
        .env("RUST_BACKTRACE", "0")
        .env(reaper::TAG_VAR, &tag)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A new process group: on timeout we kill the test and everything it spawned.
        .process_group(0);
    if let Some(dir) = &shm_dir {
        std::fs::create_dir_all(dir)?;
        isolate::Prepared::new(dir)?.apply(&mut cmd);
    }
    if let Some(model) = &spec.model {
        if model.replay {
            if !model.schedule.is_file() {
                return Ok(TestRun {
                    outcome: Outcome::Failed(format!(
                        "nothing to replay: {} does not exist (it is written when this test \
                         fails; grade it first: {})",
                        model.schedule.display(),
                        rerun_command(spec, false)
                    )),
                    ..TestRun::not_run(&spec.name, "")
                });
            }
            cmd.env("LOOM_LOG", "trace").env("LOOM_LOCATION", "1");
        } else {
            // A fresh exploration: loom would resume from an old file.
            if let Some(dir) = model.schedule.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let _ = std::fs::remove_file(&model.schedule);
        }
        cmd.env("LOOM_CHECKPOINT_FILE", &model.schedule)
            .env("LOOM_CHECKPOINT_INTERVAL", "1")
            .env("NO_COLOR", "1");
    }
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("could not start {}", spec.exe.display()))?;
    let pgid = child.id();
    run.started(pgid);
    let (tx_out, rx_out) = mpsc::channel();
    let (tx_err, rx_err) = mpsc::channel();
    drain(child.stdout.take().context("stdout")?, tx_out);
    drain(child.stderr.take().context("stderr")?, tx_err);

    // Without a private /dev/shm, the pids of the test's processes tell its
    // segments from others'.
    let mut pids = BTreeSet::from([pgid]);
    let mut watch = stacks::Watch::default();
    let mut next_look = start + Duration::from_millis(300);
    let mut stacks_text = String::new();
    let mut stopped: Option<Outcome> = None;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        let now = Instant::now();
        let timed_out = now.duration_since(start) >= spec.limit;
        if now >= next_look || timed_out {
            next_look = now + Duration::from_millis(200);
            let tree = reaper::test_tree(pgid, &tag);
            pids.extend(&tree);
            let stuck = watch.stuck(&tree);
            if (stuck || timed_out) && !reaper::stopping() {
                let use_gdb = spec
                    .gdb_budget
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
                    < GDB_STACKS;
                let rerun = rerun_command(spec, false);
                stacks_text = stacks::describe(&tree, &spec.own, use_gdb, &rerun);
                stopped = Some(if stuck {
                    Outcome::Deadlocked(now.duration_since(start))
                } else {
                    Outcome::TimedOut(spec.limit)
                });
                reaper::kill_group(pgid);
                child.wait()?;
                break None;
            }
        }
        thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    run.finished(pgid);

    // Whatever the test left running, in its group or detached from it, goes now.
    let swept = reaper::sweep_test(pgid, &tag);
    let mut cleanup = Vec::new();
    if swept.zombies > 0 {
        cleanup.push(format!(
            "{} child process(es) had finished but were never waited for (zombies); \
             the grader reaped them: call `wait()` on every child you start",
            swept.zombies
        ));
    }
    let left_running = !swept.running.is_empty() && stopped.is_none();
    if !swept.running.is_empty() && stopped.is_none() {
        cleanup.push(format!(
            "killed {} process(es) that the test started and left running:\n  {}",
            swept.running.len(),
            swept.running.join("\n  ")
        ));
    }
    let leaked: Vec<String> = match &shm_dir {
        Some(dir) => {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .map(|d| {
                    d.filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            let _ = std::fs::remove_dir_all(dir);
            names
        }
        None => reaper::remove_new_shm(&shm_before, &pids),
    };
    for seg in leaked {
        cleanup.push(format!(
            "removed shared-memory segment /dev/shm/{seg} the test left behind"
        ));
    }

    // The pipes close once every process holding them is gone; don't wait forever
    // in case something we could not kill still holds one.
    let wait = Duration::from_secs(2);
    let stdout = rx_out.recv_timeout(wait).unwrap_or_default();
    let stderr = rx_err.recv_timeout(wait).unwrap_or_default();
    let log = std::fs::read_to_string(&logfile).unwrap_or_default();
    let _ = std::fs::remove_file(&logfile);

    let mut outcome = match (status, stopped) {
        (_, Some(outcome)) => outcome,
        (None, None) => Outcome::TimedOut(spec.limit),
        (Some(status), None) if reaper::stopping() && status.signal() == Some(libc::SIGKILL) => {
            Outcome::NotRun(match reaper::interrupted() {
                Some(sig) => format!(
                    "stopped: the grader was interrupted by {}",
                    reaper::signal_name(sig)
                ),
                None => "stopped: the grader itself failed".to_owned(),
            })
        }
        (Some(status), None) => judge(status, &log, &spec.name, &stdout, &stderr),
    };
    if let (Some(model), Outcome::Failed(message)) = (&spec.model, &mut outcome) {
        if model.replay {
            message.push_str(&format!(
                "\n\nthe failing interleaving, step by step (thread N: what it did; \
                 `~~ THREAD N ~~` is a switch to thread N):\n{}",
                schedule_steps(&stdout.text())
            ));
        } else if !message.contains("not yet implemented") {
            message.push_str(&format!(
                "\n\nthe model checker found an interleaving of your threads where this fails; \
                 its schedule is saved in {}. Replay it, with every step of every thread \
                 printed:\n  {}",
                model.schedule.display(),
                rerun_command(spec, true)
            ));
        }
    }
    if left_running && outcome.passed() {
        outcome = Outcome::Failed(
            "the test passed, but left processes running after it ended (listed below): \
             wait for every child process you start, or stop it, before returning"
                .to_owned(),
        );
    }
    Ok(TestRun {
        name: spec.name.clone(),
        outcome,
        elapsed,
        cleanup,
        stacks: stacks_text,
    })
}

/// The one command that runs this test alone (`replay`: its recorded
/// failing interleaving, step by step).
fn rerun_command(spec: &TestSpec, replay: bool) -> String {
    format!(
        "cargo xtask check exercises {} --test {}{}",
        spec.exercise,
        spec.name,
        if replay { " --replay" } else { "" }
    )
}

/// Loom's trace (`LOOM_LOG=trace`) of a replayed interleaving, cut down to
/// the steps that make the schedule: which thread runs, and what each does
/// with a lock, a condition variable, an atomic or a thread.
fn schedule_steps(trace: &str) -> String {
    const KEPT: [&str; 10] = [
        "~~~~~~~~ THREAD",
        "spawn",
        "Object::branch_acquire",
        "Condvar::wait",
        "Condvar::notify",
        "Atomic::load",
        "Atomic::store",
        "Atomic::rmw",
        "yield_now",
        "thread_done: terminate",
    ];
    let mut steps = Vec::new();
    for line in trace.lines() {
        let Some(rest) = line.split_once("thread{id=").map(|(_, r)| r) else {
            continue;
        };
        let Some((id, rest)) = rest.split_once('}') else {
            continue;
        };
        // `: loom::rt::condvar: Condvar::wait state=...`
        let what = rest.splitn(3, ": ").nth(2).unwrap_or("").trim();
        if !KEPT.iter().any(|k| what.starts_with(k)) {
            continue;
        }
        let what = tidy_step(what);
        steps.push(if what.starts_with("~~") {
            what
        } else {
            format!("  thread {id}: {what}")
        });
    }
    if steps.is_empty() {
        return "(loom printed no schedule: is the test run with model_sync::model or \
                loom::model?)"
            .to_owned();
    }
    if steps.len() > 200 {
        let cut = steps.len() - 200;
        steps.drain(..cut);
        steps.insert(0, format!("(the first {cut} steps are left out)"));
    }
    steps.join("\n")
}

/// `Object::branch_acquire obj=Ref<loom::rt::mutex::State>(0) is_locked=false`
/// becomes `locks mutex#0`, and so on.
fn tidy_step(what: &str) -> String {
    let mut s = what.to_owned();
    while let Some(start) = s.find("Ref<loom::rt::") {
        let after = &s[start + "Ref<loom::rt::".len()..];
        let Some(kind_end) = after.find("::State>(") else {
            break;
        };
        let kind = after[..kind_end].to_owned();
        let num_start = kind_end + "::State>(".len();
        let Some(num_len) = after[num_start..].find(')') else {
            break;
        };
        let num = after[num_start..num_start + num_len].to_owned();
        let end = start + "Ref<loom::rt::".len() + num_start + num_len + 1;
        s.replace_range(start..end, &format!("{kind}#{num}"));
    }
    if let Some(rest) = s.strip_prefix("~~~~~~~~ THREAD ") {
        return format!("~~ THREAD {} ~~", rest.trim_end_matches(" ~~~~~~~~"));
    }
    if let Some(rest) = s.strip_prefix("Object::branch_acquire obj=") {
        let obj = rest.split_whitespace().next().unwrap_or(rest);
        return format!(
            "locks {obj}{}",
            if rest.contains("is_locked=true") {
                " (held: blocks)"
            } else {
                ""
            }
        );
    }
    s.replace("Condvar::wait state=", "waits on ")
        .replace("Condvar::notify_one state=", "notify_one on ")
        .replace("Condvar::notify_all state=", "notify_all on ")
        .replace("thread_done: terminate thread=", "ends: ")
}

/// Passed only if libtest itself said so, in its log file (`--logfile`),
/// which the test's own output cannot forge: a test that prints
/// `test result: ok` or calls `std::process::exit(0)` has not passed.
fn judge(
    status: std::process::ExitStatus,
    log: &str,
    name: &str,
    stdout: &Captured,
    stderr: &Captured,
) -> Outcome {
    let logged_ok = log.lines().any(|l| l.strip_prefix("ok ") == Some(name));
    if status.success() && logged_ok {
        return Outcome::Passed;
    }
    let err = stderr.text();
    let mut message = failure_message(&err).unwrap_or_else(|| {
        let last: Vec<&str> = err.lines().rev().take(12).collect();
        last.into_iter().rev().collect::<Vec<_>>().join("\n")
    });
    if let Some(signal) = status.signal() {
        message = format!(
            "the test process was killed by {}\n{message}",
            signal_name(signal)
        );
    } else if status.success() {
        message = format!("the test process exited early without finishing the test\n{message}");
    }
    if stdout.total + stderr.total > 4 * KEEP {
        message.push_str(&format!(
            "\n(the test printed {} KiB of output; only the start and end were kept)",
            (stdout.total + stderr.total) / 1024
        ));
    }
    Outcome::Failed(message.trim().to_owned())
}

/// One panic in the test's stderr: where, and its message.
#[derive(Debug, PartialEq)]
struct Panic {
    at: String,
    message: Vec<String>,
    times: usize,
}

/// The panic message(s): from `panicked at` up to the next blank line or
/// note. The same panic in many threads (every worker hitting the same
/// `todo!()`) is shown once, with how many times it happened.
fn failure_message(stderr: &str) -> Option<String> {
    let mut panics: Vec<Panic> = Vec::new();
    let mut current: Option<Panic> = None;
    for line in stderr.lines() {
        // `thread 'name' panicked at file:line:col:` (newer Rust adds ` (tid)`).
        if line.starts_with("thread '") && line.contains(" panicked at ") {
            if let Some(done) = current.take() {
                add_panic(&mut panics, done);
            }
            if let Some(at) = line.split("panicked at ").nth(1) {
                current = Some(Panic {
                    at: at.trim_end_matches(':').to_owned(),
                    message: Vec::new(),
                    times: 1,
                });
            }
            continue;
        }
        if let Some(panic) = current.as_mut() {
            if line.trim().is_empty() || line.starts_with("note: ") {
                add_panic(&mut panics, current.take().expect("inside a panic"));
            } else if panic.message.len() < 20 {
                panic.message.push(line.to_owned());
            }
        }
    }
    if let Some(done) = current {
        add_panic(&mut panics, done);
    }
    let mut lines = Vec::new();
    for panic in panics.iter().take(5) {
        lines.push(format!("panicked at {}", panic.at));
        lines.extend(panic.message.iter().cloned());
        if panic.times > 1 {
            lines.push(format!(
                "(the same panic {} times, in several threads)",
                panic.times
            ));
        }
    }
    if panics.len() > 5 {
        lines.push(format!("(and {} other panics)", panics.len() - 5));
    }
    if lines.iter().any(|l| l.starts_with("not yet implemented")) {
        lines.push("(a todo!() is still in place: that is where your code goes)".to_owned());
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// Counts `panic` against an earlier one at the same place with the same
/// message; threads panicking at once interleave their lines, so a panic
/// whose message went missing counts with one that has it.
fn add_panic(panics: &mut Vec<Panic>, panic: Panic) {
    let same = panics.iter_mut().find(|p| {
        p.at == panic.at
            && (p.message == panic.message || p.message.is_empty() || panic.message.is_empty())
    });
    match same {
        Some(p) => {
            p.times += 1;
            if p.message.is_empty() {
                p.message = panic.message;
            }
        }
        None => panics.push(panic),
    }
}

fn signal_name(signal: i32) -> String {
    let name = match signal {
        libc::SIGABRT => "SIGABRT (abort: e.g. a panic while panicking, or a stack overflow)",
        libc::SIGSEGV => "SIGSEGV (invalid memory access, or a stack overflow)",
        libc::SIGKILL => "SIGKILL",
        libc::SIGTERM => "SIGTERM",
        _ => return format!("signal {signal}"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_panic_message() {
        let stderr = "\nthread 'adds' (1234) panicked at src/lib.rs:7:5:\nnot yet implemented\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(
            failure_message(stderr).unwrap(),
            "panicked at src/lib.rs:7:5\nnot yet implemented\n\
             (a todo!() is still in place: that is where your code goes)"
        );
    }

    #[test]
    fn the_same_panic_in_many_threads_is_shown_once() {
        let one = "thread '<unnamed>' (7) panicked at src/lib.rs:73:9:\nnot yet implemented\n";
        let bare = "thread '<unnamed>' (8) panicked at src/lib.rs:73:9:\n";
        let other = "thread 'main' (9) panicked at tests/t.rs:5:5:\nwaiter 2 never woke\n";
        let stderr = format!("{one}{one}{bare}{one}{other}note: run with `RUST_BACKTRACE=1`\n");
        assert_eq!(
            failure_message(&stderr).unwrap(),
            "panicked at src/lib.rs:73:9\nnot yet implemented\n\
             (the same panic 4 times, in several threads)\n\
             panicked at tests/t.rs:5:5\nwaiter 2 never woke\n\
             (a todo!() is still in place: that is where your code goes)"
        );
    }

    #[test]
    fn capture_keeps_head_and_tail_only() {
        let (tx, rx) = mpsc::channel();
        let flood = vec![b'x'; 10 * KEEP];
        drain(std::io::Cursor::new(flood), tx);
        let cap = rx.recv().unwrap();
        assert_eq!(cap.total, 10 * KEEP);
        assert_eq!(cap.head.len(), KEEP);
        assert_eq!(cap.tail.len(), KEEP);
        assert!(cap.text().contains("bytes of output skipped"));
    }
}

//! Canonical tests for `spawn-workers`: real processes, all at once, every
//! ending reported, a hanging worker killed, and nobody left behind.

use std::collections::HashSet;
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use course_support::testing::TaggedChildren as Tagged;
use spawn_workers::{Outcome, Report, run_workers};

const WORKER: &str = env!("CARGO_BIN_EXE_worker");

/// Runs `run_workers` on another thread, so a hang fails the test with a
/// message instead of stalling until the grader's time limit.
fn run(jobs: Vec<Vec<String>>, timeout: Duration) -> std::io::Result<Vec<Report>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(run_workers(Path::new(WORKER), &jobs, timeout));
    });
    match rx.recv_timeout(timeout + Duration::from_secs(10)) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "run_workers did not return within 10 s after its timeout: a worker that \
             hangs must be killed at the deadline, and nothing may wait on it forever \
             (not wait(), not reading its stdout before it has exited)"
        ),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            panic!("run_workers panicked (see its message above)")
        }
    }
}

/// Is `pid` still a process (running, or a zombie nobody waited for)?
fn exists(pid: u32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    unsafe { libc::kill(pid as i32, 0) == 0 }
}

fn assert_none_left(reports: &[Report]) {
    for r in reports {
        assert!(
            !exists(r.pid),
            "worker {} still exists after run_workers returned: every worker must be \
             waited for (a killed worker too: kill() alone leaves a zombie)",
            r.pid
        );
    }
}

/// `pid=12 parent=10` from a worker's stdout.
fn hello(stdout: &str) -> Option<(u32, u32)> {
    let line = stdout.lines().next()?;
    let mut words = line.split_whitespace();
    let pid = words.next()?.strip_prefix("pid=")?.parse().ok()?;
    let parent = words.next()?.strip_prefix("parent=")?.parse().ok()?;
    Some((pid, parent))
}

/// A fresh folder where `meet` workers leave a file named by their pid.
/// A worker's command line for `args`, with `t`'s tag.
fn job(t: &Tagged, args: &[&str]) -> Vec<String> {
    let mut job: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    job.push("--tag".into());
    job.push(t.tag().to_owned());
    job
}

fn meeting_place(t: &Tagged) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(t.tag())
        .tempdir()
        .expect("a temporary directory")
}

#[test]
fn each_worker_is_its_own_process_with_us_as_parent() {
    let t = Tagged::new("spawn-workers-test");
    let jobs = (1..=4)
        .map(|n| job(&t, &["square", &n.to_string()]))
        .collect();
    let reports = run(jobs, Duration::from_secs(10)).expect("run_workers failed");
    assert_eq!(reports.len(), 4, "one report per job");
    let me = std::process::id();
    let mut pids = HashSet::new();
    for (i, r) in reports.iter().enumerate() {
        let n = i as u64 + 1;
        let (pid, parent) = hello(&r.stdout).unwrap_or_else(|| {
            panic!(
                "report {i} has stdout {:?}: capture everything the worker prints",
                r.stdout
            )
        });
        assert_eq!(
            pid, r.pid,
            "report {i}: the pid must be the worker's own (Child::id())"
        );
        assert_eq!(
            parent, me,
            "report {i}: the worker's parent must be this test process"
        );
        assert!(
            r.stdout.contains(&format!("result={}", n * n)),
            "report {i} should come from job `square {n}`: reports must be in job order; got {:?}",
            r.stdout
        );
        assert_eq!(r.outcome, Outcome::Exited(0), "report {i}");
        pids.insert(r.pid);
    }
    assert_eq!(pids.len(), 4, "4 workers must be 4 different processes");
    assert!(!pids.contains(&me), "a worker is never this process itself");
    assert_none_left(&reports);
}

#[test]
fn exit_codes_and_signals_are_reported_in_job_order() {
    let t = Tagged::new("spawn-workers-test");
    let jobs = vec![
        job(&t, &["fail", "3"]),
        job(&t, &["square", "2"]),
        job(&t, &["abort"]),
        job(&t, &["fail", "42"]),
    ];
    let reports = run(jobs, Duration::from_secs(10)).expect("run_workers failed");
    let outcomes: Vec<Outcome> = reports.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::Exited(3),
            Outcome::Exited(0),
            Outcome::Killed(6),
            Outcome::Exited(42)
        ],
        "exit codes come from ExitStatus::code(); a worker killed by a signal (abort is \
         SIGABRT, 6) has no code: use ExitStatusExt::signal()"
    );
    assert_none_left(&reports);
}

#[test]
fn workers_run_at_the_same_time() {
    let t = Tagged::new("spawn-workers-test");
    // Removed when the test ends, also when it fails.
    let dir = meeting_place(&t);
    let d = dir.path().to_str().unwrap();
    let jobs = (0..4).map(|_| job(&t, &["meet", d, "4"])).collect();
    let reports = run(jobs, Duration::from_secs(15));
    let reports = reports.expect("run_workers failed");
    for r in &reports {
        assert_eq!(
            r.outcome,
            Outcome::Exited(0),
            "worker {} waited in vain for the other 3 workers ({}): start every worker \
             before waiting for any of them",
            r.pid,
            r.stdout.trim().replace('\n', ", ")
        );
    }
    assert_none_left(&reports);
}

#[test]
fn a_hanging_worker_is_killed_at_the_deadline() {
    let t = Tagged::new("spawn-workers-test");
    let jobs = vec![
        job(&t, &["square", "5"]),
        job(&t, &["hang"]),
        job(&t, &["fail", "1"]),
    ];
    let reports = run(jobs, Duration::from_millis(1_500)).expect("run_workers failed");
    let outcomes: Vec<Outcome> = reports.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Exited(0), Outcome::TimedOut, Outcome::Exited(1)],
        "the hanging worker must be reported as TimedOut, the others as they ended"
    );
    assert!(
        hello(&reports[1].stdout).is_some(),
        "what the hanging worker printed before it was killed belongs in its report: {:?}",
        reports[1].stdout
    );
    assert_none_left(&reports);
    assert!(
        t.running().is_empty(),
        "a worker is still running after run_workers returned"
    );
}

#[test]
fn a_worker_that_cannot_start_is_an_error() {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let jobs = vec![vec!["square".to_string(), "1".to_string()]];
        let _ = tx.send(run_workers(
            Path::new("/no/such/worker"),
            &jobs,
            Duration::from_secs(5),
        ));
    });
    let result = rx
        .recv_timeout(Duration::from_secs(15))
        .expect("run_workers panicked or hung on a worker that does not exist");
    assert!(
        result.is_err(),
        "starting /no/such/worker must fail with an error, got {result:?}"
    );
}

#[test]
fn hanging_workers_share_one_deadline() {
    // Three workers hang. The deadline is one moment for all of them: at
    // `timeout` after the start, every worker still running is killed.
    let t = Tagged::new("spawn-workers-test");
    let jobs = vec![
        job(&t, &["hang"]),
        job(&t, &["hang"]),
        job(&t, &["square", "3"]),
        job(&t, &["hang"]),
    ];
    let timeout = Duration::from_millis(800);
    let started = Instant::now();
    let reports = run(jobs, timeout).expect("run_workers failed");
    let took = started.elapsed();
    let outcomes: Vec<Outcome> = reports.iter().map(|r| r.outcome).collect();
    assert_eq!(
        outcomes,
        [
            Outcome::TimedOut,
            Outcome::TimedOut,
            Outcome::Exited(0),
            Outcome::TimedOut
        ],
        "every hanging worker must be reported as TimedOut"
    );
    assert!(
        took < timeout * 2,
        "run_workers with a timeout of {timeout:?} and three hanging workers took {took:?}: \
         each hanging worker was given a timeout of its own, one after another. Compute one \
         deadline (`Instant::now() + timeout`) before waiting for any worker, and wait for \
         each until that same deadline"
    );
    assert_none_left(&reports);
}

/// "running" or "a zombie" (ended, never waited for), from /proc.
fn state(pid: u32) -> &'static str {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    match stat
        .rsplit(')')
        .next()
        .and_then(|r| r.split_whitespace().next())
    {
        Some("Z") => "a zombie: it ended but was never waited for",
        _ => "still running",
    }
}

#[test]
fn when_a_spawn_fails_the_workers_already_started_are_stopped() {
    // Three jobs start, the fourth cannot (spawn refuses an argument with a
    // NUL byte). Each job is a shell that first leaves its pid in `dir`,
    // then becomes a hanging worker. run_workers must return the error and
    // leave nothing of the three behind.
    let t = Tagged::new("spawn-workers-test");
    let dir = meeting_place(&t);
    let d = dir.path().to_str().unwrap();
    let script = r#"echo > "$1/$$"; exec "$2" hang --tag "$3""#;
    let started = vec![
        "-c".to_string(),
        script.into(),
        "sh".into(),
        d.into(),
        WORKER.into(),
        t.tag().to_owned(),
    ];
    let jobs = vec![
        started.clone(),
        started.clone(),
        started,
        vec!["-c".to_string(), "no\0such".to_string()],
    ];
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(run_workers(
            Path::new("/bin/sh"),
            &jobs,
            Duration::from_secs(5),
        ));
    });
    let result = rx
        .recv_timeout(Duration::from_secs(15))
        .expect("run_workers panicked or hung when a job could not start");
    assert!(
        result.is_err(),
        "the fourth job cannot start (spawn refuses an argument with a NUL byte): run_workers \
         must return that error, got {result:?}"
    );
    // A job left running writes its pid into `dir` within milliseconds.
    thread::sleep(Duration::from_millis(300));
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("the meeting folder")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|&pid| exists(pid))
        .map(|pid| format!("{pid} is {}", state(pid)))
        .collect();
    assert!(
        left.is_empty(),
        "run_workers returned the spawn error but left worker(s) it had already started \
         behind ({}): on an error path every started worker must be killed and waited for. \
         A guard around each Child whose Drop does `kill()` then `wait()` does it for every \
         way out, `?` included (dropping a Child does neither)",
        left.join("; ")
    );
}

//! The grader against hostile attempts: a made-up course whose exercises do
//! everything a learner's code can do wrong (spin, deadlock, panic, flood
//! the output, leave processes and shared memory behind, start hundreds of
//! threads and processes, forge a pass, not compile), and runs of the grader
//! that are interrupted (SIGINT, SIGTERM), that panic, or that run two at
//! once. Every case asserts the verdict, a time bound, that no process and
//! no `/dev/shm` entry is left, and that the learner's files are untouched;
//! the cases and their times are printed as a table.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The graders these tests start compete for 2 cores: one test at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A word in the command line of every process the made-up tests start and
/// in every segment they make, unique to this test run.
fn marker() -> String {
    format!("grader-hostile-{}", std::process::id())
}

fn exercise(root: &Path, dir: &str, id: &str, timeout: u64, lib: &str, tests: &str) {
    let ex = root.join("exercises").join(dir);
    write(
        &ex.join("Cargo.toml"),
        &format!("[package]\nname = \"{id}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n"),
    );
    write(
        &ex.join("exercise.toml"),
        &format!(
            "title = \"{id}\"\nlesson = \"lesson-00\"\nminutes = 1\ntimeout_secs = {timeout}\n"
        ),
    );
    write(&ex.join("src/lib.rs"), lib);
    write(&ex.join("tests/check.rs"), tests);
}

/// The made-up course, in a temporary folder removed when dropped.
fn make_course() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("xtask-hostile-")
        .tempdir()
        .unwrap();
    let root = dir.path();
    write(
        &root.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"exercises/*\"]\n",
    );
    let m = marker();
    exercise(
        root,
        "01-misbehave",
        "misbehave",
        5,
        &format!(
            r#"
use std::process::Command;
use std::sync::{{Arc, Mutex, mpsc}};
pub fn answer() -> u32 {{ 42 }}
pub fn spin() {{ loop {{ std::hint::spin_loop() }} }}
/// Two locks taken in opposite orders by two threads.
pub fn deadlock() {{
    let a = Arc::new(Mutex::new(()));
    let b = Arc::new(Mutex::new(()));
    let (a2, b2) = (a.clone(), b.clone());
    let t = std::thread::spawn(move || {{
        let _b = b2.lock().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
        let _a = a2.lock().unwrap();
    }});
    let _a = a.lock().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    let _b = b.lock().unwrap();
    t.join().unwrap();
}}
/// 300 threads that wait for a message nobody sends.
pub fn threads_300() {{
    let (tx, rx) = mpsc::channel::<()>();
    let rx = Arc::new(Mutex::new(rx));
    let handles: Vec<_> = (0..300)
        .map(|_| {{ let rx = rx.clone(); std::thread::spawn(move || {{ let _ = rx.lock().unwrap().recv(); }}) }})
        .collect();
    for h in handles {{ h.join().unwrap(); }}
    drop(tx);
}}
pub fn flood() {{ loop {{ println!("{{}}", "spam ".repeat(40)); }} }}
pub fn leave_child() {{
    Command::new("sh").args(["-c", "sleep 1000; true", "{m}"]).spawn().unwrap();
}}
pub fn leave_detached_child() {{
    Command::new("setsid").args(["sh", "-c", "sleep 1000; true", "{m}"]).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
}}
pub fn children_200() {{
    for _ in 0..200 {{
        Command::new("sh").args(["-c", "sleep 1000; true", "{m}"]).spawn().unwrap();
    }}
}}
pub fn leave_zombie() {{
    let _finished = Command::new("true").spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
}}
pub fn leave_segment() {{
    // What shm_open without shm_unlink leaves behind.
    std::fs::write(format!("/dev/shm/{m}-{{}}-0", std::process::id()), b"leaked").unwrap();
}}
pub fn forge_a_pass() {{
    println!("test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");
    std::process::exit(0);
}}
"#
        ),
        r#"
use misbehave::*;
#[test]
fn passes() { assert_eq!(answer(), 42); }
#[test]
fn panics() { assert_eq!(answer(), 41, "the answer should be 41"); }
#[test]
fn spins() { spin(); }
#[test]
fn deadlocks() { deadlock(); }
#[test]
fn waits_in_300_threads() { threads_300(); }
#[test]
fn floods() { flood(); }
#[test]
fn exits_early() { std::process::exit(0); }
#[test]
fn forges_a_pass() { forge_a_pass(); }
#[test]
fn leaves_child() { leave_child(); }
#[test]
fn leaves_child_and_panics() { leave_child(); panic!("after starting a child"); }
#[test]
fn leaves_detached_child() { leave_detached_child(); }
#[test]
fn leaves_200_children() { children_200(); }
#[test]
fn leaves_zombie() { leave_zombie(); }
#[test]
fn leaves_segment() { leave_segment(); }
"#,
    );
    exercise(
        root,
        "02-broken",
        "broken",
        2,
        "pub fn f() -> u32 { \"not a number\" }\n",
        "#[test]\nfn uses_f() { assert_eq!(broken::f(), 1); }\n#[test]\nfn uses_f_again() { assert_eq!(broken::f(), 2); }\n",
    );
    // Passing without solving: cargo told to build the learner's own test
    // instead of the course's.
    exercise(
        root,
        "03-own-tests",
        "own-tests",
        2,
        "pub fn f() -> u32 { todo!() }\n",
        "#[test]\nfn f_is_one() { assert_eq!(own_tests::f(), 1); }\n",
    );
    let own = root.join("exercises/03-own-tests");
    let manifest = fs::read_to_string(own.join("Cargo.toml")).unwrap();
    write(
        &own.join("Cargo.toml"),
        &manifest.replace(
            "edition = \"2024\"\n",
            "edition = \"2024\"\nautotests = false\n\n[[test]]\nname = \"mine\"\npath = \"mine.rs\"\n",
        ),
    );
    write(&own.join("mine.rs"), "#[test]\nfn f_is_one() {}\n");
    // Segments held while the test checks them: two graders at once must
    // not remove each other's.
    exercise(
        root,
        "04-hold-segment",
        "hold-segment",
        10,
        &format!(
            r#"
pub fn hold(i: u32) {{
    let path = format!("/dev/shm/{m}-{{}}-{{i}}", std::process::id());
    std::fs::write(&path, b"held").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(std::path::Path::new(&path).exists(), "{{path}} was removed while held");
    std::fs::remove_file(&path).unwrap();
}}
"#
        ),
        "#[test]\nfn holds_one() { hold_segment::hold(1); }\n#[test]\nfn holds_two() { hold_segment::hold(2); }\n",
    );
    exercise(
        root,
        "05-slow",
        "slow",
        30,
        &format!(
            r#"
pub fn slow() {{
    std::process::Command::new("sh").args(["-c", "sleep 1000; true", "{m}"]).spawn().unwrap();
    std::fs::write(format!("/dev/shm/{m}-{{}}-9", std::process::id()), b"x").unwrap();
    loop {{ std::hint::spin_loop() }}
}}
"#
        ),
        "#[test]\nfn runs_long() { slow::slow(); }\n#[test]\nfn runs_long_too() { slow::slow(); }\n#[test]\nfn runs_long_three() { slow::slow(); }\n",
    );
    dir
}

fn grader(root: &Path, args: &[&str], envs: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args(args)
        .env("COURSE_ROOT", root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

/// Waits for the grader (a watchdog turns a hang into a failure); returns
/// its exit code (None: killed by a signal) and its report.
fn finish(mut child: Child, limit: Duration) -> (Option<i32>, String) {
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the grader did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code(), reader.join().unwrap())
}

fn xtask(root: &Path, args: &[&str]) -> (Option<i32>, String) {
    finish(grader(root, args, &[]), Duration::from_secs(300))
}

fn leftover_processes() -> Vec<String> {
    let m = marker();
    fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(&m))
        .collect()
}

/// Entries in /dev/shm that this test's made-up courses or its graders made.
fn leftover_shm(graders: &[u32]) -> Vec<String> {
    let m = marker();
    let Ok(dir) = fs::read_dir("/dev/shm") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(&m) || graders.iter().any(|g| *n == format!("course-grader-{g}")))
        .collect()
}

/// Every file under the learner's exercises, with its content.
fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for e in fs::read_dir(dir).unwrap().filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push((p.clone(), fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&root.join("exercises"), &mut out);
    out.sort();
    out
}

/// Asserts nothing is left, waiting a moment for the kernel to finish exits.
fn assert_nothing_left(graders: &[u32], case: &str) {
    let start = Instant::now();
    loop {
        let procs = leftover_processes();
        let shm = leftover_shm(graders);
        if procs.is_empty() && shm.is_empty() {
            return;
        }
        if start.elapsed() > Duration::from_secs(2) {
            panic!("{case}: left behind: processes {procs:?}, /dev/shm {shm:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The report line of test `name`.
fn line<'a>(report: &'a str, name: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.split_whitespace().take(3).any(|w| w == name))
        .unwrap_or_else(|| panic!("no line for {name} in:\n{report}"))
}

/// Seconds shown on a test's line (`2.31s`), if any.
fn secs(line: &str) -> f64 {
    line.split_whitespace()
        .last()
        .and_then(|t| t.trim_start_matches('>').strip_suffix('s'))
        .and_then(|t| t.parse().ok())
        .unwrap_or(0.0)
}

struct Table(Vec<(String, String, f64, f64)>);

impl Table {
    fn row(&mut self, case: &str, verdict: &str, seconds: f64, bound: f64) {
        assert!(
            seconds <= bound,
            "{case}: took {seconds:.1}s, more than the {bound}s allowed"
        );
        self.0.push((case.into(), verdict.into(), seconds, bound));
    }
}

impl Drop for Table {
    fn drop(&mut self) {
        // Straight to stderr, past libtest's capture, so CI's log shows it.
        let mut err = std::io::stderr();
        let _ = writeln!(err, "\ngrader against hostile attempts:");
        let _ = writeln!(
            err,
            "  {:<44} {:<34} {:>7} {:>7}",
            "case", "verdict", "seconds", "bound"
        );
        for (case, verdict, s, b) in &self.0 {
            let _ = writeln!(err, "  {case:<44} {verdict:<34} {s:>7.1} {b:>7.0}");
        }
    }
}

#[test]
fn hostile_attempts_get_their_verdicts_and_leave_nothing_behind() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let course = make_course();
    let root = course.path();
    let before = snapshot(root);
    let mut table = Table(Vec::new());

    // One run over the misbehaving exercises, two tests at a time.
    let start = Instant::now();
    let child = grader(
        root,
        &[
            "check",
            "exercises",
            "misbehave",
            "broken",
            "own-tests",
            "--jobs",
            "2",
        ],
        &[],
    );
    let pid = child.id();
    let (code, report) = finish(child, Duration::from_secs(240));
    let total = start.elapsed().as_secs_f64();
    assert_eq!(code, Some(1), "failures make the grader exit 1:\n{report}");
    assert_nothing_left(&[pid], "one run");

    let ok = |name: &str| line(&report, name).trim_start().starts_with("ok");
    let tag = |name: &str| {
        line(&report, name)
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_owned()
    };
    let expect = |table: &mut Table, case: &str, name: &str, verdict: &str, bound: f64| {
        let l = line(&report, name);
        assert_eq!(tag(name), verdict, "{case}:\n{report}");
        table.row(case, &format!("{verdict} ({name})"), secs(l), bound);
    };
    assert!(ok("passes"), "{report}");
    expect(&mut table, "panic", "panics", "FAILED", 2.0);
    assert!(
        report.contains("failed: the answer should be 41"),
        "{report}"
    );
    assert!(
        report.contains("panicked at exercises/01-misbehave/tests/check.rs:"),
        "{report}"
    );
    expect(&mut table, "endless loop", "spins", "TIMEOUT", 5.0);
    expect(
        &mut table,
        "deadlock (two locks, opposite orders)",
        "deadlocks",
        "DEADLOCK",
        12.0,
    );
    expect(
        &mut table,
        "300 threads waiting forever",
        "waits_in_300_threads",
        "DEADLOCK",
        20.0,
    );
    if Path::new("/usr/bin/gdb").exists() || Path::new("/bin/gdb").exists() {
        assert!(
            report.contains("at src/lib.rs:"),
            "the stuck frames are shown:\n{report}"
        );
    }
    assert!(report.contains("threads like this"), "{report}");
    expect(&mut table, "output flood", "floods", "TIMEOUT", 5.0);
    expect(
        &mut table,
        "exit(0) before the test ends",
        "exits_early",
        "FAILED",
        2.0,
    );
    expect(
        &mut table,
        "prints `test result: ok` and exits 0",
        "forges_a_pass",
        "FAILED",
        2.0,
    );
    expect(
        &mut table,
        "orphan child that hangs",
        "leaves_child",
        "FAILED",
        2.0,
    );
    expect(
        &mut table,
        "orphan child, then a panic",
        "leaves_child_and_panics",
        "FAILED",
        2.0,
    );
    expect(
        &mut table,
        "child detached with setsid",
        "leaves_detached_child",
        "FAILED",
        2.0,
    );
    expect(
        &mut table,
        "200 child processes left running",
        "leaves_200_children",
        "FAILED",
        4.0,
    );
    // 200 shells, and the `sleep` each has started by then.
    let killed: usize = report
        .lines()
        .skip_while(|l| !l.contains("leaves_200_children"))
        .find_map(|l| {
            l.trim()
                .strip_prefix("note: killed ")?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0);
    assert!(killed >= 200, "{report}");
    assert!(
        report.contains("left processes running after it ended"),
        "{report}"
    );
    expect(
        &mut table,
        "zombie (finished, never waited for)",
        "leaves_zombie",
        "ok",
        2.0,
    );
    assert!(
        report.contains("1 child process(es) had finished but were never waited for (zombies)"),
        "{report}"
    );
    expect(
        &mut table,
        "leaked /dev/shm entry",
        "leaves_segment",
        "ok",
        2.0,
    );
    assert!(
        report.contains(&format!(
            "removed shared-memory segment /dev/shm/{}-",
            marker()
        )),
        "{report}"
    );
    // The broken exercise: the compiler's error, its tests named, counted as not run.
    assert!(report.contains("mismatched types"), "{report}");
    assert_eq!(tag("uses_f"), "NOT", "{report}");
    assert!(
        report.contains("broken: did not compile (2 not run)"),
        "{report}"
    );
    table.row("compile error", "did not compile (2 not run)", 0.0, 0.0);
    // `autotests = false` and a test of one's own: the course's test did not run.
    expect(
        &mut table,
        "autotests = false, a [[test]] of its own",
        "f_is_one",
        "FAILED",
        1.0,
    );
    assert!(
        report.contains("this test of the course did not run"),
        "{report}"
    );
    // 3 pass (passes, leaves_zombie, leaves_segment); the others fail.
    assert!(
        report
            .trim_end()
            .ends_with("3 passed, 12 failed, 2 not run (1 exercise(s) did not compile)"),
        "{report}"
    );
    table.row(
        "the whole run (17 tests, 2 at a time)",
        "3 passed, 12 failed, 2 not run",
        total,
        120.0,
    );

    // Interrupted mid-run: the report so far, then nothing left.
    for (sig, name, code) in [
        (libc::SIGINT, "SIGINT", 130),
        (libc::SIGTERM, "SIGTERM", 143),
    ] {
        let child = grader(root, &["check", "exercises", "slow", "--jobs", "1"], &[]);
        let pid = child.id();
        // Wait until the first test has started its child and its segment.
        let start = Instant::now();
        while leftover_processes().is_empty() {
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "the slow test never started"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(300));
        let sent = Instant::now();
        // SAFETY: sends a signal to the grader we started.
        unsafe { libc::kill(pid as libc::pid_t, sig) };
        let (exit, report) = finish(child, Duration::from_secs(30));
        let took = sent.elapsed().as_secs_f64();
        assert_eq!(exit, Some(code), "{name}:\n{report}");
        assert!(report.contains("stopped by"), "{report}");
        assert!(
            report.trim_end().ends_with("0 passed, 0 failed, 3 not run"),
            "{report}"
        );
        assert_nothing_left(&[pid], name);
        table.row(
            &format!("{name} mid-run"),
            &format!("exit {code}, report, 3 not run"),
            took,
            6.0,
        );
    }

    // The grader itself panics mid-run.
    let start = Instant::now();
    let child = grader(
        root,
        &["check", "exercises", "misbehave", "--jobs", "2"],
        &[("COURSE_GRADER_FAULT", "panic-after:panics")],
    );
    let pid = child.id();
    let (exit, report) = finish(child, Duration::from_secs(60));
    assert_eq!(exit, Some(101), "{report}");
    assert!(report.contains("the grader itself failed"), "{report}");
    assert!(report.contains("1 passed, 1 failed"), "{report}");
    assert_nothing_left(&[pid], "grader panic");
    table.row(
        "a panic of the grader itself",
        "exit 101, report so far",
        start.elapsed().as_secs_f64(),
        30.0,
    );

    // Two graders at once on the same exercise (one with a private
    // /dev/shm per test, one telling segments by their pids).
    let start = Instant::now();
    let a = grader(root, &["check", "exercises", "hold-segment"], &[]);
    let b = grader(
        root,
        &["check", "exercises", "hold-segment"],
        &[("COURSE_GRADER_NO_ISOLATION", "1")],
    );
    let pids = [a.id(), b.id()];
    let (code_a, report_a) = finish(a, Duration::from_secs(120));
    let (code_b, report_b) = finish(b, Duration::from_secs(120));
    assert_eq!(code_a, Some(0), "{report_a}");
    assert_eq!(code_b, Some(0), "{report_b}");
    assert_nothing_left(&pids, "two graders");
    table.row(
        "two graders at once, same exercise",
        "both 2 passed",
        start.elapsed().as_secs_f64(),
        60.0,
    );

    assert_eq!(snapshot(root), before, "the learner's files were changed");
}

fn git(root: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A one-exercise course: a `todo!()` starter, its solution, one test.
fn make_small_course() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("xtask-small-")
        .tempdir()
        .unwrap();
    let root = dir.path();
    write(
        &root.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"exercises/*\"]\n",
    );
    exercise(
        root,
        "01-add",
        "add",
        5,
        "pub fn add(a: u32, b: u32) -> u32 { let _ = (a, b); todo!() }\n",
        "#[test]\nfn adds() { assert_eq!(add::add(2, 3), 5, \"2 + 3\"); }\n",
    );
    write(
        &root.join("solutions/01-add/src/lib.rs"),
        "pub fn add(a: u32, b: u32) -> u32 { a + b }\n",
    );
    dir
}

#[test]
fn bless_refuses_learner_code_and_edited_tests_are_graded_as_the_course_wrote_them() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let course = make_small_course();
    let root = course.path();
    if !git(root, &["init", "-q"]) {
        eprintln!("skipped: git is not installed");
        return;
    }
    let (code, report) = xtask(root, &["maint", "bless"]);
    assert_eq!(code, Some(0), "{report}");
    assert!(git(root, &["add", "-A"]) && git(root, &["commit", "-qm", "course"]));

    // The learner empties the test and tries to bless it.
    let tests = root.join("exercises/01-add/tests/check.rs");
    let emptied = "#[test]\nfn adds() {}\n";
    fs::write(&tests, emptied).unwrap();
    let (code, report) = xtask(root, &["bless"]);
    assert_eq!(code, Some(1), "{report}");
    assert!(report.contains("passes on the starter"), "{report}");

    // Then solves it: still graded against the course's test, told so.
    let lib = root.join("exercises/01-add/src/lib.rs");
    let starter = fs::read_to_string(&lib).unwrap();
    fs::write(&lib, "pub fn add(a: u32, b: u32) -> u32 { a * b + 1 }\n").unwrap();
    let (code, report) = xtask(root, &["check", "exercises", "add"]);
    assert_eq!(code, Some(1), "{report}");
    assert!(report.contains("you changed tests/check.rs"), "{report}");
    assert!(
        report.contains("2 + 3"),
        "graded against the canonical test:\n{report}"
    );
    assert_eq!(
        fs::read_to_string(&tests).unwrap(),
        emptied,
        "the learner's copy is kept"
    );

    // Bless with learner code in src/ is refused, and records nothing.
    let record = fs::read_to_string(root.join("exercises/canonical.toml")).unwrap();
    let (code, report) = xtask(root, &["maint", "bless"]);
    assert_eq!(code, Some(2), "{report}");
    assert_eq!(
        fs::read_to_string(root.join("exercises/canonical.toml")).unwrap(),
        record
    );

    // `reset` puts the starter back after saving the learner's code.
    let (code, report) = xtask(root, &["reset", "add"]);
    assert_eq!(code, Some(0), "{report}");
    assert_eq!(fs::read_to_string(&lib).unwrap(), starter);
    let backups: Vec<_> = fs::read_dir(root.join(".course/backups"))
        .unwrap()
        .map(|e| e.unwrap().path().join("lib.rs"))
        .collect();
    assert_eq!(backups.len(), 1);
    assert!(
        fs::read_to_string(&backups[0])
            .unwrap()
            .contains("a * b + 1")
    );
    let (code, report) = xtask(root, &["reset", "add"]);
    assert!(
        code == Some(0) && report.contains("nothing to back up"),
        "{report}"
    );
}

#[test]
fn solutions_check_proves_both_sides_and_never_leaks_into_the_learners_build() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let course = make_small_course();
    let root = course.path();
    let (code, report) = xtask(root, &["maint", "check-solutions"]);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("solutions: 1 passed, 0 failed"), "{report}");

    // The scratch copy built the solution; the learner's tree still holds the
    // starter, and grading it must build and run the starter, not the solution.
    let (code, report) = xtask(root, &["check", "exercises", "--test", "adds", "add"]);
    assert_eq!(code, Some(1), "the starter was graded as solved:\n{report}");
    assert!(report.contains("not yet implemented"), "{report}");

    // A test that passes on the starter is caught.
    let lib = root.join("exercises/01-add/src/lib.rs");
    fs::write(&lib, "pub fn add(a: u32, b: u32) -> u32 { a + b }\n").unwrap();
    let (code, report) = xtask(root, &["check", "solutions"]);
    assert_eq!(code, Some(1), "{report}");
    assert!(
        report.contains("passes on the untouched starter"),
        "{report}"
    );
}

#[test]
fn the_learners_help_lists_no_maintainer_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for learner in ["check", "hint", "list", "reset", "class", "maint"] {
        assert!(help.contains(&format!("  {learner} ")), "{help}");
    }
    for maintainer in ["bless", "capture", "  ci "] {
        assert!(
            !help.contains(maintainer),
            "{maintainer} in the learner's help:\n{help}"
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["maint", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for maintainer in ["bless", "capture", "ci", "check-solutions"] {
        assert!(help.contains(maintainer), "{help}");
    }
}

/// The real `model-sync` crate (loom under std's names), for made-up
/// exercises with a `model` feature.
fn model_sync_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../chapters/model-sync")
}

/// A made-up exercise with a `model` feature, the course's canonical
/// `tests/model.rs` and a learner's `src/lib.rs`.
fn model_exercise(root: &Path, dir: &str, id: &str, lib: &str, model_tests: &str) {
    let ex = root.join("exercises").join(dir);
    write(
        &ex.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"{id}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [features]\nmodel = [\"dep:model-sync\"]\n\n\
             [dependencies]\nmodel-sync = {{ path = {:?}, optional = true }}\n",
            model_sync_path().display().to_string()
        ),
    );
    write(
        &ex.join("exercise.toml"),
        &format!("title = \"{id}\"\nlesson = \"lesson-00\"\nminutes = 1\ntimeout_secs = 60\n"),
    );
    write(&ex.join("src/lib.rs"), lib);
    write(&ex.join("tests/model.rs"), model_tests);
}

/// Two learners' attempts that the ordinary stress tests may well pass: a
/// bounded buffer with `if` where `while` is needed around `wait`, and a
/// counter that adds with a `load` then a `store`. The course's own
/// `tests/model.rs` of each exercise is used as it is.
fn make_model_course() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("xtask-model-")
        .tempdir()
        .unwrap();
    let root = dir.path();
    write(
        &root.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"exercises/*\"]\n",
    );
    // The course's lock file: the same loom and tracing versions, no network.
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"),
        root.join("Cargo.lock"),
    )
    .unwrap();
    model_exercise(
        root,
        "03-bounded-buffer",
        "bounded-buffer",
        r#"
use std::collections::VecDeque;
#[cfg(feature = "model")]
use model_sync::sync::{Condvar, Mutex};
#[cfg(not(feature = "model"))]
use std::sync::{Condvar, Mutex};

pub struct Closed<T>(pub T);
impl<T> std::fmt::Debug for Closed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("Closed") }
}

pub struct BoundedBuffer<T> {
    state: Mutex<(VecDeque<T>, bool)>,
    not_full: Condvar,
    not_empty: Condvar,
    capacity: usize,
}

impl<T> BoundedBuffer<T> {
    pub fn new(capacity: usize) -> Self {
        BoundedBuffer {
            state: Mutex::new((VecDeque::new(), false)),
            not_full: Condvar::new(),
            not_empty: Condvar::new(),
            capacity,
        }
    }
    pub fn push(&self, item: T) -> Result<(), Closed<T>> {
        let mut s = self.state.lock().unwrap();
        if s.0.len() == self.capacity && !s.1 {
            s = self.not_full.wait(s).unwrap(); // `if`: not re-checked
        }
        if s.1 {
            return Err(Closed(item));
        }
        s.0.push_back(item);
        drop(s);
        self.not_empty.notify_one();
        Ok(())
    }
    pub fn pop(&self) -> Option<T> {
        let mut s = self.state.lock().unwrap();
        if s.0.is_empty() && !s.1 {
            s = self.not_empty.wait(s).unwrap(); // `if`: not re-checked
        }
        let item = s.0.pop_front();
        drop(s);
        self.not_full.notify_one();
        item
    }
    pub fn len(&self) -> usize { self.state.lock().unwrap().0.len() }
    pub fn is_empty(&self) -> bool { self.len() == 0 }
    pub fn close(&self) {
        self.state.lock().unwrap().1 = true;
        self.not_full.notify_all();
        self.not_empty.notify_all();
    }
}
"#,
        include_str!("../../exercises/03-bounded-buffer/tests/model.rs"),
    );
    model_exercise(
        root,
        "02-exact-counter",
        "exact-counter",
        r#"
#[cfg(feature = "model")]
use model_sync::{sync::Mutex, sync::atomic::{AtomicU64, Ordering::Relaxed}, thread};
#[cfg(not(feature = "model"))]
use std::{sync::Mutex, sync::atomic::{AtomicU64, Ordering::Relaxed}, thread};

fn parts(items: &[u64], threads: usize) -> std::slice::Chunks<'_, u64> {
    items.chunks(items.len().div_ceil(threads).max(1))
}
pub fn count_with_mutex(items: &[u64], threads: usize, pred: impl Fn(u64) -> bool + Sync) -> u64 {
    let count = Mutex::new(0);
    thread::scope(|s| for part in parts(items, threads) {
        let (count, pred) = (&count, &pred);
        s.spawn(move || for &x in part { if pred(x) { *count.lock().unwrap() += 1; } });
    });
    count.into_inner().unwrap()
}
pub fn count_with_fetch_add(items: &[u64], threads: usize, pred: impl Fn(u64) -> bool + Sync) -> u64 {
    let count = AtomicU64::new(0);
    thread::scope(|s| for part in parts(items, threads) {
        let (count, pred) = (&count, &pred);
        s.spawn(move || for &x in part {
            if pred(x) {
                let seen = count.load(Relaxed); // load, then store: not one step
                count.store(seen + 1, Relaxed);
            }
        });
    });
    count.into_inner()
}
pub fn count_with_local_sums(items: &[u64], threads: usize, pred: impl Fn(u64) -> bool + Sync) -> u64 {
    thread::scope(|s| {
        let handles: Vec<_> = parts(items, threads)
            .map(|part| { let pred = &pred; s.spawn(move || part.iter().filter(|&&x| pred(x)).count() as u64) })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}
"#,
        include_str!("../../exercises/02-exact-counter/tests/model.rs"),
    );
    dir
}

#[test]
fn model_checked_rows_fail_an_if_for_while_and_a_load_then_store_with_a_replay_line() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let course = make_model_course();
    let root = course.path();
    // loom and its dependencies are built once, in a target dir kept between
    // runs; only the made-up exercises are rebuilt each time.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("model-course-target");
    let grade = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
        cmd.args(args)
            .env("COURSE_ROOT", root)
            .env("CARGO_TARGET_DIR", &target)
            .env("CARGO_NET_OFFLINE", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        finish(cmd.spawn().unwrap(), Duration::from_secs(600))
    };

    let (code, report) = grade(&["check", "exercises", "bounded-buffer", "exact-counter"]);
    assert_eq!(code, Some(1), "{report}");
    for (id, test) in [
        ("bounded-buffer", "model_two_consumers_each_get_an_item"),
        ("bounded-buffer", "model_producers_never_overfill"),
        ("exact-counter", "model_fetch_add_count_is_exact"),
    ] {
        let row = line(&report, test);
        assert!(
            row.trim_start().starts_with("FAILED"),
            "{test} did not fail:\n{report}"
        );
        let replay = format!("cargo xtask check exercises {id} --test {test} --replay");
        assert!(report.contains(&replay), "no `{replay}` in:\n{report}");
    }
    for test in [
        "model_mutex_count_is_exact",
        "model_local_sums_count_is_exact",
    ] {
        let row = line(&report, test);
        assert!(
            row.trim_start().starts_with("ok"),
            "{test} did not pass:\n{report}"
        );
    }

    // The replay command runs the saved interleaving and lists its steps.
    let (code, report) = grade(&[
        "check",
        "exercises",
        "exact-counter",
        "--test",
        "model_fetch_add_count_is_exact",
        "--replay",
    ]);
    assert_eq!(code, Some(1), "{report}");
    assert!(report.contains("step by step"), "{report}");
    assert!(report.contains("Atomic::store"), "{report}");
}

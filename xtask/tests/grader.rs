//! The grader against a made-up course whose exercise misbehaves in every way
//! a learner's code can: it panics, spins, deadlocks, floods its output,
//! exits early, leaves child processes behind (some detached from their
//! process group), and a second exercise does not compile. The grader must
//! report each, finish, and leave no process running.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A unique word that marks the processes and the segment that the course
/// named `course` starts: one per course, so that tests running at the same
/// time never see each other's.
fn marker(course: &str) -> String {
    format!("grader-test-orphan-{}-{course}", std::process::id())
}

/// Writes a small course into a fresh temporary folder named after `name`.
fn make_course(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    write(
        &root.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"exercises/*\"]\n",
    );
    let marker = marker(name);
    let ex = root.join("exercises/01-misbehave");
    write(
        &ex.join("Cargo.toml"),
        "[package]\nname = \"misbehave\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    );
    write(
        &ex.join("exercise.toml"),
        "title = \"Misbehave\"\nlesson = \"lesson-00\"\nminutes = 1\ntimeout_secs = 2\nhints = [\"one\", \"two\"]\n",
    );
    write(
        &ex.join("src/lib.rs"),
        &format!(
            r#"
use std::process::Command;
pub fn answer() -> u32 {{ 42 }}
pub fn spin() {{ loop {{ std::hint::spin_loop() }} }}
pub fn deadlock() {{
    let m = std::sync::Mutex::new(());
    let _a = m.lock().unwrap();
    let _b = m.lock().unwrap();
}}
pub fn flood() {{ loop {{ println!("{{}}", "spam ".repeat(40)); }} }}
pub fn leave_child() {{
    Command::new("sh").args(["-c", "sleep 1000; true", "{marker}"]).spawn().unwrap();
}}
pub fn leave_segment() {{
    // What shm_open without shm_unlink leaves behind.
    std::fs::write("/dev/shm/{marker}", b"leaked").unwrap();
}}
pub fn leave_detached_child() {{
    Command::new("setsid").args(["sh", "-c", "sleep 1000; true", "{marker}"]).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
}}
"#
        ),
    );
    write(
        &ex.join("tests/check.rs"),
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
fn floods() { flood(); }
#[test]
fn exits_early() { std::process::exit(0); }
#[test]
fn leaves_child() { leave_child(); }
#[test]
fn leaves_detached_child() { leave_detached_child(); }
#[test]
fn leaves_segment() { leave_segment(); }
"#,
    );
    let broken = root.join("exercises/01-broken");
    write(
        &broken.join("Cargo.toml"),
        "[package]\nname = \"broken\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    );
    write(
        &broken.join("exercise.toml"),
        "title = \"Broken\"\nlesson = \"lesson-00\"\nminutes = 1\n",
    );
    write(
        &broken.join("src/lib.rs"),
        "pub fn f() -> u32 { \"not a number\" }\n",
    );
    write(
        &broken.join("tests/check.rs"),
        "#[test]\nfn uses_f() { assert_eq!(broken::f(), 1); }\n",
    );
    root
}

fn xtask(root: &Path, args: &[&str]) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env("COURSE_ROOT", root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    // The grader must always finish; a generous watchdog turns a hang into a failure.
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(300) {
            child.kill().unwrap();
            panic!("the grader did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (status.success(), reader.join().unwrap())
}

fn leftover_processes(course: &str) -> Vec<String> {
    let marker = marker(course);
    fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(&marker))
        .collect()
}

#[test]
fn grader_reports_every_kind_of_failure_and_leaves_nothing_behind() {
    let root = make_course("misbehave");
    let (ok, report) = xtask(&root, &["check", "exercises"]);
    assert!(
        !ok,
        "failures must make the grader exit non-zero:\n{report}"
    );

    let line = |name: &str| {
        report
            .lines()
            .find(|l| l.split_whitespace().any(|word| word == name))
            .unwrap_or_else(|| panic!("no line for {name} in:\n{report}"))
            .to_owned()
    };
    assert!(line("passes").trim_start().starts_with("ok"), "{report}");
    assert!(line("panics").contains("FAILED"), "{report}");
    assert!(
        report.contains("failed: the answer should be 41"),
        "{report}"
    );
    assert!(
        report.contains("panicked at exercises/01-misbehave/tests/check.rs:"),
        "{report}"
    );
    for hang in ["spins", "deadlocks", "floods"] {
        assert!(
            line(hang).contains("TIMEOUT"),
            "{hang} should time out:\n{report}"
        );
    }
    assert!(line("exits_early").contains("FAILED"), "{report}");
    assert!(report.contains("exited early"), "{report}");
    assert!(
        line("leaves_child").trim_start().starts_with("ok"),
        "{report}"
    );
    assert!(
        report.contains("process(es) that the test started and left running"),
        "{report}"
    );

    // The broken exercise is reported with the compiler's error, its test named.
    assert!(report.contains("does not compile"), "{report}");
    assert!(report.contains("mismatched types"), "{report}");
    assert!(line("uses_f").contains("NOT RUN"), "{report}");

    assert!(
        line("leaves_segment").trim_start().starts_with("ok"),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "removed shared-memory segment /dev/shm/{}",
            marker("misbehave")
        )),
        "{report}"
    );
    assert!(!Path::new("/dev/shm").join(marker("misbehave")).exists());

    // 4 pass (passes, leaves_child, leaves_detached_child, leaves_segment);
    // 5 fail, and the broken exercise counts 1.
    assert!(
        report.trim_end().ends_with("4 passed, 6 failed"),
        "{report}"
    );

    // Nothing the tests started is still running.
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(leftover_processes("misbehave"), Vec::<String>::new());

    // Naming an unknown exercise is a clear error, not a crash.
    let (ok, _) = xtask(&root, &["check", "exercises", "no-such-exercise"]);
    assert!(!ok);

    let _ = fs::remove_dir_all(&root);
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

#[test]
fn edited_tests_are_noticed_and_reset_keeps_a_backup() {
    let root = make_course("edited");
    fs::remove_dir_all(root.join("exercises/01-broken")).unwrap();
    if !git(&root, &["init", "-q"]) {
        eprintln!("skipped: git is not installed");
        return;
    }
    let (blessed, _) = xtask(&root, &["bless"]);
    assert!(blessed);
    assert!(git(&root, &["add", "-A"]) && git(&root, &["commit", "-qm", "course"]));

    // The learner "fixes" the failing test instead of the code.
    let tests = root.join("exercises/01-misbehave/tests/check.rs");
    let edited = fs::read_to_string(&tests)
        .unwrap()
        .replace("41, \"the answer", "42, \"the answer");
    fs::write(&tests, &edited).unwrap();

    let (ok, report) = xtask(
        &root,
        &["check", "exercises", "misbehave", "--timeout", "1"],
    );
    assert!(!ok, "{report}");
    assert!(report.contains("you changed tests/check.rs"), "{report}");
    assert!(
        report.contains("failed: the answer should be 41"),
        "graded against the canonical test:\n{report}"
    );
    // The learner's copy is left as they wrote it.
    assert_eq!(fs::read_to_string(&tests).unwrap(), edited);

    // `reset` puts the starter back, after saving the learner's code.
    let lib = root.join("exercises/01-misbehave/src/lib.rs");
    let starter = fs::read_to_string(&lib).unwrap();
    fs::write(&lib, "pub fn answer() -> u32 { 41 }\n").unwrap();
    let (ok, report) = xtask(&root, &["reset", "misbehave"]);
    assert!(ok, "{report}");
    assert_eq!(fs::read_to_string(&lib).unwrap(), starter);
    let backups: Vec<_> = fs::read_dir(root.join(".course/backups"))
        .unwrap()
        .map(|e| e.unwrap().path().join("lib.rs"))
        .collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(
        fs::read_to_string(&backups[0]).unwrap(),
        "pub fn answer() -> u32 { 41 }\n"
    );

    // Two more resets at once (the same second): each attempt keeps its own
    // backup, none overwrites another.
    for attempt in ["v2", "v3"] {
        fs::write(&lib, format!("// {attempt}\n")).unwrap();
        let (ok, report) = xtask(&root, &["reset", "exercises/01-misbehave/"]);
        assert!(ok, "{report}");
    }
    let mut saved: Vec<String> = fs::read_dir(root.join(".course/backups"))
        .unwrap()
        .map(|e| fs::read_to_string(e.unwrap().path().join("lib.rs")).unwrap())
        .collect();
    saved.sort();
    assert_eq!(
        saved,
        ["// v2\n", "// v3\n", "pub fn answer() -> u32 { 41 }\n"]
    );
    // A reset forgets the exercise's grade: `list` shows it as new again.
    let progress = fs::read_to_string(root.join(".course/progress.toml")).unwrap_or_default();
    assert!(!progress.contains("misbehave"), "{progress}");
    // An untouched starter has nothing to save.
    let (ok, report) = xtask(&root, &["reset", "misbehave"]);
    assert!(ok && report.contains("nothing to back up"), "{report}");
    assert_eq!(
        fs::read_dir(root.join(".course/backups")).unwrap().count(),
        3
    );
    let _ = fs::remove_dir_all(&root);
}

/// A one-exercise course: a `todo!()` starter, its solution, one test.
fn make_small_course(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    write(
        &root.join("Cargo.toml"),
        "[workspace]\nresolver = \"3\"\nmembers = [\"exercises/*\"]\n",
    );
    let ex = root.join("exercises/01-add");
    write(
        &ex.join("Cargo.toml"),
        "[package]\nname = \"add\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    );
    write(
        &ex.join("exercise.toml"),
        "title = \"Add\"\nlesson = \"lesson-00\"\nminutes = 1\n",
    );
    write(
        &ex.join("src/lib.rs"),
        "pub fn add(a: u32, b: u32) -> u32 { let _ = (a, b); todo!() }\n",
    );
    write(
        &ex.join("tests/check.rs"),
        "#[test]\nfn adds() { assert_eq!(add::add(2, 3), 5); }\n",
    );
    write(
        &root.join("solutions/01-add/src/lib.rs"),
        "pub fn add(a: u32, b: u32) -> u32 { a + b }\n",
    );
    root
}

#[test]
fn solutions_check_proves_both_sides_and_never_leaks_into_the_learners_build() {
    let root = make_small_course("solutions");
    let (ok, report) = xtask(&root, &["check", "solutions"]);
    assert!(ok, "{report}");
    assert!(report.contains("solutions: 1 passed, 0 failed"), "{report}");

    // The scratch copy built the solution; the learner's tree still holds the
    // starter, and grading it must build and run the starter, not the solution.
    let (ok, report) = xtask(&root, &["check", "exercises"]);
    assert!(!ok, "the starter was graded as solved:\n{report}");
    assert!(report.contains("not yet implemented"), "{report}");

    // A test that passes on the starter is caught.
    let lib = root.join("exercises/01-add/src/lib.rs");
    fs::write(&lib, "pub fn add(a: u32, b: u32) -> u32 { a + b }\n").unwrap();
    let (ok, report) = xtask(&root, &["check", "solutions"]);
    assert!(!ok, "{report}");
    assert!(
        report.contains("passes on the untouched starter"),
        "{report}"
    );
    let _ = fs::remove_dir_all(&root);
}

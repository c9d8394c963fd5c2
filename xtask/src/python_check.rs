//! `cargo xtask python-check`: the book's Python is real. Every `.py` file
//! under `chapters/` must compile, and every `chapters/*/python/*.py` must run
//! with no arguments and exit 0 within a time limit, in its own process group
//! (killed whole at the limit). Without `python3` the step says how to get it
//! and is skipped.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use course_support::python::{Python, PythonError};

use crate::course::Course;

/// Time limit for one script: they finish in a few seconds; this leaves room
/// for a busy machine.
pub const LIMIT: Duration = Duration::from_secs(60);

/// Compiles each file in memory (`compile()`), so nothing is written into the
/// tree, and prints `FAIL path` and the error for each file that does not.
const COMPILE: &str = r#"
import sys, traceback
failed = 0
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as f:
            compile(f.read(), path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as err:
        failed += 1
        print("FAIL", path)
        print("".join(traceback.format_exception_only(type(err), err)).rstrip())
sys.exit(1 if failed else 0)
"#;

pub fn run(course: &Course) -> Result<bool> {
    // The interpreter the benches would use ($PYTHON, else the most capable on PATH).
    let python = course_support::interpreter::find(None)
        .map(|found| found.python)
        .unwrap_or_else(|_| Python::python3());
    run_with(course, &python, LIMIT)
}

pub fn run_with(course: &Course, python: &Python, limit: Duration) -> Result<bool> {
    let Some(version) = python.version() else {
        println!(
            "python3 not found: Python check skipped (install Python 3.11 or newer, \
             e.g. `apt-get install python3`, to run the book's Python files)"
        );
        return Ok(true);
    };
    let chapters = course.root.join("chapters");
    let mut all = Vec::new();
    py_files(&chapters, &mut all)?;
    all.sort();
    let scripts = scripts(&chapters)?;
    println!(
        "Python {version}: {} .py files to compile, {} scripts to run",
        all.len(),
        scripts.len()
    );

    let mut ok = true;
    if !all.is_empty() {
        let out = Command::new(python.program())
            .arg("-c")
            .arg(COMPILE)
            .args(&all)
            .stdin(Stdio::null())
            .output()
            .context("could not run python3")?;
        print!("{}", String::from_utf8_lossy(&out.stdout));
        if out.status.success() {
            println!("  compiled  all {} files", all.len());
        } else {
            ok = false;
            eprint!("{}", String::from_utf8_lossy(&out.stderr));
        }
    }

    let (mut passed, mut failed) = (0, 0);
    for script in &scripts {
        let name = script.strip_prefix(&course.root).unwrap_or(script);
        let started = Instant::now();
        // Beside its own folder, a script may import the course's shared
        // modules (the prime count), as the benches ship them.
        let folder = script.parent().unwrap_or(&course.root);
        let shared = course.root.join("chapters/course-support/python");
        let result = python.run_file(script, &[folder, &shared], [""; 0], limit);
        let secs = started.elapsed().as_secs_f64();
        match result {
            Ok(_) => {
                passed += 1;
                println!("  passed    {} ({secs:.1}s)", name.display());
            }
            Err(err) => {
                failed += 1;
                let why = match &err {
                    PythonError::TimedOut(_) => format!("ran past {}s: killed", limit.as_secs()),
                    other => last_lines(&other.to_string(), 12),
                };
                println!(
                    "  FAILED    {} ({secs:.1}s)\n{}",
                    name.display(),
                    indent(&why)
                );
            }
        }
    }
    println!("python scripts: {passed} passed, {failed} failed");
    Ok(ok && failed == 0)
}

/// `chapters/*/python/*.py`, sorted.
pub fn scripts(chapters: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let Ok(crates) = fs::read_dir(chapters) else {
        return Ok(found);
    };
    for krate in crates {
        let dir = krate?.path().join("python");
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry?.path();
            if path.is_file() && path.extension().is_some_and(|e| e == "py") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Every `.py` file below `dir`, skipping build output and hidden folders.
fn py_files(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !(name.starts_with('.') || name == "target" || name == "__pycache__") {
                py_files(&path, found)?;
            }
        } else if name.ends_with(".py") {
            found.push(path);
        }
    }
    Ok(())
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("            {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn course_with(tag: &str, files: &[(&str, &str)]) -> (Course, PathBuf) {
        let root = std::env::temp_dir().join(format!("xtask-python-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for (path, text) in files {
            let path = root.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        (Course { root: root.clone() }, root)
    }

    #[test]
    fn finds_only_the_python_folders_scripts() {
        let (course, root) = course_with(
            "find",
            &[
                ("chapters/lesson-01-x/python/b.py", ""),
                ("chapters/lesson-01-x/python/a.py", ""),
                ("chapters/lesson-01-x/src/helper.py", ""),
                ("chapters/lesson-02-y/python/notes.txt", ""),
            ],
        );
        let found = scripts(&course.root.join("chapters")).unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().to_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            names,
            [
                "chapters/lesson-01-x/python/a.py",
                "chapters/lesson-01-x/python/b.py"
            ]
        );
        let mut all = Vec::new();
        py_files(&course.root.join("chapters"), &mut all).unwrap();
        assert_eq!(all.len(), 3);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn without_python_the_check_is_skipped_not_failed() {
        let (course, root) =
            course_with("none", &[("chapters/l/python/a.py", "raise SystemExit(1)")]);
        assert!(run_with(&course, &Python::at("/nonexistent/python3"), LIMIT).unwrap());
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_failing_a_hanging_and_a_broken_script_fail_the_check() {
        if Python::python3().version().is_none() {
            eprintln!("python3 not found: test skipped");
            return;
        }
        let good = "print('fine')\n";
        for (i, bad) in [
            "raise SystemExit(3)\n",
            "import time\ntime.sleep(30)\n",
            "def broken(:\n",
        ]
        .into_iter()
        .enumerate()
        {
            let (course, root) = course_with(
                &format!("bad{i}"),
                &[
                    ("chapters/l/python/good.py", good),
                    ("chapters/l/python/bad.py", bad),
                ],
            );
            let started = Instant::now();
            let ok = run_with(&course, &Python::python3(), Duration::from_secs(2)).unwrap();
            assert!(!ok, "{bad:?} passed the check");
            assert!(started.elapsed() < Duration::from_secs(15));
            fs::remove_dir_all(root).unwrap();
        }
        let (course, root) = course_with("good", &[("chapters/l/python/good.py", good)]);
        assert!(run_with(&course, &Python::python3(), LIMIT).unwrap());
        fs::remove_dir_all(root).unwrap();
    }
}

//! `cargo xtask check exercises`: build the learner's exercises, run every
//! test on its own with a time limit, and report.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use crate::canonical::{self, TestsStatus};
use crate::cargo;
use crate::course::{Course, Exercise, rust_files};
use crate::reaper;
use crate::report::{self, ExerciseResult};
use crate::runner::{self, Outcome, TestRun};
use crate::scratch::{self, Workspace};

/// Grades the named exercises (all when none are named) in the learner's tree.
pub fn check_exercises(
    course: &Course,
    names: &[String],
    timeout: Option<u64>,
    json: Option<&Path>,
) -> Result<bool> {
    let exercises = course.select(names)?;
    let mut notes = Vec::new();
    let mut edited = Vec::new();
    for ex in &exercises {
        match canonical::status(course, ex)? {
            TestsStatus::Canonical | TestsStatus::Unrecorded => {}
            TestsStatus::Edited(files) => {
                notes.push((
                    ex.id.clone(),
                    format!(
                        "you changed {} in this exercise; it is graded against the course's \
                         own tests (your copy is left as it is)",
                        files.join(", ")
                    ),
                ));
                edited.push(ex.clone());
            }
        }
    }

    for (id, note) in &notes {
        println!("note ({id}): {note}");
    }

    // Edited tests: grade a scratch copy of the learner's tree with the
    // canonical tests put back; the learner's own files are never touched.
    let workspace = if edited.is_empty() {
        Workspace::of_course(course)
    } else {
        let scratch = scratch::create(course, "graded")?;
        for ex in &edited {
            canonical::restore_tests(course, ex, &scratch.exercise_dir(&ex.dir_name))?;
        }
        scratch
    };

    let mut results = grade(&workspace, &exercises, timeout, true)?;
    for (id, note) in notes {
        if let Some(r) = results.iter_mut().find(|r| r.id == id) {
            r.notes.insert(0, note);
        }
    }
    report::record_progress(course, &results)?;
    if let Some(path) = json {
        report::write_json(path, &results)?;
    }
    Ok(report::summary(&results))
}

/// `--watch`: grade, then again after every saved change to the exercises'
/// sources, until interrupted.
pub fn watch(course: &Course, names: &[String], run: impl Fn() -> Result<bool>) -> Result<bool> {
    let dirs: Vec<_> = course
        .select(names)?
        .iter()
        .map(|ex| course.exercise_dir(ex).join("src"))
        .collect();
    loop {
        let seen = latest_change(&dirs);
        if let Err(err) = run() {
            println!("error: {err:#}");
        }
        println!(
            "
watching for changes (Ctrl-C to stop)..."
        );
        while latest_change(&dirs) == seen {
            std::thread::sleep(Duration::from_millis(400));
        }
    }
}

/// The newest modification time of any file in `dirs`.
fn latest_change(dirs: &[std::path::PathBuf]) -> Option<std::time::SystemTime> {
    dirs.iter()
        .flat_map(|d| rust_files(d).unwrap_or_default())
        .filter_map(|f| f.metadata().and_then(|m| m.modified()).ok())
        .max()
}

/// Builds `exercises` inside `workspace` and runs all their tests, printing
/// each result as it comes.
pub fn grade(
    workspace: &Workspace,
    exercises: &[Exercise],
    timeout: Option<u64>,
    live: bool,
) -> Result<Vec<ExerciseResult>> {
    reaper::become_subreaper();
    let packages: Vec<(&str, std::path::PathBuf)> = exercises
        .iter()
        .map(|ex| {
            let manifest = workspace.exercise_dir(&ex.dir_name).join("Cargo.toml");
            (ex.id.as_str(), manifest)
        })
        .collect();
    eprintln!("building {} exercise(s)...", exercises.len());
    let mut built = cargo::build_tests(&workspace.root, &workspace.target, &packages)?;

    let mut results = Vec::new();
    for (ex, (_, manifest)) in exercises.iter().zip(&packages) {
        let dir = manifest.parent().unwrap_or(&workspace.root);
        let build = built.remove(manifest).unwrap_or_default();
        let mut result = ExerciseResult::new(ex);
        if live {
            report::exercise_header(ex);
        }
        let mut errors = build.errors;
        if errors.is_empty() && build.executables.is_empty() {
            errors.push("cargo built no test executable for it (see cargo's output above)".into());
        }
        if !errors.is_empty() {
            result.build_errors = errors;
            let reason = "the exercise does not compile".to_owned();
            for name in declared_tests(dir)? {
                result.tests.push(TestRun {
                    name,
                    outcome: Outcome::NotRun(reason.clone()),
                    elapsed: Duration::ZERO,
                    cleanup: Vec::new(),
                });
            }
            if live {
                report::build_failure(&result);
            }
        } else {
            let limit = Duration::from_secs(ex.timeout_secs(timeout));
            for exe in &build.executables {
                for name in runner::list_tests(exe)? {
                    let run = runner::run_test(exe, &name, dir, limit)?;
                    if live {
                        report::test_line(&run);
                    }
                    result.tests.push(run);
                }
            }
        }
        if live {
            report::exercise_footer(&result);
        }
        results.push(result);
    }
    Ok(results)
}

/// Test names declared in `tests/*.rs` (`#[test]` then `fn name`), so a
/// learner whose code does not compile still sees which tests wait for it.
fn declared_tests(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for file in rust_files(&dir.join("tests"))? {
        let text = std::fs::read_to_string(&file)?;
        let mut after_test_attr = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[test]") {
                after_test_attr = true;
            } else if after_test_attr && let Some(rest) = line.split("fn ").nth(1) {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.push(name);
                after_test_attr = false;
            }
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_declared_tests() {
        let dir = std::env::temp_dir().join(format!("xtask-declared-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("tests")).unwrap();
        std::fs::write(
            dir.join("tests/a.rs"),
            "#[test]\nfn first() {}\n\n#[test]\n#[should_panic]\npub fn second_one() {}\nfn helper() {}\n",
        )
        .unwrap();
        assert_eq!(declared_tests(&dir).unwrap(), ["first", "second_one"]);
        std::fs::remove_dir_all(dir).unwrap();
    }
}

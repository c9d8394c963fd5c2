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
use crate::runner::{self, Outcome, TestRun, TestSpec};
use crate::scratch::{self, Workspace};

/// Grades the named exercises (all when none are named) in the learner's tree.
pub fn check_exercises(
    course: &Course,
    names: &[String],
    opts: &Options,
    json: Option<&Path>,
) -> Result<bool> {
    reaper::install();
    let exercises = course.select(names)?;
    if opts.test.is_some() && exercises.len() != 1 {
        anyhow::bail!("--test NAME grades one test of one exercise: name exactly one exercise");
    }
    if opts.replay && opts.test.is_none() {
        anyhow::bail!(
            "--replay replays one model-checked test's failing interleaving: add --test NAME"
        );
    }
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
                         own (your copy is left as it is)",
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

    // Edited tests or manifest: grade a scratch copy of the learner's tree
    // with the course's own put back; the learner's files are never touched.
    // The copy is this run's alone (graders side by side each have theirs).
    let scratch_name = format!("graded-{}", std::process::id());
    let workspace = if edited.is_empty() {
        Workspace::of_course(course)
    } else {
        let mut scratch = scratch::create(course, &scratch_name)?;
        scratch.target = course.target_dir().join("xtask/graded-target");
        for ex in &edited {
            canonical::restore(course, ex, &scratch.exercise_dir(&ex.dir_name))?;
        }
        scratch
    };

    let mut results = Vec::new();
    let graded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        grade(&workspace, &exercises, opts, true, &mut results)
    }));
    if !edited.is_empty() {
        let _ = std::fs::remove_dir_all(&workspace.root);
    }
    for (id, note) in notes {
        if let Some(r) = results.iter_mut().find(|r| r.id == id) {
            r.notes.insert(0, note);
        }
    }
    let failure = match graded {
        Ok(Ok(())) => None,
        Ok(Err(err)) if results.is_empty() => {
            reaper::cleanup_all();
            return Err(err);
        }
        Ok(Err(err)) => Some(format!("{err:#}")),
        Err(panic) => Some(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "a panic".to_owned()),
        ),
    };
    // Nothing this run started outlives it.
    reaper::cleanup_all();
    let interrupted = reaper::interrupted();
    if let Some(sig) = interrupted {
        println!(
            "\nstopped by {}: the tests that finished are reported below",
            reaper::signal_name(sig)
        );
    }
    if let Some(failure) = &failure {
        println!(
            "\nthe grader itself failed ({failure}); the tests that finished are reported below"
        );
    }
    if interrupted.is_none() && failure.is_none() {
        let trusted = canonical::record_is_committed(course);
        if !trusted {
            println!(
                "\nnote: exercises/canonical.toml differs from the course's committed copy, \
                 so these grades are not recorded as progress"
            );
        } else {
            report::record_progress(course, &results)?;
        }
    }
    if let Some(path) = json {
        report::write_json(path, &results)?;
    }
    let all_passed = report::summary(&results);
    if let Some(sig) = interrupted {
        std::process::exit(128 + sig);
    }
    if failure.is_some() {
        std::process::exit(101);
    }
    Ok(all_passed)
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
        if let Some(sig) = reaper::interrupted() {
            std::process::exit(128 + sig);
        }
        println!(
            "
watching for changes (Ctrl-C to stop)..."
        );
        while latest_change(&dirs) == seen {
            if let Some(sig) = reaper::interrupted() {
                reaper::cleanup_all();
                std::process::exit(128 + sig);
            }
            std::thread::sleep(Duration::from_millis(200));
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

/// How to grade: the command line's choices.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Time limit per test in seconds (else each exercise's own).
    pub timeout: Option<u64>,
    /// Run only this test.
    pub test: Option<String>,
    /// Tests run at once (default: the number of cores).
    pub jobs: Option<usize>,
    /// Replay the failing interleaving a model-checked test (`--test`)
    /// recorded in its last run, printing the schedule.
    pub replay: bool,
}

impl Options {
    fn jobs(&self) -> usize {
        self.jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
            .max(1)
    }
}

/// Builds `exercises` inside `workspace` and runs the course's tests of each,
/// several at once, printing each result in order as it comes. Results go
/// into `out` as they are known, so a run that is interrupted (or a grader
/// that panics) still has what finished.
pub fn grade(
    workspace: &Workspace,
    exercises: &[Exercise],
    opts: &Options,
    live: bool,
    out: &mut Vec<ExerciseResult>,
) -> Result<()> {
    reaper::install();
    let packages: Vec<(&str, std::path::PathBuf)> = exercises
        .iter()
        .map(|ex| {
            let manifest = workspace.exercise_dir(&ex.dir_name).join("Cargo.toml");
            (ex.id.as_str(), manifest)
        })
        .collect();
    eprintln!("building {} exercise(s)...", exercises.len());
    let mut built = cargo::build_tests(&workspace.root, &workspace.target, &packages)?;
    // The model-checked tests, where an exercise has them: another build
    // (release, with its `model` feature), run as extra rows.
    let model_packages: Vec<(&str, std::path::PathBuf)> = packages
        .iter()
        .filter(|(_, manifest)| manifest.with_file_name("tests").join(MODEL_FILE).is_file())
        .cloned()
        .collect();
    let mut model_built = if model_packages.is_empty() {
        Default::default()
    } else {
        eprintln!(
            "building the model-checked tests of {} exercise(s) (release, --features model)...",
            model_packages.len()
        );
        cargo::build_model_tests(&workspace.root, &workspace.target, &model_packages)?
    };

    for (ex, (_, manifest)) in exercises.iter().zip(&packages) {
        let dir = manifest.parent().unwrap_or(&workspace.root).to_path_buf();
        let build = built.remove(manifest).unwrap_or_default();
        let model_build = model_built.remove(manifest).unwrap_or_default();
        out.push(ExerciseResult::new(ex));
        let result = out.last_mut().expect("just pushed");
        if live {
            report::exercise_header(ex);
        }
        let declared = declared_tests(&dir)?;
        let stopped = reaper::interrupted();
        if stopped.is_some() || reaper::stopping() {
            let why = match stopped {
                Some(sig) => format!("the grader was stopped by {}", reaper::signal_name(sig)),
                None => "the grader itself failed before this test".to_owned(),
            };
            for (_, names) in &declared {
                for name in names {
                    result.tests.push(TestRun::not_run(name, &why));
                }
            }
            if live {
                report::exercise_footer(result);
            }
            continue;
        }
        let mut errors = build.errors.clone();
        if errors.is_empty() && build.executables.is_empty() {
            errors.push("cargo built no test executable for it (see cargo's output above)".into());
        }
        if !errors.is_empty() {
            result.build_errors = errors;
            let reason = "the exercise does not compile".to_owned();
            for (_, names) in &declared {
                for name in names {
                    result.tests.push(TestRun::not_run(name, &reason));
                }
            }
            if live {
                report::build_failure(result);
            }
            if live {
                report::exercise_footer(result);
            }
            continue;
        }
        let limit = Duration::from_secs(ex.timeout_secs(opts.timeout));
        let own = format!("exercises/{}/", ex.dir_name);
        let gdb_budget = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        // Every test of the course's own test files, found in what cargo
        // built from that very file; a test that cannot be found fails.
        let mut slots: Vec<Slot> = Vec::new();
        for (file, names) in &declared {
            let model = file == MODEL_FILE;
            let from = if model { &model_build } else { &build };
            if model && let Some(error) = model_build.errors.first() {
                for name in names {
                    slots.push(Slot::Missing(
                        name.clone(),
                        format!(
                            "this model-checked test did not run: the exercise does not compile \
                             with the model checker's types (`--features model`; use the names \
                             imported at the top of src/lib.rs, not std::sync or std::thread \
                             directly):\n{}",
                            error.trim_end()
                        ),
                    ));
                }
                continue;
            }
            let exe = from.executables.iter().find(|(_, src)| {
                src.file_name().is_some_and(|f| f == file.as_str())
                    && src.parent().is_some_and(|p| p.ends_with("tests"))
            });
            let listed = match exe {
                Some((exe, _)) => runner::list_tests(exe)?,
                None => Vec::new(),
            };
            for name in names {
                let found = listed
                    .iter()
                    .find(|l| *l == name || l.ends_with(&format!("::{name}")));
                slots.push(match (exe, found) {
                    (Some((exe, _)), Some(listed_name)) => Slot::Run(TestSpec {
                        exe: exe.clone(),
                        name: listed_name.clone(),
                        dir: dir.clone(),
                        limit,
                        own: own.clone(),
                        exercise: ex.id.clone(),
                        gdb_budget: gdb_budget.clone(),
                        model: model.then(|| runner::ModelRun {
                            schedule: workspace
                                .target
                                .join("xtask/loom")
                                .join(&ex.id)
                                .join(format!("{listed_name}.json")),
                            replay: opts.replay,
                        }),
                    }),
                    (None, _) => Slot::Missing(
                        name.clone(),
                        format!(
                            "this test of the course did not run: cargo built no test from \
                             tests/{file} (does Cargo.toml set `autotests = false` or declare \
                             a [[test]] of its own? The course's Cargo.toml is needed)"
                        ),
                    ),
                    (Some(_), None) => Slot::Missing(
                        name.clone(),
                        format!(
                            "this test of the course did not run: it is not among the tests \
                             built from tests/{file}"
                        ),
                    ),
                });
            }
        }
        if let Some(only) = &opts.test {
            let known: Vec<String> = slots.iter().map(|s| s.name().to_owned()).collect();
            slots.retain(|s| s.name() == only || s.name().ends_with(&format!("::{only}")));
            if slots.is_empty() {
                anyhow::bail!(
                    "`{}` has no test named `{only}`. Its tests: {}",
                    ex.id,
                    known.join(", ")
                );
            }
            result.partial = true;
            if opts.replay
                && let Some(Slot::Run(spec)) = slots.first()
                && spec.model.is_none()
            {
                anyhow::bail!(
                    "--replay is for the model-checked tests (tests/{MODEL_FILE}); `{only}` is \
                     an ordinary test: run it without --replay"
                );
            }
        }
        run_slots(&slots, opts.jobs(), live, &mut result.tests);
        if live {
            report::exercise_footer(result);
        }
    }
    Ok(())
}

/// The file of an exercise's model-checked tests.
const MODEL_FILE: &str = "model.rs";

/// One test of the course: to run, or known not to have run.
#[derive(Debug)]
enum Slot {
    Run(TestSpec),
    Missing(String, String),
}

impl Slot {
    fn name(&self) -> &str {
        match self {
            Slot::Run(spec) => &spec.name,
            Slot::Missing(name, _) => name,
        }
    }
}

/// Runs the slots `jobs` at a time; results are printed and kept in order.
fn run_slots(slots: &[Slot], jobs: usize, live: bool, tests: &mut Vec<TestRun>) {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, TestRun)>();
    std::thread::scope(|s| {
        for _ in 0..jobs.min(slots.len()) {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(slot) = slots.get(i) else { break };
                    let run = match slot {
                        Slot::Run(spec) => runner::run_test(spec).unwrap_or_else(|err| TestRun {
                            outcome: Outcome::Failed(format!(
                                "the grader could not run this test: {err:#}"
                            )),
                            ..TestRun::not_run(&spec.name, "")
                        }),
                        Slot::Missing(name, why) => TestRun {
                            outcome: Outcome::Failed(why.clone()),
                            ..TestRun::not_run(name, "")
                        },
                    };
                    if tx.send((i, run)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut done: std::collections::BTreeMap<usize, TestRun> = Default::default();
        for (i, run) in rx {
            done.insert(i, run);
            while let Some(run) = done.remove(&tests.len()) {
                if live {
                    report::test_line(&run);
                }
                let name = run.name.clone();
                tests.push(run);
                // For the grader's own tests: a panic of the grader mid-run.
                if std::env::var("COURSE_GRADER_FAULT")
                    .is_ok_and(|v| v.strip_prefix("panic-after:") == Some(name.as_str()))
                {
                    panic!("injected fault: the grader panics after test {name}");
                }
            }
        }
    });
}

/// Test names declared in `tests/*.rs` (`#[test]` or `#[tokio::test]`, then
/// `fn name`), per file: the course's tests, that must all run, and the
/// names a learner whose code does not compile still sees.
fn declared_tests(dir: &Path) -> Result<Vec<(String, Vec<String>)>> {
    let mut files = Vec::new();
    for file in rust_files(&dir.join("tests"))? {
        let text = std::fs::read_to_string(&file)?;
        let mut names = Vec::new();
        let mut after_test_attr = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[test]") || line.starts_with("#[tokio::test") {
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
        if !names.is_empty() {
            files.push((crate::course::file_name(&file), names));
        }
    }
    Ok(files)
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
        let found = declared_tests(&dir).unwrap();
        assert_eq!(
            found,
            [(
                "a.rs".to_owned(),
                vec!["first".to_owned(), "second_one".to_owned()]
            )]
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}

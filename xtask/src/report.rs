//! What the grader prints, and what it remembers: live lines per test, a
//! summary, the JSON report and the learner's progress file.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::course::{Course, Exercise};
use crate::runner::{Outcome, TestRun};

/// Everything learned about one exercise in one run of the grader.
#[derive(Debug, Clone)]
pub struct ExerciseResult {
    pub id: String,
    pub title: String,
    pub lesson: String,
    pub tests: Vec<TestRun>,
    pub build_errors: Vec<String>,
    pub notes: Vec<String>,
    /// Only some of its tests were run (`--test`): not a grade to record.
    pub partial: bool,
}

impl ExerciseResult {
    pub fn new(ex: &Exercise) -> Self {
        ExerciseResult {
            id: ex.id.clone(),
            title: ex.meta.title.clone(),
            lesson: ex.meta.lesson.clone(),
            tests: Vec::new(),
            build_errors: Vec::new(),
            notes: Vec::new(),
            partial: false,
        }
    }

    pub fn passed(&self) -> usize {
        self.tests.iter().filter(|t| t.outcome.passed()).count()
    }

    /// Tests that ran and did not pass. An exercise with no test to name at
    /// all (none found, or none compiled) counts as one failure.
    pub fn failed(&self) -> usize {
        let failed = self.tests.len() - self.passed() - self.not_run();
        if self.tests.is_empty() { 1 } else { failed }
    }

    /// Tests that never ran: the exercise did not compile, or the run was stopped.
    pub fn not_run(&self) -> usize {
        self.tests.iter().filter(|t| t.outcome.not_run()).count()
    }

    pub fn all_passed(&self) -> bool {
        self.failed() == 0 && self.not_run() == 0 && self.build_errors.is_empty()
    }

    /// `3 passed, 1 failed`, or `did not compile (9 not run)`.
    fn counts(&self) -> String {
        if !self.build_errors.is_empty() {
            return format!("did not compile ({} not run)", self.not_run());
        }
        let mut text = format!("{} passed, {} failed", self.passed(), self.failed());
        if self.not_run() > 0 {
            text.push_str(&format!(", {} not run", self.not_run()));
        }
        text
    }
}

pub fn exercise_header(ex: &Exercise) {
    println!();
    println!(
        "== {}: {} ({}, about {} min)",
        ex.id, ex.meta.title, ex.meta.lesson, ex.meta.minutes
    );
}

pub fn test_line(run: &TestRun) {
    let secs = format!("{:.2}s", run.elapsed.as_secs_f64());
    let (tag, time) = match &run.outcome {
        Outcome::Passed => ("ok      ", secs),
        Outcome::Failed(_) => ("FAILED  ", secs),
        Outcome::TimedOut(limit) => ("TIMEOUT ", format!(">{}s", limit.as_secs())),
        Outcome::Deadlocked(_) => ("DEADLOCK", secs),
        Outcome::NotRun(_) => ("NOT RUN ", String::new()),
    };
    println!("   {tag}  {:<47} {time}", run.name);
    match &run.outcome {
        Outcome::Failed(message) => print_indented(message, 14),
        Outcome::TimedOut(limit) => print_indented(
            &format!(
                "did not finish within {} s and was stopped: look for a loop that never \
                 ends, or a wait for something that never happens",
                limit.as_secs()
            ),
            14,
        ),
        Outcome::Deadlocked(after) => print_indented(
            &format!(
                "stopped after {:.1} s: every thread was waiting, with no time limit, for \
                 something that no other thread will ever do (a lock nobody releases, a \
                 message nobody sends, a join of a thread that waits too). A deadlock.",
                after.as_secs_f64()
            ),
            14,
        ),
        Outcome::NotRun(why) if why.starts_with("stopped") || why.contains("grader") => {
            print_indented(why, 14)
        }
        _ => {}
    }
    if !run.stacks.is_empty() {
        print_indented("where the threads were:", 14);
        print_indented(&run.stacks, 16);
    }
    for note in &run.cleanup {
        print_indented(&format!("note: {note}"), 14);
    }
}

pub fn build_failure(result: &ExerciseResult) {
    println!("   does not compile:");
    for error in result.build_errors.iter().take(3) {
        print_indented(error.trim_end(), 6);
    }
    if result.build_errors.len() > 3 {
        println!(
            "      ... and {} more error(s)",
            result.build_errors.len() - 3
        );
    }
    for run in &result.tests {
        test_line(run);
    }
}

pub fn exercise_footer(result: &ExerciseResult) {
    for note in &result.notes {
        print_indented(&format!("note: {note}"), 3);
    }
    println!("   {}: {}", result.id, result.counts());
}

fn print_indented(text: &str, indent: usize) {
    for line in text.lines() {
        println!("{:indent$}{line}", "");
    }
}

/// Prints the closing table and the `N passed, N failed` line (tests);
/// true when everything passed.
pub fn summary(results: &[ExerciseResult]) -> bool {
    println!();
    println!("Summary");
    for r in results {
        let mark = if r.all_passed() { "done" } else { "todo" };
        let counts = if r.build_errors.is_empty() && r.not_run() == 0 {
            format!("{:>2}/{:<2} tests", r.passed(), r.passed() + r.failed())
        } else {
            r.counts()
        };
        println!("  {mark}  {:<28} {counts}  {}", r.id, r.title);
    }
    let passed: usize = results.iter().map(ExerciseResult::passed).sum();
    let failed: usize = results.iter().map(ExerciseResult::failed).sum();
    let not_run: usize = results.iter().map(ExerciseResult::not_run).sum();
    let uncompiled = results
        .iter()
        .filter(|r| !r.build_errors.is_empty())
        .count();
    if !results.iter().all(ExerciseResult::all_passed)
        && let Some(next) = results.iter().find(|r| !r.all_passed())
    {
        println!();
        println!("Next: `{}`. Stuck? `cargo xtask hint {}`", next.id, next.id);
    }
    println!();
    let mut closing = format!("{passed} passed, {failed} failed");
    if not_run > 0 {
        closing.push_str(&format!(", {not_run} not run"));
        if uncompiled > 0 {
            closing.push_str(&format!(" ({uncompiled} exercise(s) did not compile)"));
        }
    }
    println!("{closing}");
    results.iter().all(ExerciseResult::all_passed)
}

#[derive(Debug, Serialize)]
struct JsonTest<'a> {
    name: &'a str,
    outcome: &'static str,
    seconds: f64,
    message: Option<&'a str>,
    cleanup: &'a [String],
    #[serde(skip_serializing_if = "str::is_empty")]
    stacks: &'a str,
}

#[derive(Debug, Serialize)]
struct JsonExercise<'a> {
    id: &'a str,
    title: &'a str,
    lesson: &'a str,
    passed: usize,
    failed: usize,
    not_run: usize,
    build_errors: &'a [String],
    notes: &'a [String],
    tests: Vec<JsonTest<'a>>,
}

/// Writes the results as JSON (for an instructor's class summary or a CI).
pub fn write_json(path: &Path, results: &[ExerciseResult]) -> Result<()> {
    let doc: Vec<JsonExercise> = results
        .iter()
        .map(|r| JsonExercise {
            id: &r.id,
            title: &r.title,
            lesson: &r.lesson,
            passed: r.passed(),
            failed: r.failed(),
            not_run: r.not_run(),
            build_errors: &r.build_errors,
            notes: &r.notes,
            tests: r
                .tests
                .iter()
                .map(|t| {
                    let (outcome, message) = match &t.outcome {
                        Outcome::Passed => ("passed", None),
                        Outcome::Failed(m) => ("failed", Some(m.as_str())),
                        Outcome::TimedOut(_) => ("timed_out", None),
                        Outcome::Deadlocked(_) => ("deadlocked", None),
                        Outcome::NotRun(m) => ("not_run", Some(m.as_str())),
                    };
                    JsonTest {
                        name: &t.name,
                        outcome,
                        seconds: t.elapsed.as_secs_f64(),
                        message,
                        cleanup: &t.cleanup,
                        stacks: &t.stacks,
                    }
                })
                .collect(),
        })
        .collect();
    fs::write(path, serde_json::to_string_pretty(&doc)?)
        .with_context(|| format!("writing {}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// The learner's best known state of each exercise, kept in `.course/`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Progress {
    #[serde(default)]
    pub exercises: BTreeMap<String, ExerciseProgress>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExerciseProgress {
    pub passed: usize,
    pub total: usize,
}

impl Progress {
    fn path(course: &Course) -> std::path::PathBuf {
        course.state_dir().join("progress.toml")
    }

    pub fn load(course: &Course) -> Progress {
        fs::read_to_string(Self::path(course))
            .ok()
            .and_then(|text| toml::from_str(&text).ok())
            .unwrap_or_default()
    }
}

/// Forgets the grade of exercise `id` (after a reset).
pub fn forget_progress(course: &Course, id: &str) -> Result<()> {
    let mut progress = Progress::load(course);
    if progress.exercises.remove(id).is_some() {
        fs::write(Progress::path(course), toml::to_string(&progress)?)?;
    }
    Ok(())
}

/// Updates `.course/progress.toml` with the latest results. Only complete
/// runs count (not `--test`): every result comes from the course's own
/// tests, each of which had to be seen running.
pub fn record_progress(course: &Course, results: &[ExerciseResult]) -> Result<()> {
    let mut progress = Progress::load(course);
    for r in results.iter().filter(|r| !r.partial) {
        let total = r.passed() + r.failed() + r.not_run();
        progress.exercises.insert(
            r.id.clone(),
            ExerciseProgress {
                passed: if r.all_passed() {
                    total
                } else {
                    r.passed().min(total.saturating_sub(1))
                },
                total,
            },
        );
    }
    fs::create_dir_all(course.state_dir())?;
    fs::write(Progress::path(course), toml::to_string(&progress)?)?;
    Ok(())
}

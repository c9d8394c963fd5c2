//! The course's own copy of each exercise: its canonical tests and its
//! untouched starter.
//!
//! `exercises/canonical.toml` records, per exercise, the git blob hash of every
//! file in its `tests/` and `src/`. A hash names the exact content, so the
//! grader can tell at once that a learner edited a test, and fetch the
//! course's own copy back from the git history (`git cat-file blob HASH`):
//! the tests into a scratch workspace for grading, the starter for `reset`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::course::{Course, Exercise, file_name, rust_files};

/// File name -> blob hash, for one folder of an exercise.
type Hashes = BTreeMap<String, String>;

#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Recorded {
    /// The exercise's `Cargo.toml`: which tests cargo builds is up to it
    /// (`autotests = false`, a `[[test]]` of one's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    manifest: Option<String>,
    tests: Hashes,
    starter: Hashes,
}

type Record = BTreeMap<String, Recorded>;

const RECORD: &str = "exercises/canonical.toml";
const HEADER: &str = "# Git blob ids of each exercise's canonical tests and untouched starter.\n\
# Written by `cargo xtask maint bless`; CI fails when they are out of date.\n\n";

/// How an exercise's tests compare with the record.
#[derive(Debug, PartialEq, Eq)]
pub enum TestsStatus {
    Canonical,
    /// The test files that differ, were added or were removed.
    Edited(Vec<String>),
    /// The record does not know this exercise (a new one not yet blessed).
    Unrecorded,
}

/// Git's blob id of `content`: sha1 of `blob <len>\0<content>`.
pub fn blob_hash(content: &[u8]) -> String {
    let mut sha = sha1_smol::Sha1::new();
    sha.update(format!("blob {}\0", content.len()).as_bytes());
    sha.update(content);
    sha.digest().to_string()
}

/// The hashes of the `*.rs` files in `dir`.
fn hashes(dir: &Path) -> Result<Hashes> {
    let mut hashes = Hashes::new();
    for file in rust_files(dir)? {
        hashes.insert(file_name(&file), blob_hash(&fs::read(&file)?));
    }
    Ok(hashes)
}

fn recorded_now(exercise_dir: &Path) -> Result<Recorded> {
    Ok(Recorded {
        manifest: Some(blob_hash(&fs::read(exercise_dir.join("Cargo.toml"))?)),
        tests: hashes(&exercise_dir.join("tests"))?,
        starter: hashes(&exercise_dir.join("src"))?,
    })
}

fn load(course: &Course) -> Result<Record> {
    let path = course.root.join(RECORD);
    match fs::read_to_string(&path) {
        Ok(text) => {
            toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))
        }
        Err(_) => Ok(Record::new()),
    }
}

/// The files whose hashes differ between `expected` and `actual`.
fn changed(expected: &Hashes, actual: &Hashes) -> Vec<String> {
    let mut files: Vec<String> = expected
        .iter()
        .filter(|(file, hash)| actual.get(*file) != Some(*hash))
        .map(|(file, _)| file.clone())
        .collect();
    files.extend(
        actual
            .keys()
            .filter(|f| !expected.contains_key(*f))
            .cloned(),
    );
    files
}

pub fn status(course: &Course, ex: &Exercise) -> Result<TestsStatus> {
    let record = load(course)?;
    let Some(expected) = record.get(&ex.id) else {
        return Ok(TestsStatus::Unrecorded);
    };
    let dir = course.exercise_dir(ex);
    let actual = hashes(&dir.join("tests"))?;
    let mut files: Vec<String> = changed(&expected.tests, &actual)
        .into_iter()
        .map(|f| format!("tests/{f}"))
        .collect();
    if let Some(manifest) = &expected.manifest
        && blob_hash(&fs::read(dir.join("Cargo.toml"))?) != *manifest
    {
        files.push("Cargo.toml".into());
    }
    // A build script runs at build time and could rewrite anything.
    if dir.join("build.rs").exists() {
        files.push("build.rs (added)".into());
    }
    Ok(if files.is_empty() {
        TestsStatus::Canonical
    } else {
        TestsStatus::Edited(files)
    })
}

/// Whether `exercises/canonical.toml` is as committed in git (true where
/// git cannot tell, e.g. a course copied without its history).
pub fn record_is_committed(course: &Course) -> bool {
    let out = Command::new("git")
        .args(["status", "--porcelain", "--", RECORD])
        .current_dir(&course.root)
        .stderr(std::process::Stdio::null())
        .output();
    match out {
        Ok(out) if out.status.success() => out.stdout.is_empty(),
        _ => true,
    }
}

fn git_blob(course: &Course, hash: &str) -> Option<Vec<u8>> {
    let out = Command::new("git")
        .args(["cat-file", "blob", hash])
        .current_dir(&course.root)
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout)
}

/// Writes the recorded files into `dir`, replacing every `*.rs` there.
fn write_recorded(course: &Course, ex: &Exercise, files: &Hashes, dir: &Path) -> Result<()> {
    let mut contents = Vec::new();
    for (file, hash) in files {
        match git_blob(course, hash) {
            Some(content) => contents.push((file, content)),
            None => bail!(
                "the course's copy of {}/{file} could not be recovered from git (is this a \
                 git clone of the course?). Get exercises/{}/ from the course repository.",
                ex.id,
                ex.dir_name
            ),
        }
    }
    // Only once every file is in hand is anything replaced.
    for file in rust_files(dir)? {
        fs::remove_file(file)?;
    }
    fs::create_dir_all(dir)?;
    for (file, content) in contents {
        fs::write(dir.join(file), content)?;
    }
    Ok(())
}

/// Makes `target` (a scratch copy of the exercise) grade as the course
/// means it: the canonical tests (dropping any test file the learner added),
/// the course's `Cargo.toml`, and no build script.
pub fn restore(course: &Course, ex: &Exercise, target: &Path) -> Result<()> {
    let record = load(course)?;
    let expected = record
        .get(&ex.id)
        .context("exercise has no recorded tests")?;
    write_recorded(course, ex, &expected.tests, &target.join("tests"))?;
    if let Some(hash) = &expected.manifest {
        let manifest = target.join("Cargo.toml");
        if blob_hash(&fs::read(&manifest)?) != *hash {
            let content = git_blob(course, hash).with_context(|| {
                format!(
                    "the course's copy of exercises/{}/Cargo.toml could not be recovered from git",
                    ex.dir_name
                )
            })?;
            fs::write(manifest, content)?;
        }
    }
    let _ = fs::remove_file(target.join("build.rs"));
    Ok(())
}

/// Whether the exercise's `src/` is exactly the recorded starter.
pub fn starter_untouched(course: &Course, ex: &Exercise) -> Result<bool> {
    let record = load(course)?;
    let Some(expected) = record.get(&ex.id) else {
        return Ok(false);
    };
    let actual = hashes(&course.exercise_dir(ex).join("src"))?;
    Ok(changed(&expected.starter, &actual).is_empty())
}

/// Puts the untouched starter back into the exercise's `src/`.
pub fn restore_starter(course: &Course, ex: &Exercise) -> Result<()> {
    let record = load(course)?;
    let expected = record
        .get(&ex.id)
        .context("exercise has no recorded starter")?;
    write_recorded(
        course,
        ex,
        &expected.starter,
        &course.exercise_dir(ex).join("src"),
    )
}

/// What `bless` would change, exercise by exercise.
#[derive(Debug, Default)]
pub struct BlessPlan {
    /// Exercises whose recorded tests or manifest change.
    pub tests_changed: Vec<String>,
    /// Exercises whose starter is recorded anew (new exercises, or `--starter`).
    pub new_starters: Vec<String>,
}

/// `cargo xtask maint bless`: records the tests, manifest and starter of
/// every exercise. It refuses when an exercise's `src/` is not its recorded
/// starter (a learner's code must never become a starter) unless that
/// exercise is new or named in `starters`; the caller then proves each new
/// starter and each changed test (every test must fail on the starter).
pub fn plan_bless(course: &Course, starters: &[String]) -> Result<BlessPlan> {
    let record = load(course)?;
    let mut plan = BlessPlan::default();
    let mut refused = Vec::new();
    for ex in course.exercises()? {
        let now = recorded_now(&course.exercise_dir(&ex))?;
        match record.get(&ex.id) {
            None => {
                plan.new_starters.push(ex.id.clone());
                plan.tests_changed.push(ex.id.clone());
            }
            Some(old) => {
                let starter = changed(&old.starter, &now.starter);
                if !starter.is_empty() {
                    if starters.contains(&ex.id) {
                        plan.new_starters.push(ex.id.clone());
                    } else {
                        refused.push(format!("{} (src/{})", ex.id, starter.join(", src/")));
                    }
                }
                // (A record from before manifests were recorded only gains one.)
                let manifest_changed = old.manifest.is_some() && old.manifest != now.manifest;
                if old.tests != now.tests || manifest_changed {
                    plan.tests_changed.push(ex.id.clone());
                }
            }
        }
    }
    if !refused.is_empty() {
        bail!(
            "not blessing: these exercises hold code that is not their recorded starter:\n  {}\n\
             bless records starters, so it runs only on a clean course. Put the starters back \
             (`cargo xtask reset ID`), or, if you changed a starter on purpose, name it with \
             `--starter ID` (it must then fail every test).",
            refused.join("\n  ")
        );
    }
    Ok(plan)
}

/// Writes the record of every exercise as it is now.
pub fn write_record(course: &Course) -> Result<()> {
    let mut record = Record::new();
    for ex in course.exercises()? {
        record.insert(ex.id.clone(), recorded_now(&course.exercise_dir(&ex))?);
    }
    let text = format!("{HEADER}{}", toml::to_string(&record)?);
    fs::write(course.root.join(RECORD), text)?;
    println!("recorded {} exercise(s) in {RECORD}", record.len());
    Ok(())
}

/// For CI: the exercises whose tests or starter differ from the record.
pub fn out_of_date(course: &Course) -> Result<Vec<String>> {
    let record = load(course)?;
    let mut stale = Vec::new();
    for ex in course.exercises()? {
        let now = recorded_now(&course.exercise_dir(&ex))?;
        match record.get(&ex.id) {
            None => stale.push(format!("{}: not recorded", ex.id)),
            Some(expected) => {
                let mut files = changed(&expected.tests, &now.tests);
                files.extend(changed(&expected.starter, &now.starter));
                if expected.manifest != now.manifest {
                    files.push("Cargo.toml".into());
                }
                if !files.is_empty() {
                    stale.push(format!("{}: {}", ex.id, files.join(", ")));
                }
            }
        }
    }
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_hash_matches_git() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            blob_hash(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
    }

    #[test]
    fn changed_lists_edits_additions_and_removals() {
        let expected: Hashes = [("a.rs".into(), "1".into()), ("b.rs".into(), "2".into())].into();
        let actual: Hashes = [("a.rs".into(), "1".into()), ("c.rs".into(), "3".into())].into();
        assert_eq!(changed(&expected, &actual), ["b.rs", "c.rs"]);
    }
}

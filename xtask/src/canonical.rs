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
    tests: Hashes,
    starter: Hashes,
}

type Record = BTreeMap<String, Recorded>;

const RECORD: &str = "exercises/canonical.toml";
const HEADER: &str = "# Git blob ids of each exercise's canonical tests and untouched starter.\n\
# Written by `cargo xtask bless`; CI fails when they are out of date.\n\n";

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
    let actual = hashes(&course.exercise_dir(ex).join("tests"))?;
    let files: Vec<String> = changed(&expected.tests, &actual)
        .into_iter()
        .map(|f| format!("tests/{f}"))
        .collect();
    Ok(if files.is_empty() {
        TestsStatus::Canonical
    } else {
        TestsStatus::Edited(files)
    })
}

/// Writes the recorded files into `dir`, replacing every `*.rs` there.
fn write_recorded(course: &Course, ex: &Exercise, files: &Hashes, dir: &Path) -> Result<()> {
    let mut contents = Vec::new();
    for (file, hash) in files {
        let out = Command::new("git")
            .args(["cat-file", "blob", hash])
            .current_dir(&course.root)
            .output();
        match out {
            Ok(out) if out.status.success() => contents.push((file, out.stdout)),
            _ => bail!(
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

/// Puts the canonical tests into `target/tests/` (a scratch copy of the
/// exercise), dropping any test file the learner added.
pub fn restore_tests(course: &Course, ex: &Exercise, target: &Path) -> Result<()> {
    let record = load(course)?;
    let expected = record
        .get(&ex.id)
        .context("exercise has no recorded tests")?;
    write_recorded(course, ex, &expected.tests, &target.join("tests"))
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

/// `cargo xtask bless`: records the current tests and starter of every exercise.
pub fn bless(course: &Course) -> Result<()> {
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

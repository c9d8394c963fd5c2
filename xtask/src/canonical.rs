//! The canonical tests of each exercise, and noticing when a learner edited them.
//!
//! `exercises/canonical-tests.toml` records, per exercise, the git blob hash of
//! every file in its `tests/`. A hash names the exact content, so the grader
//! can tell an edited test file at once and fetch the course's own copy back
//! from the git history (`git cat-file blob HASH`) into a scratch workspace.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::course::{Course, Exercise, file_name, rust_files};

type Record = BTreeMap<String, BTreeMap<String, String>>;

const RECORD: &str = "exercises/canonical-tests.toml";
const HEADER: &str = "# The hashes (git blob ids) of each exercise's canonical tests.\n\
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

/// The current hashes of `exercise_dir/tests/*.rs`, keyed `tests/<file>`.
fn current(exercise_dir: &Path) -> Result<BTreeMap<String, String>> {
    let mut hashes = BTreeMap::new();
    for file in rust_files(&exercise_dir.join("tests"))? {
        let content = fs::read(&file)?;
        hashes.insert(format!("tests/{}", file_name(&file)), blob_hash(&content));
    }
    Ok(hashes)
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

pub fn status(course: &Course, ex: &Exercise) -> Result<TestsStatus> {
    let record = load(course)?;
    let Some(expected) = record.get(&ex.id) else {
        return Ok(TestsStatus::Unrecorded);
    };
    let actual = current(&course.exercise_dir(ex))?;
    let mut changed: Vec<String> = expected
        .iter()
        .filter(|(file, hash)| actual.get(*file) != Some(*hash))
        .map(|(file, _)| file.clone())
        .collect();
    changed.extend(
        actual
            .keys()
            .filter(|f| !expected.contains_key(*f))
            .cloned(),
    );
    Ok(if changed.is_empty() {
        TestsStatus::Canonical
    } else {
        TestsStatus::Edited(changed)
    })
}

/// Rewrites `target/tests/` (a scratch copy of the exercise) with the
/// canonical test files from git, dropping any test file the learner added.
pub fn restore(course: &Course, ex: &Exercise, target: &Path) -> Result<()> {
    let record = load(course)?;
    let expected = record
        .get(&ex.id)
        .context("exercise has no recorded tests")?;
    let tests = target.join("tests");
    for file in rust_files(&tests)? {
        fs::remove_file(file)?;
    }
    fs::create_dir_all(&tests)?;
    for (file, hash) in expected {
        let out = Command::new("git")
            .args(["cat-file", "blob", hash])
            .current_dir(&course.root)
            .output();
        match out {
            Ok(out) if out.status.success() => fs::write(target.join(file), out.stdout)?,
            _ => bail!(
                "the tests of `{}` were edited and the course's copy of {file} could not be \
                 recovered from git. Restore exercises/{}/{file} from the course repository \
                 (for example `git checkout -- exercises/{}/tests`).",
                ex.id,
                ex.dir_name,
                ex.dir_name
            ),
        }
    }
    Ok(())
}

/// `cargo xtask bless`: records the current tests of every exercise.
pub fn bless(course: &Course) -> Result<()> {
    let mut record = Record::new();
    for ex in course.exercises()? {
        record.insert(ex.id.clone(), current(&course.exercise_dir(&ex))?);
    }
    let text = format!("{HEADER}{}", toml::to_string(&record)?);
    fs::write(course.root.join(RECORD), text)?;
    println!(
        "recorded the tests of {} exercise(s) in {RECORD}",
        record.len()
    );
    Ok(())
}

/// For CI: the exercises whose tests differ from the record.
pub fn out_of_date(course: &Course) -> Result<Vec<String>> {
    let mut stale = Vec::new();
    for ex in course.exercises()? {
        match status(course, &ex)? {
            TestsStatus::Canonical => {}
            TestsStatus::Edited(files) => stale.push(format!("{}: {}", ex.id, files.join(", "))),
            TestsStatus::Unrecorded => stale.push(format!("{}: not recorded", ex.id)),
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
}

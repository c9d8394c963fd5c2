//! `cargo xtask class`: an instructor's view of the room, from the JSON
//! reports learners wrote with `cargo xtask check exercises --json FILE`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Exercise {
    id: String,
    failed: usize,
    #[serde(default)]
    not_run: usize,
    #[serde(default)]
    build_errors: Vec<String>,
    tests: Vec<Test>,
}

#[derive(Debug, Deserialize)]
struct Test {
    name: String,
    outcome: String,
}

#[derive(Debug, Default)]
struct Tally {
    learners: usize,
    done: usize,
    /// test name -> learners failing it
    failing: BTreeMap<String, usize>,
}

/// Report files: the paths given, or the `*.json` files inside given folders.
fn report_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            for entry in fs::read_dir(path)? {
                let p = entry?.path();
                if p.extension().is_some_and(|e| e == "json") {
                    files.push(p);
                }
            }
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    Ok(files)
}

fn read_report(path: &Path) -> Result<Vec<Exercise>> {
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a grader report (make one with `cargo xtask check exercises --json FILE`)",
            path.display()
        )
    })
}

pub fn summary(paths: &[PathBuf]) -> Result<()> {
    let files = report_files(paths)?;
    if files.is_empty() {
        bail!("no reports found; give report files or a folder of them");
    }
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for file in &files {
        for ex in read_report(file)? {
            let tally = tallies.entry(ex.id).or_default();
            tally.learners += 1;
            if ex.failed == 0
                && ex.not_run == 0
                && ex.build_errors.is_empty()
                && !ex.tests.is_empty()
            {
                tally.done += 1;
            }
            for t in ex.tests.iter().filter(|t| t.outcome != "passed") {
                *tally.failing.entry(t.name.clone()).or_default() += 1;
            }
        }
    }
    println!("{} report(s)\n", files.len());
    println!(
        "  {:<28} {:>9}   most often failing test",
        "exercise", "done"
    );
    for (id, t) in &tallies {
        let worst = t
            .failing
            .iter()
            .max_by_key(|(_, n)| **n)
            .map_or(String::from("-"), |(name, n)| {
                format!("{name} ({n} of {})", t.learners)
            });
        println!("  {id:<28} {:>4} / {:<3}  {worst}", t.done, t.learners);
    }
    Ok(())
}

//! What the course is made of: where it lives, its exercises and lessons.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// Default time limit for one test, when an exercise doesn't set its own.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// The course checkout: the workspace root and everything below it.
#[derive(Debug, Clone)]
pub struct Course {
    pub root: PathBuf,
}

/// `exercises/NN-id/exercise.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub title: String,
    pub lesson: String,
    pub minutes: u32,
    pub timeout_secs: Option<u64>,
    /// Hints live in `xtask/hints/<id>.toml`; a list here is still read.
    #[serde(default)]
    pub hints: Vec<String>,
}

/// One exercise: its stable id (the package name) and where it lives.
#[derive(Debug, Clone)]
pub struct Exercise {
    pub id: String,
    /// Folder name, `NN-id`.
    pub dir_name: String,
    pub meta: Meta,
}

impl Course {
    /// Finds the course from where the command runs: the nearest folder at or
    /// above the current directory whose `Cargo.toml` declares a `[workspace]`
    /// and that has the course's layout (`exercises/` and `xtask/`). Not from
    /// where xtask was compiled: two clones sharing one `CARGO_TARGET_DIR` run
    /// the same xtask binary, and each must grade its own files.
    /// `COURSE_ROOT` overrides it (the grader's own tests point it at a made-up course).
    pub fn locate() -> Result<Course> {
        if let Some(root) = std::env::var_os("COURSE_ROOT") {
            return Ok(Course { root: root.into() });
        }
        let cwd = std::env::current_dir().context("reading the current directory")?;
        Self::find_from(&cwd).with_context(|| {
            format!(
                "{} is not inside the course: run `cargo xtask` from the course's folder \
                 (the one with Cargo.toml, exercises/ and xtask/) or below it",
                cwd.display()
            )
        })
    }

    /// The course folder at or above `start`, if any.
    pub fn find_from(start: &Path) -> Option<Course> {
        start
            .ancestors()
            .find(|dir| is_course_root(dir))
            .map(|dir| Course {
                root: dir.to_path_buf(),
            })
    }

    pub fn exercise_dir(&self, ex: &Exercise) -> PathBuf {
        self.root.join("exercises").join(&ex.dir_name)
    }

    pub fn solution_dir(&self, ex: &Exercise) -> PathBuf {
        self.root.join("solutions").join(&ex.dir_name)
    }

    pub fn target_dir(&self) -> PathBuf {
        std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| self.root.join("target"))
    }

    /// Learner state that must survive `cargo clean`: hint progress.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(".course")
    }

    /// Every exercise, ordered by folder (lesson, then name).
    pub fn exercises(&self) -> Result<Vec<Exercise>> {
        let dir = self.root.join("exercises");
        let mut found = Vec::new();
        for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
            let path = entry?.path();
            let meta_path = path.join("exercise.toml");
            if !meta_path.is_file() {
                continue;
            }
            let dir_name = file_name(&path);
            let text = fs::read_to_string(&meta_path)?;
            let meta: Meta = toml::from_str(&text)
                .with_context(|| format!("{} is not valid", meta_path.display()))?;
            found.push(Exercise {
                id: package_name(&path.join("Cargo.toml"))?,
                dir_name,
                meta,
            });
        }
        found.sort_by(|a, b| a.dir_name.cmp(&b.dir_name));
        Ok(found)
    }

    /// The exercises named on the command line (all when none are named).
    /// Accepts ids (`run-together`) and folder names (`01-run-together`).
    pub fn select(&self, names: &[String]) -> Result<Vec<Exercise>> {
        let all = self.exercises()?;
        if names.is_empty() {
            return Ok(all);
        }
        let mut chosen = Vec::new();
        for name in names {
            // A tab-completed path works too: `exercises/03-event/`, `solutions/03-event`.
            let short = name
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or(name);
            match all.iter().find(|e| e.id == short || e.dir_name == short) {
                Some(ex) => chosen.push(ex.clone()),
                None => {
                    let known: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
                    bail!(
                        "unknown exercise `{name}`. Known exercises: {}\n(see `cargo xtask list`)",
                        known.join(", ")
                    );
                }
            }
        }
        Ok(chosen)
    }

    /// Lesson crates (`chapters/lesson-*` and `chapters/lab`) with their
    /// `[package.metadata.captures]`.
    pub fn lessons(&self) -> Result<Vec<Lesson>> {
        let mut lessons = Vec::new();
        for entry in fs::read_dir(self.root.join("chapters"))? {
            let manifest = entry?.path().join("Cargo.toml");
            if !manifest.is_file() {
                continue;
            }
            let doc: toml::Table = toml::from_str(&fs::read_to_string(&manifest)?)?;
            let package = doc.get("package").and_then(|p| p.as_table());
            let Some(name) = package.and_then(|p| p.get("name")).and_then(|n| n.as_str()) else {
                continue;
            };
            let captures = package
                .and_then(|p| p.get("metadata"))
                .and_then(|m| m.get("captures"))
                .cloned()
                .map(|c| c.try_into::<BTreeMap<String, Capture>>())
                .transpose()
                .with_context(|| format!("[package.metadata.captures] in {}", manifest.display()))?
                .unwrap_or_default();
            lessons.push(Lesson {
                name: name.to_owned(),
                captures,
            });
        }
        lessons.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(lessons)
    }
}

/// A lesson crate and the outputs of it that the book shows.
#[derive(Debug, Clone)]
pub struct Lesson {
    pub name: String,
    /// capture name -> what to run and write.
    pub captures: BTreeMap<String, Capture>,
}

/// One entry of `[package.metadata.captures]`: either the arguments alone,
/// `name = ["bench"]`, or with a chart, `name = { args = ["bench"], svg = "bench.svg" }`:
/// capture then adds `--svg book/src/<crate>/images/<svg>` to the arguments, so
/// the chart and the text come from the same run.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "CaptureEntry")]
pub struct Capture {
    /// The arguments after `cargo run -p <crate> --`.
    pub args: Vec<String>,
    /// The chart's file name under `book/src/<crate>/images/`.
    pub svg: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CaptureEntry {
    Args(Vec<String>),
    WithChart {
        args: Vec<String>,
        svg: Option<String>,
    },
}

impl From<CaptureEntry> for Capture {
    fn from(entry: CaptureEntry) -> Capture {
        match entry {
            CaptureEntry::Args(args) => Capture { args, svg: None },
            CaptureEntry::WithChart { args, svg } => Capture { args, svg },
        }
    }
}

impl Exercise {
    /// The test time limit: the command line wins, then the exercise, then the default.
    pub fn timeout_secs(&self, cli: Option<u64>) -> u64 {
        cli.or(self.meta.timeout_secs)
            .unwrap_or(DEFAULT_TIMEOUT_SECS)
    }
}

/// A workspace manifest with the course's layout next to it.
fn is_course_root(dir: &Path) -> bool {
    let Ok(text) = fs::read_to_string(dir.join("Cargo.toml")) else {
        return false;
    };
    let is_workspace = toml::from_str::<toml::Table>(&text)
        .map(|doc| doc.contains_key("workspace"))
        .unwrap_or(false);
    is_workspace && dir.join("exercises").is_dir() && dir.join("xtask").is_dir()
}

pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn package_name(manifest: &Path) -> Result<String> {
    let doc: toml::Table = toml::from_str(
        &fs::read_to_string(manifest).with_context(|| format!("reading {}", manifest.display()))?,
    )?;
    doc.get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_owned)
        .with_context(|| format!("{} has no package name", manifest.display()))
}

/// The `*.rs` files directly inside `dir`, sorted.
pub fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if dir.is_dir() {
        for entry in fs::read_dir(dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::Capture;
    use std::collections::BTreeMap;

    #[test]
    fn a_capture_is_its_arguments_or_a_table_with_a_chart() {
        let text = r#"
            old = ["bench", "--repeat", "3"]
            new = { args = ["bench"], svg = "bench.svg" }
        "#;
        let captures: BTreeMap<String, Capture> = toml::from_str(text).unwrap();
        assert_eq!(captures["old"].args, ["bench", "--repeat", "3"]);
        assert_eq!(captures["old"].svg, None);
        assert_eq!(captures["new"].args, ["bench"]);
        assert_eq!(captures["new"].svg.as_deref(), Some("bench.svg"));
    }
}

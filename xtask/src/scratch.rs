//! Scratch workspaces: a copy of the course's sources under `target/xtask/`,
//! where the grader can swap in solutions or canonical tests without ever
//! touching the learner's files.
//!
//! A scratch copy builds into a target dir of its own, kept between runs. It
//! must not share the course's: cargo names a workspace member's artifacts by
//! its package, not its path, so a copy's build would overwrite the learner's
//! and look up to date to cargo, and the learner's next edit would go untested.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::course::Course;

/// What a workspace needs to build: manifests, toolchain pin and crate sources.
const PARTS: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "rust-toolchain.toml",
    ".cargo",
    "chapters",
    "exercises",
    "xtask",
];

/// A workspace to build and grade: its root and the target dir it builds into.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub target: PathBuf,
}

impl Workspace {
    /// The learner's own tree.
    pub fn of_course(course: &Course) -> Workspace {
        Workspace {
            root: course.root.clone(),
            target: course.target_dir(),
        }
    }

    pub fn exercise_dir(&self, dir_name: &str) -> PathBuf {
        self.root.join("exercises").join(dir_name)
    }
}

/// Creates (afresh) `target/xtask/<name>` as a copy of the workspace, which
/// builds into `target/xtask/<name>-target`.
pub fn create(course: &Course, name: &str) -> Result<Workspace> {
    let base = course.target_dir().join("xtask");
    let dir = base.join(name);
    if dir.exists() {
        fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    fs::create_dir_all(&dir)?;
    for part in PARTS {
        let from = course.root.join(part);
        if from.exists() {
            copy(&from, &dir.join(part))?;
        }
    }
    Ok(Workspace {
        root: dir,
        target: base.join(format!("{name}-target")),
    })
}

/// Copies a file or a folder tree, skipping build output.
pub fn copy(from: &Path, to: &Path) -> Result<()> {
    if from.is_dir() {
        fs::create_dir_all(to)?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            if entry.file_name() == "target" {
                continue;
            }
            copy(&entry.path(), &to.join(entry.file_name()))?;
        }
    } else {
        fs::copy(from, to).with_context(|| format!("copying {}", from.display()))?;
    }
    Ok(())
}

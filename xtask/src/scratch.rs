//! Scratch workspaces: a copy of the course's sources under `target/xtask/`,
//! where the grader can swap in solutions or canonical tests without ever
//! touching the learner's files. It builds into the course's own target dir,
//! so compiled dependencies are shared and only the changed crates rebuild.

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

/// Creates (afresh) `target/xtask/<name>` as a copy of the workspace.
pub fn create(course: &Course, name: &str) -> Result<PathBuf> {
    let dir = course.target_dir().join("xtask").join(name);
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
    Ok(dir)
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

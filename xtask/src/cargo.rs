//! Running cargo: building the exercises' test executables and telling which
//! package each executable or compile error belongs to.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};
use serde::Deserialize;

/// What building one package's tests produced.
#[derive(Debug, Default, Clone)]
pub struct Built {
    /// Test executables (unit tests of the lib, then each `tests/*.rs`),
    /// each with the source file of its target.
    pub executables: Vec<(PathBuf, PathBuf)>,
    /// Rendered compiler errors, if the package did not compile.
    pub errors: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "reason")]
enum Message {
    #[serde(rename = "compiler-artifact")]
    Artifact {
        manifest_path: PathBuf,
        executable: Option<PathBuf>,
        target: Target,
    },
    #[serde(rename = "compiler-message")]
    Diagnostic {
        manifest_path: PathBuf,
        message: Diagnostic,
    },
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct Target {
    src_path: PathBuf,
}

#[derive(Debug, Deserialize)]
struct Diagnostic {
    level: String,
    rendered: Option<String>,
}

/// A `cargo` command run from `workspace`, sharing the course's target dir so
/// that scratch copies reuse the compiled dependencies.
pub fn cargo(workspace: &Path, target_dir: &Path) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(workspace)
        .env("CARGO_TARGET_DIR", target_dir);
    cmd
}

/// Builds the test executables of `packages` (keyed by manifest path) in one
/// cargo run that keeps going past a package that fails to compile, so one
/// broken exercise does not stop the others from being graded.
pub fn build_tests(
    workspace: &Path,
    target_dir: &Path,
    packages: &[(&str, PathBuf)],
) -> Result<BTreeMap<PathBuf, Built>> {
    build_tests_with(workspace, target_dir, packages, &["--tests"])
}

/// The model-checked tests (`tests/model.rs`) of `packages`, built in release
/// mode with each package's `model` feature, the way the grader runs them.
pub fn build_model_tests(
    workspace: &Path,
    target_dir: &Path,
    packages: &[(&str, PathBuf)],
) -> Result<BTreeMap<PathBuf, Built>> {
    let features: Vec<String> = packages.iter().map(|(p, _)| format!("{p}/model")).collect();
    let features = features.join(",");
    build_tests_with(
        workspace,
        target_dir,
        packages,
        &["--release", "--test", "model", "--features", &features],
    )
}

/// [`build_tests`] with `targets` choosing what to build (and how).
fn build_tests_with(
    workspace: &Path,
    target_dir: &Path,
    packages: &[(&str, PathBuf)],
    targets: &[&str],
) -> Result<BTreeMap<PathBuf, Built>> {
    let mut cmd = cargo(workspace, target_dir);
    cmd.arg("build")
        .args(targets)
        .args(["--keep-going", "--message-format=json"]);
    for (name, _) in packages {
        cmd.args(["-p", name]);
    }
    // Cargo's own progress goes to stderr, which the learner sees; JSON to us.
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("could not run cargo")?;
    // Killed with the run if the grader is interrupted while building.
    let run = crate::reaper::install();
    run.helper_started(child.id());
    let stdout = child.stdout.take().context("cargo stdout")?;

    let mut built: BTreeMap<PathBuf, Built> = packages
        .iter()
        .map(|(_, manifest)| (manifest.clone(), Built::default()))
        .collect();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        let Ok(message) = serde_json::from_str::<Message>(&line) else {
            continue;
        };
        match message {
            Message::Artifact {
                manifest_path,
                executable: Some(exe),
                target,
            } => {
                if let Some(b) = built.get_mut(&manifest_path) {
                    b.executables.push((exe, target.src_path));
                }
            }
            Message::Diagnostic {
                manifest_path,
                message,
            } if message.level == "error" => {
                if let (Some(b), Some(text)) = (built.get_mut(&manifest_path), message.rendered) {
                    b.errors.push(text);
                }
            }
            _ => {}
        }
    }
    child.wait()?;
    run.helper_finished(child.id());
    for b in built.values_mut() {
        b.executables.sort();
        b.executables.dedup();
        // The lib is compiled for each test target: the same error comes once per target.
        let mut seen = std::collections::BTreeSet::new();
        b.errors.retain(|e| seen.insert(e.clone()));
    }
    Ok(built)
}

/// Runs a command to completion, echoing it; true when it succeeded.
pub fn run_visible(cmd: &mut Command) -> Result<bool> {
    let status = cmd
        .status()
        .with_context(|| format!("could not run {:?}", cmd.get_program()))?;
    Ok(status.success())
}

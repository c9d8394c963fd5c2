//! Which Python a side-by-side run uses, and what that Python can do.
//!
//! Since 3.13 "Python" is four different machines for running code at once:
//! threads under the GIL, threads of a free-threaded build, subinterpreters
//! (3.14) and processes. A benchmark that compares with Python must say which
//! one it ran, so every side-by-side run:
//!
//! 1. picks an interpreter ([`find`]): `--python-bin`, else `$PYTHON`, else the
//!    most capable of `python3.14t`, `python3.13t`, `python3.14`, `python3` on
//!    `PATH`;
//! 2. asks it what it is ([`Facts`], from the probe script
//!    `python/probe.py`): version, build, GIL state, subinterpreters;
//! 3. prints that ([`Interpreter::describe`]) and runs only the rows that
//!    interpreter supports, saying which it skipped and how to get them
//!    ([`Facts::free_threads`], [`Facts::interpreter_pool`]).

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::python::Python;

/// The probe: prints one JSON object of [`Facts`].
pub const PROBE: &str = include_str!("../python/probe.py");

/// The course's prime count in Python (`python/primes.py`), for the side
/// by sides to ship beside their scripts.
pub const PRIMES_PY: &str = include_str!("../python/primes.py");

/// The environment variable that names the interpreter when no flag does.
pub const ENV: &str = "PYTHON";

/// What `PATH` is searched for, most capable first: a free-threaded build can
/// run every row (threads with the GIL too, through `-X gil=1`).
pub const CANDIDATES: [&str; 4] = ["python3.14t", "python3.13t", "python3.14", "python3"];

/// What an interpreter reports about itself (the probe's JSON).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Facts {
    /// As printed by `python --version`, e.g. `3.14.0rc1`.
    pub version: String,
    pub version_info: (u32, u32, u32),
    /// `cpython`, `pypy`, ...
    pub implementation: String,
    /// `sysconfig.get_config_var("Py_GIL_DISABLED")`: the build.
    pub free_threaded_build: bool,
    /// `sys._is_gil_enabled()` (3.13+; always true before): the run-time state.
    pub gil_enabled: bool,
    /// `concurrent.interpreters` exists (3.14).
    pub interpreters: bool,
    /// `concurrent.futures.InterpreterPoolExecutor` exists (3.14).
    pub interpreter_pool: bool,
    /// `multiprocessing.get_start_method()`: fork, forkserver or spawn.
    pub start_method: String,
    pub cpu_count: Option<u32>,
    /// `os.process_cpu_count()` (3.13+), else `os.cpu_count()`.
    pub process_cpu_count: Option<u32>,
}

/// Whether a kind of row can run on this interpreter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Support {
    Yes,
    /// Skipped: why, and how to get an interpreter that has it.
    No {
        why: String,
        get: &'static str,
    },
}

impl Support {
    pub fn is_yes(&self) -> bool {
        matches!(self, Support::Yes)
    }
}

/// How to get a free-threaded build.
pub const GET_FREE_THREADED: &str =
    "install one (e.g. `uv python install 3.14t`) and pass --python-bin python3.14t";
/// How to get subinterpreters.
pub const GET_314: &str =
    "install Python 3.14 (e.g. `uv python install 3.14`) and pass --python-bin python3.14";

impl Facts {
    /// Parses the probe's JSON line.
    pub fn parse(json: &str) -> Result<Facts, FindError> {
        let line = json
            .lines()
            .rev()
            .find(|l| l.trim_start().starts_with('{'))
            .unwrap_or("");
        serde_json::from_str(line).map_err(|e| FindError::Probe(format!("{e} in {json:?}")))
    }

    /// `default build (GIL on)`, `free-threaded build, GIL off`, ...
    pub fn build(&self) -> String {
        match (self.free_threaded_build, self.gil_enabled) {
            (false, _) => "default build (GIL on)".to_owned(),
            (true, false) => "free-threaded build, GIL off".to_owned(),
            (true, true) => "free-threaded build, but the GIL is ON at run time \
                             (PYTHON_GIL=1, -X gil=1, or a C extension that needs it)"
                .to_owned(),
        }
    }

    /// Threads that compute in parallel: a free-threaded build with the GIL off.
    pub fn free_threads(&self) -> Support {
        if !self.free_threaded_build {
            Support::No {
                why: format!(
                    "Python {} is not a free-threaded build, so its threads take turns",
                    self.version
                ),
                get: GET_FREE_THREADED,
            }
        } else if self.gil_enabled {
            Support::No {
                why: "this free-threaded build runs with the GIL on".to_owned(),
                get: "unset PYTHON_GIL, or drop the C extension that re-enables it",
            }
        } else {
            Support::Yes
        }
    }

    /// `concurrent.futures.InterpreterPoolExecutor` (3.14).
    pub fn interpreter_pool(&self) -> Support {
        if self.interpreter_pool {
            Support::Yes
        } else {
            Support::No {
                why: format!(
                    "InterpreterPoolExecutor needs Python 3.14 (this is {})",
                    self.version
                ),
                get: GET_314,
            }
        }
    }

    /// Interpreter options that turn the GIL on, so that a free-threaded
    /// build can run the "threads under the GIL" rows too.
    pub fn gil_on_args(&self) -> &'static [&'static str] {
        if self.free_threaded_build {
            &["-X", "gil=1"]
        } else {
            &[]
        }
    }
}

/// Where the interpreter came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env,
    Path(&'static str),
}

/// The Python a run uses, with what it said about itself.
#[derive(Debug, Clone)]
pub struct Interpreter {
    pub python: Python,
    pub facts: Facts,
    pub source: Source,
    /// Other candidates on `PATH` that were not chosen.
    pub also_found: Vec<&'static str>,
}

impl Interpreter {
    /// Prints `skipped: WHAT: why; how to get it` unless `support` is yes;
    /// returns whether it is.
    pub fn offers(&self, what: &str, support: &Support) -> bool {
        match support {
            Support::Yes => true,
            Support::No { why, get } => {
                println!("skipped: {what}: {why}; to run it, {get}");
                false
            }
        }
    }

    /// One line for the top of a side-by-side table, e.g.
    /// `Python 3.11.7 (CPython, default build (GIL on), start method fork)
    /// from python3 on PATH`.
    pub fn describe(&self) -> String {
        let f = &self.facts;
        let from = match &self.source {
            Source::Flag => format!("{} (--python-bin)", self.python.program().display()),
            Source::Env => format!("{} (${ENV})", self.python.program().display()),
            Source::Path(name) => format!("{name} on PATH"),
        };
        let mut line = format!(
            "Python {} ({}, {}, start method {}) from {from}",
            f.version,
            f.implementation,
            f.build(),
            f.start_method
        );
        if !self.also_found.is_empty() {
            line += &format!(
                "; also on PATH: {} (choose with --python-bin)",
                self.also_found.join(", ")
            );
        }
        line
    }
}

/// Finds the interpreter and prints its line, or the line that says why
/// there is none (then `None`: Python is optional).
pub fn announce(flag: Option<&Path>) -> Option<Interpreter> {
    match find(flag) {
        Ok(found) => {
            println!("{}", found.describe());
            Some(found)
        }
        Err(e) => {
            println!("{e}");
            None
        }
    }
}

/// `--python-bin`, shared by every command that runs Python side by side.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PythonArgs {
    /// The Python to compare with [default: $PYTHON, else the first of
    /// python3.14t, python3.13t, python3.14, python3 on PATH]
    #[arg(long, value_name = "PATH")]
    pub python_bin: Option<PathBuf>,
}

/// Why no interpreter could be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindError {
    /// Nothing on `PATH`: Python is optional, the run goes on without it.
    NotFound,
    /// The interpreter that was asked for could not be run.
    CannotRun { program: PathBuf, source: Source },
    /// It ran, but its answer made no sense.
    Probe(String),
}

impl fmt::Display for FindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FindError::NotFound => write!(
                f,
                "{} (or pass --python-bin, or set ${ENV})",
                crate::python::MISSING
            ),
            FindError::CannotRun { program, source } => write!(
                f,
                "{} ({}) could not be run: fix the path, or install it, to compare with Python",
                program.display(),
                match source {
                    Source::Flag => "--python-bin".to_owned(),
                    Source::Env => format!("${ENV}"),
                    Source::Path(name) => (*name).to_owned(),
                }
            ),
            FindError::Probe(e) => write!(f, "the Python interpreter's answer was unreadable: {e}"),
        }
    }
}

impl std::error::Error for FindError {}

/// The interpreter to compare with: `flag`, else `$PYTHON`, else the most
/// capable of [`CANDIDATES`] on `PATH`.
pub fn find(flag: Option<&Path>) -> Result<Interpreter, FindError> {
    find_in(
        flag,
        std::env::var_os(ENV).filter(|v| !v.is_empty()),
        std::env::var_os("PATH").unwrap_or_default(),
    )
}

/// [`find`] with the environment given, for tests.
pub fn find_in(
    flag: Option<&Path>,
    env: Option<OsString>,
    path: impl AsRef<OsStr>,
) -> Result<Interpreter, FindError> {
    let chosen = |program: PathBuf, source: Source| {
        let python = Python::at(&program);
        let facts = probe(&python).map_err(|e| match e {
            FindError::NotFound => FindError::CannotRun {
                program,
                source: source.clone(),
            },
            other => other,
        })?;
        Ok(Interpreter {
            python,
            facts,
            source,
            also_found: Vec::new(),
        })
    };
    if let Some(flag) = flag {
        return chosen(flag.to_path_buf(), Source::Flag);
    }
    if let Some(env) = env {
        return chosen(PathBuf::from(env), Source::Env);
    }
    let found: Vec<(&'static str, PathBuf)> = CANDIDATES
        .iter()
        .filter_map(|name| on_path(name, path.as_ref()).map(|p| (*name, p)))
        .collect();
    let Some((name, program)) = found.first().cloned() else {
        return Err(FindError::NotFound);
    };
    let mut interpreter = chosen(program, Source::Path(name))?;
    interpreter.also_found = found.iter().skip(1).map(|(n, _)| *n).collect();
    Ok(interpreter)
}

/// Runs the probe; `NotFound` if the program does not start or fails.
pub fn probe(python: &Python) -> Result<Facts, FindError> {
    match python.run_script("course-probe", PROBE, [""; 0], PROBE_LIMIT) {
        Ok(out) => Facts::parse(&out),
        Err(_) => Err(FindError::NotFound),
    }
}

/// The probe answers in tens of milliseconds; only a broken interpreter waits longer.
const PROBE_LIMIT: Duration = Duration::from_secs(30);

/// The executable file `name` in one of the folders of `path`.
fn on_path(name: &str, path: &OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .map(|dir| dir.join(name))
        .find(|file| is_executable(file))
}

#[cfg(unix)]
fn is_executable(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(file: &Path) -> bool {
    file.is_file()
}

#[cfg(test)]
mod tests;

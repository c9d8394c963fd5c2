//! Running the Python side of a side-by-side benchmark: find the
//! interpreter, run a script with a time limit, and clean up after it.
//!
//! Python is optional: a lesson asks for [`Python::version`] first and, when
//! it is `None`, prints [`MISSING`] and goes on without the comparison.

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use crate::child::{ChildGuard, describe};

#[cfg(unix)]
mod on_signal;

/// The line a benchmark prints when there is no Python to compare with.
pub const MISSING: &str = "python3 not found: install it to compare with Python";

/// A Python interpreter to run scripts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Python {
    program: PathBuf,
    /// Interpreter options before the script, such as `-X gil=1`.
    options: Vec<String>,
}

impl Python {
    /// `python3` from `PATH`.
    pub fn python3() -> Self {
        Self::at("python3")
    }

    /// A given interpreter, such as a free-threaded `python3.13t`.
    pub fn at(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            options: Vec::new(),
        }
    }

    /// The same interpreter started with `options` (e.g. `["-X", "gil=1"]`).
    pub fn with_options(&self, options: &[&str]) -> Self {
        Self {
            program: self.program.clone(),
            options: options.iter().map(|o| (*o).to_owned()).collect(),
        }
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// `3.11.7` from `python --version`, or `None` if it can't be run.
    pub fn version(&self) -> Option<String> {
        let out = Command::new(&self.program)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        // Python 2 printed its version on stderr.
        let text = if out.stdout.trim_ascii().is_empty() {
            &out.stderr
        } else {
            &out.stdout
        };
        let text = String::from_utf8_lossy(text);
        Some(text.trim().trim_start_matches("Python ").to_owned())
    }

    /// Writes `script` to a temporary folder named after `name`, runs it
    /// with `args`, and returns what it printed on stdout. See [`Self::run_program`].
    pub fn run_script<I, S>(
        &self,
        name: &str,
        script: &str,
        args: I,
        limit: Duration,
    ) -> Result<String, PythonError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.run_program(
            &Program {
                name,
                main: script,
                modules: &[],
            },
            args,
            limit,
        )
    }

    /// Writes the program's files to a temporary folder, runs its main file
    /// with `args` and returns what it printed on stdout. Files rather than
    /// `-c`, because worker processes (spawn, forkserver) import the main
    /// module again, and worker interpreters import the task's module: the
    /// folder is on `PYTHONPATH` for both. The run is killed, with all it
    /// started, if it takes longer than `limit`; the folder is removed either way.
    pub fn run_program<I, S>(
        &self,
        program: &Program<'_>,
        args: I,
        limit: Duration,
    ) -> Result<String, PythonError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let dir = tempfile::Builder::new()
            .prefix(&format!("{}-", program.name))
            .tempdir()
            .map_err(|e| PythonError::Io("making a folder for the script", e))?;
        let main = dir.path().join(format!("{}.py", program.name));
        let mut files = vec![main.clone()];
        files.extend(
            program
                .modules
                .iter()
                .map(|(file, _)| dir.path().join(file)),
        );
        let texts = std::iter::once(program.main).chain(program.modules.iter().map(|(_, t)| *t));
        for (file, text) in files.iter().zip(texts) {
            std::fs::write(file, text).map_err(|e| PythonError::Io("writing the script", e))?;
        }
        let cleanup = Cleanup {
            dir: Some(dir.path()),
            files: files.iter().map(PathBuf::as_path).collect(),
        };
        self.run(&main, &[dir.path()], args, limit, cleanup)
    }

    /// Runs the script at `path` with `args`, the folders `python_path` first
    /// on `PYTHONPATH`, and returns its stdout; killed, with all it started,
    /// past `limit`.
    pub fn run_file<I, S>(
        &self,
        path: &Path,
        python_path: &[&Path],
        args: I,
        limit: Duration,
    ) -> Result<String, PythonError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.run(path, python_path, args, limit, Cleanup::default())
    }

    fn run<I, S>(
        &self,
        path: &Path,
        python_path: &[&Path],
        args: I,
        limit: Duration,
        cleanup: Cleanup<'_>,
    ) -> Result<String, PythonError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = Command::new(&self.program);
        let old = std::env::var_os("PYTHONPATH").filter(|p| !p.is_empty());
        let folders = python_path
            .iter()
            .map(|p| p.to_path_buf())
            .chain(old.iter().flat_map(std::env::split_paths));
        let python_path = std::env::join_paths(folders)
            .map_err(|e| PythonError::Io("setting PYTHONPATH", io::Error::other(e)))?;
        cmd.args(&self.options)
            .arg(path)
            .env("PYTHONPATH", python_path)
            // No __pycache__ left in the folder or anywhere else.
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Its own process group, so that a timeout can stop the pool workers
        // a script started along with the interpreter.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        // And if this program dies without running its clean-up (SIGKILL),
        // the interpreter dies with it.
        #[cfg(target_os = "linux")]
        // SAFETY: prctl(2) is async-signal-safe and touches no memory of ours.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let mut child = ChildGuard::spawn(&mut cmd)
            .map_err(|e| PythonError::Io("starting the interpreter", e))?;
        // Ctrl-C, SIGTERM or SIGHUP from here on: the group is killed and the
        // files are removed before the signal does what it would have done.
        #[cfg(unix)]
        let _on_signal = on_signal::register(child.id(), cleanup.dir, &cleanup.files);
        #[cfg(not(unix))]
        let _ = &cleanup;
        let stdout = read_all(child.child_mut().stdout.take());
        let stderr = read_all(child.child_mut().stderr.take());
        let status = child
            .wait_timeout(limit)
            .map_err(|e| PythonError::Io("waiting for the interpreter", e))?;
        let Some(status) = status else {
            kill_group(child.id());
            let _ = child.kill(); // and reap it
            return Err(PythonError::TimedOut(limit));
        };
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();
        if !status.success() {
            return Err(PythonError::Failed {
                status: describe(status),
                stderr: stderr.trim().to_owned(),
            });
        }
        Ok(stdout)
    }
}

/// SIGKILL to every process in the group led by `pid`.
#[cfg(unix)]
fn kill_group(pid: u32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill(2) takes two integers and touches no memory of ours.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    }
}

#[cfg(not(unix))]
fn kill_group(_pid: u32) {}

fn read_all(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

/// What a run removes if a signal stops this program mid-run.
#[derive(Debug, Default)]
struct Cleanup<'a> {
    dir: Option<&'a Path>,
    files: Vec<&'a Path>,
}

/// A Python program of one main file and the modules it imports.
#[derive(Debug, Clone, Copy)]
pub struct Program<'a> {
    /// Names the temporary folder and the main file (`NAME.py`).
    pub name: &'a str,
    /// The main file's text.
    pub main: &'a str,
    /// `(file name, text)` of each module beside it, e.g. `("primes.py", ...)`.
    pub modules: &'a [(&'a str, &'a str)],
}

/// Why the Python side produced no result.
#[derive(Debug)]
pub enum PythonError {
    Io(&'static str, io::Error),
    TimedOut(Duration),
    Failed { status: String, stderr: String },
}

impl fmt::Display for PythonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(what, e) => write!(f, "{what}: {e}"),
            Self::TimedOut(limit) => write!(f, "the Python script ran past {limit:?}; killed it"),
            Self::Failed { status, stderr } => {
                write!(f, "the Python script failed ({status}):\n{stderr}")
            }
        }
    }
}

impl std::error::Error for PythonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(_, e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    // `sh` stands in for Python: the runner only starts a program on a file.

    #[test]
    fn a_missing_interpreter_has_no_version() {
        assert_eq!(Python::at("/nonexistent/python3").version(), None);
    }

    #[test]
    fn a_program_runs_with_its_arguments_and_modules_and_its_folder_is_removed() {
        let program = Program {
            name: "course-support-args",
            main: "dir=$(dirname \"$0\"); echo \"$1 $2\"; cat \"$dir/mod.py\"; \
                   echo \"$dir\"; echo \"$PYTHONPATH\" \"$PYTHONDONTWRITEBYTECODE\"",
            modules: &[("mod.py", "module text\n")],
        };
        let out = Python::at("sh")
            .run_program(&program, ["a", "b"], Duration::from_secs(10))
            .unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[..2], ["a b", "module text"]);
        let dir = Path::new(lines[2]);
        assert!(
            lines[3].starts_with(lines[2]) && lines[3].ends_with(" 1"),
            "the folder leads PYTHONPATH: {out}"
        );
        assert!(!dir.exists(), "{} was left behind", dir.display());
    }

    #[test]
    fn interpreter_options_come_before_the_script() {
        let out = Python::at("sh")
            .with_options(&["-c", "echo options first"])
            .run_script(
                "course-support-options",
                "echo script",
                [""; 0],
                Duration::from_secs(10),
            )
            .unwrap();
        assert_eq!(out, "options first\n");
    }

    #[test]
    fn a_failing_script_reports_its_stderr() {
        let err = Python::at("sh")
            .run_script(
                "course-support-fail",
                "echo boom >&2; exit 3",
                [""; 0],
                Duration::from_secs(10),
            )
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("exit code 3") && text.contains("boom"),
            "{text}"
        );
    }

    #[test]
    fn a_script_that_hangs_is_killed_at_its_limit_with_what_it_started() {
        let started = std::time::Instant::now();
        let pid_file =
            std::env::temp_dir().join(format!("course-support-hang-{}.pid", std::process::id()));
        let script = format!("sleep 30 & echo $! > {}; wait", pid_file.display());
        let err = Python::at("sh")
            .run_script(
                "course-support-hang",
                &script,
                [""; 0],
                Duration::from_millis(300),
            )
            .unwrap_err();
        assert!(matches!(err, PythonError::TimedOut(_)), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
        let worker: u32 = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        let _ = std::fs::remove_file(&pid_file);
        // The background `sleep` was killed with the group: gone, or a
        // zombie waiting for init (which may not reap in a container).
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        let running = || {
            std::fs::read_to_string(format!("/proc/{worker}/stat")).is_ok_and(|stat| {
                stat.rsplit_once(") ")
                    .is_some_and(|(_, rest)| !rest.starts_with('Z'))
            })
        };
        while running() && std::time::Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        assert!(
            !running(),
            "the script's child {worker} outlived the timeout"
        );
    }
}

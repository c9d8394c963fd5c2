//! Python's counterparts: the scripts, written into a temporary folder the
//! servers import from, and the packages they need, each checked first.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use course_support::interpreter::{self, Interpreter};

use crate::procs::TempFolder;

/// The chapter's Python files, by name.
pub const FILES: [(&str, &str); 8] = [
    ("work.py", include_str!("../python/work.py")),
    (
        "thread_server.py",
        include_str!("../python/thread_server.py"),
    ),
    ("asgi_app.py", include_str!("../python/asgi_app.py")),
    ("wsgi_app.py", include_str!("../python/wsgi_app.py")),
    (
        "sensor_collector.py",
        include_str!("../python/sensor_collector.py"),
    ),
    ("csv_parse.py", include_str!("../python/csv_parse.py")),
    ("ws_server.py", include_str!("../python/ws_server.py")),
    ("frame_loop.py", include_str!("../python/frame_loop.py")),
];

/// An interpreter and a folder holding the scripts.
#[derive(Debug)]
pub struct PythonSide {
    pub interp: Interpreter,
    folder: TempFolder,
}

impl PythonSide {
    /// Finds Python (`--python-bin`, `$PYTHON`, or the most capable on
    /// PATH) and writes the scripts; `Err` is the line to print instead.
    /// [`PythonSide::find`], unless `--no-python` asked to skip Python: the
    /// error is then the line saying so.
    pub fn unless_skipped(no_python: bool, flag: Option<&Path>) -> Result<Self, String> {
        if no_python {
            return Err("Python rows skipped (--no-python).".to_owned());
        }
        Self::find(flag)
    }

    pub fn find(flag: Option<&Path>) -> Result<Self, String> {
        let interp = interpreter::find(flag).map_err(|e| format!("Python rows skipped: {e}"))?;
        let folder = TempFolder::new("scenarios-py-").map_err(|e| e.to_string())?;
        for (name, text) in FILES {
            std::fs::write(folder.path().join(name), text).map_err(|e| e.to_string())?;
        }
        Ok(Self { interp, folder })
    }

    pub fn dir(&self) -> &Path {
        self.folder.path()
    }

    pub fn script(&self, name: &str) -> PathBuf {
        self.folder.path().join(name)
    }

    /// `Python 3.11.7` (`Python 3.14.0t` for a free-threaded build).
    pub fn label(&self) -> String {
        let t = if self.interp.facts.free_threaded_build {
            "t"
        } else {
            ""
        };
        format!("Python {}{t}", self.interp.facts.version)
    }

    /// A command running this Python with the scripts' folder importable.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(self.interp.python.program());
        cmd.current_dir(self.dir())
            .env("PYTHONPATH", self.dir())
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::null());
        cmd
    }

    /// `Ok` if `module` imports; else the line saying it was skipped and how
    /// to install it.
    pub fn require(&self, module: &str) -> Result<(), String> {
        let ok = Command::new(self.interp.python.program())
            .args(["-c", &format!("import {module}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            Ok(())
        } else {
            Err(format!(
                "{module} is not installed: skipped; to run it, pip install {module}"
            ))
        }
    }
}

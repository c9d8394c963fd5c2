//! Where the lab writes its history and charts, and how it names them.

use std::path::{Path, PathBuf};

use lab::history;

/// A path as the user would type it: relative to the current directory when
/// it lies below it.
pub(crate) fn shown(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|here| path.strip_prefix(here).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

pub(crate) fn lab_dir() -> PathBuf {
    history::default_path()
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

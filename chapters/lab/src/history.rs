//! The history of bench runs: one JSON object per line (JSON Lines), appended
//! after every run, so a change (a new machine, a busy machine, a code
//! change) shows up as a difference from the last *comparable* run: same
//! workload, task count, workers, task size and build profile.

use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::task::TaskSpec;

/// One mode's numbers in a recorded run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModeResult {
    /// `Mode::key`: `sequential`, `gil-threads`, `threads`, ...
    pub mode: String,
    pub workers: usize,
    pub ms: f64,
    /// Sequential ms / this mode's ms.
    pub speedup: f64,
    /// Speed-up / workers.
    pub efficiency: f64,
}

// ANCHOR: record
/// One bench run, as stored in the history file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Seconds since 1970-01-01 UTC.
    pub timestamp: u64,
    /// The same instant, readable: `2025-01-31T12:00:00Z`.
    pub time: String,
    pub workload: String,
    pub tasks: u64,
    pub workers: usize,
    pub in_flight: usize,
    pub spec: TaskSpec,
    /// Cores of the machine that ran it.
    pub cores: usize,
    /// `release` or `debug`: their timings are not comparable.
    pub profile: String,
    pub results: Vec<ModeResult>,
}
// ANCHOR_END: record

impl Record {
    /// Can the two runs' times be compared?
    pub fn comparable(&self, other: &Record) -> bool {
        self.workload == other.workload
            && self.tasks == other.tasks
            && self.workers == other.workers
            && self.spec == other.spec
            && self.profile == other.profile
    }

    pub fn result(&self, mode: &str) -> Option<&ModeResult> {
        self.results.iter().find(|r| r.mode == mode)
    }
}

/// The build profile of this program.
pub fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

/// Now, as seconds since the epoch and as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now() -> (u64, String) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    (secs, utc(secs))
}

/// Formats seconds since the epoch as an ISO 8601 UTC time.
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rest = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    )
}

/// Where the history lives unless `--history` says otherwise: `LAB_HISTORY`,
/// else `target/lab/history.jsonl` next to the build (found from this
/// executable's path), else `lab-history.jsonl` here.
pub fn default_path() -> PathBuf {
    if let Some(path) = std::env::var_os("LAB_HISTORY") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().ok();
    let target = exe
        .as_deref()
        .and_then(Path::parent)
        .filter(|dir| {
            dir.file_name()
                .is_some_and(|n| n == "release" || n == "debug")
        })
        .and_then(Path::parent);
    match target {
        Some(target) => target.join("lab").join("history.jsonl"),
        None => PathBuf::from("lab-history.jsonl"),
    }
}

// ANCHOR: append
/// Appends `record` as one line, creating the file and its folder if needed.
pub fn append(path: &Path, record: &Record) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut line = serde_json::to_string(record)?;
    line.push('\n');
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(line.as_bytes()))
        .with_context(|| format!("appending to {}", path.display()))
}
// ANCHOR_END: append

/// Every record in the file, oldest first, and how many lines were skipped
/// because they were not valid records. A missing file is an empty history.
pub fn read(path: &Path) -> Result<(Vec<Record>, usize)> {
    let file = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let mut records = Vec::new();
    let mut skipped = 0;
    for line in BufReader::new(file).lines() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Record>(&line) {
            Ok(r) => records.push(r),
            Err(_) => skipped += 1,
        }
    }
    Ok((records, skipped))
}

// ANCHOR: last_comparable
/// The most recent record in `history` comparable with `current`.
pub fn last_comparable<'a>(history: &'a [Record], current: &Record) -> Option<&'a Record> {
    history.iter().rev().find(|r| r.comparable(current))
}

/// One mode's change between the previous comparable run and this one.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub mode: String,
    pub before_ms: f64,
    pub now_ms: f64,
}

impl Change {
    /// `(now - before) / before`: -0.10 is 10% faster.
    pub fn relative(&self) -> f64 {
        (self.now_ms - self.before_ms) / self.before_ms
    }
}

/// The change of every mode that both runs measured, in `current`'s order.
pub fn changes(previous: &Record, current: &Record) -> Vec<Change> {
    current
        .results
        .iter()
        .filter_map(|now| {
            let before = previous.result(&now.mode)?;
            (before.ms > 0.0).then(|| Change {
                mode: now.mode.clone(),
                before_ms: before.ms,
                now_ms: now.ms,
            })
        })
        .collect()
}
// ANCHOR_END: last_comparable

/// Every run comparable with `current` (oldest first): a series for a chart.
pub fn series<'a>(history: &'a [Record], current: &Record) -> Vec<&'a Record> {
    history.iter().filter(|r| r.comparable(current)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formats_known_instants() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_700_000_000), "2023-11-14T22:13:20Z");
    }
}

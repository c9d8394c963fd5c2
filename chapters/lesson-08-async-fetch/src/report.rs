//! Collecting errors instead of stopping at the first: one report for a
//! whole batch, with how many succeeded and how many failed of each kind.
//! Python: `asyncio.gather(*coros, return_exceptions=True)` and a
//! `Counter(type(e).__name__ for e in results if isinstance(e, Exception))`.
//!
//! In Rust nothing needs catching: every fetch already returns a
//! `Result<Fetched, FetchError>`, so the batch is a `Vec` of values to count.

use std::collections::BTreeMap;
use std::time::Duration;

use course_support::{Table, table};

use crate::fetch::{ErrorKind, FetchError, Fetched};

// ANCHOR: report
/// What a batch of fetches came to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorReport {
    /// Fetches that succeeded.
    pub ok: usize,
    /// Body bytes of the successful ones.
    pub bytes: usize,
    /// Failed fetches by kind, with one example message per kind.
    pub errors: BTreeMap<ErrorKind, (usize, String)>,
    /// Attempts in all (more than the fetches when they were retried).
    pub attempts: usize,
    /// Wall-clock time of the whole batch.
    pub elapsed: Duration,
}

impl ErrorReport {
    /// Counts `results`.
    pub fn from_results<'a>(
        results: impl IntoIterator<Item = &'a Result<Fetched, FetchError>>,
    ) -> Self {
        let mut report = ErrorReport::default();
        for result in results {
            report.add(result);
        }
        report
    }

    /// Counts one more result (one attempt).
    pub fn add(&mut self, result: &Result<Fetched, FetchError>) {
        self.attempts += 1;
        match result {
            Ok(fetched) => {
                self.ok += 1;
                self.bytes += fetched.bytes;
            }
            Err(e) => {
                let entry = self.errors.entry(e.kind()).or_insert((0, e.to_string()));
                entry.0 += 1;
            }
        }
    }
}
// ANCHOR_END: report

impl ErrorReport {
    /// Failed fetches of all kinds.
    pub fn failed(&self) -> usize {
        self.errors.values().map(|(n, _)| n).sum()
    }

    /// Failed fetches of `kind`.
    pub fn count(&self, kind: ErrorKind) -> usize {
        self.errors.get(&kind).map_or(0, |(n, _)| *n)
    }

    /// Fetches in all.
    pub fn total(&self) -> usize {
        self.ok + self.failed()
    }

    /// The report as a table: one row for the successes, one per error kind.
    pub fn table(&self) -> Table {
        let mut t = table(["outcome", "count", "example"]);
        t.add_row([
            "ok".to_owned(),
            self.ok.to_string(),
            format!("{} bytes in all", self.bytes),
        ]);
        for (kind, (n, example)) in &self.errors {
            t.add_row([kind.to_string(), n.to_string(), shorten(example, 90)]);
        }
        t
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max - 3).collect();
    s.push_str("...");
    s
}

//! `pillars`: threads vs processes vs async.

use lesson_01_gil::pillars;

pub(crate) fn text() -> String {
    format!(
        "{}\n\nIn Rust, threads run code in parallel too: there is no interpreter lock.\n",
        pillars::table()
    )
}

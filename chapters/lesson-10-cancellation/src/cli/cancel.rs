//! `cancel`: abort, drop a future, drop a JoinHandle, drop a JoinSet, shield.

use std::process::ExitCode;

use anyhow::Result;
use course_support::report::{table, yes_no};

pub fn run() -> Result<ExitCode> {
    let seen = super::runtime()?.block_on(lesson_10_cancellation::cancel::all());
    let mut t = table([
        "what",
        "Python",
        "started",
        "reached its end",
        "cleanup ran",
        "what happened",
    ]);
    for s in &seen {
        t.add_row([
            s.what.to_owned(),
            s.python.to_owned(),
            yes_no(s.started).to_owned(),
            yes_no(s.reached_end).to_owned(),
            yes_no(s.cleaned_up).to_owned(),
            s.note.clone(),
        ]);
    }
    println!("{t}");
    println!(
        "\"cleanup ran\": the work's Drop guard ran (Rust's `finally`). A cancelled future stops at its `.await`."
    );
    Ok(ExitCode::SUCCESS)
}

//! `process`: start children, read their pids and exit codes, terminate one.

use std::time::Duration;

use anyhow::Result;
use course_support::child::{Spawner, describe, python_exitcode};
use course_support::cli::u64_in;
use course_support::table;
use lesson_04_ipc::process;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Exit codes for the children to end with, one child each.
    #[arg(long, value_delimiter = ',', default_values_t = [0, 3, 42], value_parser = clap::value_parser!(i32).range(0..=255))]
    pub(crate) exit_codes: Vec<i32>,
    /// How long to wait for the endless child before terminating it, in ms.
    #[arg(long, default_value_t = 200, value_parser = u64_in(0..=10_000))]
    pub(crate) wait_ms: u64,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args {
        exit_codes,
        wait_ms,
    } = args;
    show(spawner, &exit_codes, Duration::from_millis(wait_ms))
}

pub(crate) fn show(spawner: &Spawner, exit_codes: &[i32], wait: Duration) -> Result<()> {
    let me = std::process::id();
    println!(
        "{} children started before joining any; each prints its pid and parent pid:",
        exit_codes.len()
    );
    let reports = process::start_and_join(spawner, exit_codes)?;
    let mut t = table([
        "child",
        "pid (from spawn)",
        "pid (it printed)",
        "its parent",
        "asked to exit with",
        "ended with",
        "Python's exitcode",
    ]);
    for (i, r) in reports.iter().enumerate() {
        let parent = if r.parent == me {
            format!("{} (us)", r.parent)
        } else {
            r.parent.to_string()
        };
        t.add_row([
            (i + 1).to_string(),
            r.pid.to_string(),
            r.own_pid.to_string(),
            parent,
            r.asked.to_string(),
            describe(r.status),
            python_exitcode(r.status).map_or("?".into(), |c| c.to_string()),
        ]);
    }
    println!("{t}");
    let t = process::terminate_forever(spawner, wait)?;
    println!(
        "A child that loops forever (pid {}): {} after waiting {} ms, so a plain join would never return.",
        t.pid,
        if t.running_after_wait {
            "still running"
        } else {
            "already gone"
        },
        t.waited.as_millis()
    );
    println!(
        "terminate(): {}, Python's exitcode {}; reaped: {}.",
        describe(t.status),
        python_exitcode(t.status).map_or("?".into(), |c| c.to_string()),
        if t.gone {
            "yes, its pid is gone from the process table"
        } else {
            "NO, its pid still exists"
        }
    );
    Ok(())
}

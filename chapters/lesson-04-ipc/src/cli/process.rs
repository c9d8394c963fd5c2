//! `process`: start children, read their pids and exit codes, terminate one.

use std::time::Duration;

use anyhow::Result;
use course_support::child::{Spawner, describe, python_exitcode};
use course_support::table;
use lesson_04_ipc::process;

pub(crate) fn run(spawner: &Spawner, exit_codes: &[i32], wait: Duration) -> Result<()> {
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

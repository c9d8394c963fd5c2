//! `fork`: fork(), and why Rust spawns instead.

use anyhow::Result;
use course_support::table;
use lesson_04_ipc::fork;

pub(crate) fn run() -> Result<()> {
    match fork::held_lock_after_fork() {
        Ok(f) => {
            println!(
                "This process had {} threads, one of them holding a Mutex, when it called fork().",
                f.parent_threads
            );
            println!(
                "The child (pid {}) had {} thread{}, and the Mutex was {}.",
                f.pid,
                f.child_threads,
                if f.child_threads == 1 { "" } else { "s" },
                if f.child_saw_lock_held {
                    "locked (try_lock: WouldBlock),\n\
                     held by a thread that does not exist there: lock() would have waited forever"
                } else {
                    "free"
                }
            );
        }
        Err(e) => println!("(fork demo skipped: {e})"),
    }
    println!(
        "So std::process::Command starts a new program (posix_spawn, or fork + exec at once),\n\
         and this lesson re-executes itself. Only an unsafe CommandExt::pre_exec closure runs\n\
         in the forked copy, before exec, and it may make async-signal-safe calls only."
    );
    let mut t = table(["where", "multiprocessing's default start method"]);
    for (place, method) in [
        ("Linux, Python up to 3.13", "fork"),
        (
            "Linux and other POSIX systems but macOS, Python 3.14+",
            "forkserver",
        ),
        ("macOS, Python 3.8+", "spawn"),
        ("Windows", "spawn (there is no fork)"),
        (
            "Rust std::process::Command",
            "always a fresh program (spawn)",
        ),
    ] {
        t.add_row([place, method]);
    }
    println!("{t}");
    match fork::python_start_methods() {
        Some(p) => println!(
            "Your python3 {} uses '{}' (available: {}).",
            p.version,
            p.default,
            p.available.join(", ")
        ),
        None => println!("{}", course_support::python::MISSING),
    }
    Ok(())
}

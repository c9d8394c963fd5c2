//! The worker process the tests start (already written):
//!
//! - `lock-worker NAME count ROUNDS`: opens the lock `NAME`, prints `ready`,
//!   waits for a line `go` on stdin (the start gate), then `ROUNDS` times:
//!   lock, read the count, yield the CPU, write the count + 1, unlock. Prints
//!   `done` (or `error: ...`, exit code 3);
//! - `lock-worker NAME hold`: opens the lock, locks it, sets `dirty` to 1
//!   (an update begun), prints `holding`, and sleeps until it is killed.
//!
//! A trailing `--tag TAG` is ignored: the tests use it to find their own
//! workers. A worker exits soon after its parent dies.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use process_lock::ProcessLock;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = match args.iter().position(|a| a == "--tag") {
        Some(at) => args[..at].iter().map(String::as_str).collect(),
        None => args.iter().map(String::as_str).collect(),
    };
    exit_when_orphaned();
    let mut out = std::io::stdout().lock();
    let mut say = |what: &str| {
        let _ = writeln!(out, "{what}").and_then(|()| out.flush());
    };
    let (name, job) = match args.as_slice() {
        [name, rest @ ..] => (*name, rest),
        [] => {
            eprintln!("usage: lock-worker NAME count ROUNDS | NAME hold");
            return ExitCode::from(2);
        }
    };
    let lock = match ProcessLock::open(name) {
        Ok(lock) => lock,
        Err(e) => {
            say(&format!("error: opening {name}: {e}"));
            return ExitCode::from(3);
        }
    };
    match job {
        ["count", rounds] => {
            let rounds: u64 = rounds.parse().expect("ROUNDS is a number");
            say("ready");
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            if line.trim() != "go" {
                return ExitCode::from(2);
            }
            for _ in 0..rounds {
                let guard = match lock.lock() {
                    Ok(g) => g,
                    Err(e) => {
                        say(&format!("error: lock: {e}"));
                        return ExitCode::from(3);
                    }
                };
                let shared = lock.shared();
                let seen = shared.count.load(Relaxed);
                std::thread::yield_now(); // another process gets in here, unless the lock works
                shared.count.store(seen + 1, Relaxed);
                drop(guard);
            }
            say("done");
            ExitCode::SUCCESS
        }
        ["hold"] => {
            let guard = match lock.lock() {
                Ok(g) => g,
                Err(e) => {
                    say(&format!("error: lock: {e}"));
                    return ExitCode::from(3);
                }
            };
            lock.shared().dirty.store(1, Relaxed);
            say("holding");
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let _ = &guard;
            }
        }
        _ => {
            eprintln!("usage: lock-worker NAME count ROUNDS | NAME hold");
            ExitCode::from(2)
        }
    }
}

fn exit_when_orphaned() {
    let parent = std::os::unix::process::parent_id();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(100));
            if std::os::unix::process::parent_id() != parent {
                std::process::exit(1);
            }
        }
    });
}

//! The processes the tests start (already written):
//!
//! - `manager-node server PATH`: binds a Unix socket at `PATH`, prints
//!   `ready`, then calls [`manager_counter::serve`] (which you write);
//! - `manager-node client PATH KEY TIMES`: connects with
//!   [`manager_counter::Client`], prints `ready`, waits for a line `go` on
//!   stdin (the start gate), calls `incr(KEY, 1)` `TIMES` times (0: forever),
//!   prints `done` and exits 0. A failed call prints `error: ...` on stdout
//!   and exits 3.
//!
//! A trailing `--tag TAG` is ignored: the tests use it to find their own
//! processes. Both roles exit soon after their parent dies.

use std::io::{BufRead, Write};
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = match args.iter().position(|a| a == "--tag") {
        Some(at) => args[..at].iter().map(String::as_str).collect(),
        None => args.iter().map(String::as_str).collect(),
    };
    exit_when_orphaned();
    match args.as_slice() {
        ["server", path] => {
            let listener = match UnixListener::bind(path) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("manager-node: binding {path}: {e}");
                    return ExitCode::from(2);
                }
            };
            println!("ready");
            manager_counter::serve(listener);
            ExitCode::SUCCESS
        }
        ["client", path, key, times] => {
            let times: u64 = times.parse().expect("TIMES is a number");
            let mut client = match manager_counter::Client::connect(Path::new(path)) {
                Ok(c) => c,
                Err(e) => {
                    println!("error: connecting: {e}");
                    return ExitCode::from(3);
                }
            };
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "ready").and_then(|()| out.flush());
            let mut line = String::new();
            let _ = std::io::stdin().lock().read_line(&mut line);
            if line.trim() != "go" {
                return ExitCode::from(2);
            }
            let mut done = 0;
            while times == 0 || done < times {
                if let Err(e) = client.incr(key, 1) {
                    let _ =
                        writeln!(out, "error: after {done} calls: {e}").and_then(|()| out.flush());
                    return ExitCode::from(3);
                }
                done += 1;
            }
            let _ = writeln!(out, "done").and_then(|()| out.flush());
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: manager-node server PATH | client PATH KEY TIMES");
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

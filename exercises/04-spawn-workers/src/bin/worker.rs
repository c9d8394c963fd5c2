//! The worker the exercise starts: `worker JOB [ARGS] [--tag TAG]`.
//!
//! Every job first prints `pid=<its pid> parent=<its parent's pid>`, then:
//!
//! - `square N`: prints `result=<N*N>` and exits with code 0;
//! - `fail CODE`: exits with `CODE`;
//! - `abort`: aborts (killed by SIGABRT);
//! - `hang`: never ends by itself (it does exit if its parent dies);
//! - `meet DIR N`: waits until `N` workers have arrived in directory `DIR`
//!   (at most 1.5 s), prints `met=<how many it saw>`, exits 0 if all `N`
//!   were there at once, 3 if it gave up.
//!
//! `--tag` is ignored: the tests use it to find their own workers.

use std::os::unix::process::parent_id;
use std::path::Path;
use std::thread::sleep;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = match args.iter().position(|a| a == "--tag") {
        Some(at) => args[..at].iter().map(String::as_str).collect(),
        None => args.iter().map(String::as_str).collect(),
    };
    let parent = parent_id();
    println!("pid={} parent={parent}", std::process::id());
    let code = match args.as_slice() {
        ["square", n] => {
            let n: u64 = n.parse().expect("square takes a number");
            println!("result={}", n * n);
            0
        }
        ["fail", code] => code.parse().expect("fail takes an exit code"),
        ["abort"] => std::process::abort(),
        ["hang"] => loop {
            sleep(Duration::from_millis(50));
            exit_if_orphaned(parent);
        },
        ["meet", dir, n] => meet(Path::new(dir), n.parse().expect("meet DIR N")),
        other => {
            eprintln!("worker: unknown job {other:?}");
            2
        }
    };
    std::process::exit(code);
}

/// Arrive in `dir`, then wait for `n` arrivals (or give up after 1.5 s).
fn meet(dir: &Path, n: usize) -> i32 {
    let parent = parent_id();
    std::fs::write(dir.join(std::process::id().to_string()), b"").expect("dir is writable");
    let deadline = Instant::now() + Duration::from_millis(1_500);
    loop {
        let here = std::fs::read_dir(dir).map_or(0, |d| d.count());
        if here >= n || Instant::now() >= deadline {
            println!("met={here}");
            return if here >= n { 0 } else { 3 };
        }
        exit_if_orphaned(parent);
        sleep(Duration::from_millis(10));
    }
}

/// A worker whose parent died exits instead of running on as an orphan.
fn exit_if_orphaned(parent: u32) {
    if parent_id() != parent {
        std::process::exit(1);
    }
}

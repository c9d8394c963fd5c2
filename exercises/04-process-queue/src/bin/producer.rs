//! The producer the exercise starts. Its command line is made by
//! `Plan::args`; read it there. In order, it:
//!
//! 1. waits for the other producers, if the plan says `--meet DIR N`
//!    (if they don't all show up within 1.5 s, it carries on, but exits
//!    with code 3 at the end);
//! 2. connects to the consumer's `IpcOneShotServer` named by `--server`;
//! 3. sends `Message { producer: id, seq }` for seq = 0, 1, 2, ...;
//! 4. after `--after K` messages, fails as `--fault` says: `panic`
//!    (exit code 101), `abort` (SIGABRT) or `hang` (sleeps forever, but
//!    exits if its parent dies).
//!
//! It always connects and sends at least one message before any fault.

use std::os::unix::process::parent_id;
use std::path::Path;
use std::thread::sleep;
use std::time::{Duration, Instant};

use ipc_channel::ipc::IpcSender;
use process_queue::Message;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map(String::as_str)
    };
    let server = get("--server").expect("--server NAME");
    let id: u32 = get("--id").and_then(|v| v.parse().ok()).expect("--id N");
    let messages: u64 = get("--messages")
        .and_then(|v| v.parse().ok())
        .expect("--messages N");
    let fault = get("--fault");
    let after: u64 = get("--after")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let parent = parent_id();

    let meeting = (get("--meet"), get("--of").and_then(|v| v.parse().ok()));
    let alone = match meeting {
        (Some(dir), Some(n)) => !meet(Path::new(dir), n, parent),
        _ => false,
    };
    let tx: IpcSender<Message> =
        IpcSender::connect(server.to_owned()).expect("connecting to the consumer's server");
    for seq in 0..messages {
        if fault.is_some() && seq == after {
            match fault {
                Some("panic") => panic!("producer {id} crashes after {after} messages"),
                Some("abort") => std::process::abort(),
                _ => loop {
                    sleep(Duration::from_millis(50));
                    if parent_id() != parent {
                        std::process::exit(1);
                    }
                },
            }
        }
        if tx.send(Message { producer: id, seq }).is_err() {
            std::process::exit(1); // the consumer is gone
        }
    }
    if alone {
        eprintln!("producer {id}: the other producers did not start in time");
        std::process::exit(3);
    }
}

/// Arrive in `dir`, wait until `n` producers are there (at most 1.5 s).
fn meet(dir: &Path, n: usize, parent: u32) -> bool {
    std::fs::write(dir.join(std::process::id().to_string()), b"").expect("dir is writable");
    let deadline = Instant::now() + Duration::from_millis(1_500);
    loop {
        if std::fs::read_dir(dir).map_or(0, |d| d.count()) >= n {
            return true;
        }
        if Instant::now() >= deadline || parent_id() != parent {
            return false;
        }
        sleep(Duration::from_millis(10));
    }
}

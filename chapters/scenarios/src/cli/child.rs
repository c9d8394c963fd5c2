//! The hidden `child` subcommand: the servers and workers the scenarios start.

use std::path::PathBuf;
use std::time::Duration;

use clap::Subcommand;
use scenarios::procs::inherited_listener;
use scenarios::{collect, realtime, web};

#[derive(Debug, Subcommand)]
pub(crate) enum Role {
    /// A web server on the listening socket at descriptor 3.
    WebServer {
        #[arg(long)]
        model: String,
        #[arg(long, default_value_t = 5)]
        workers: usize,
    },
    /// One pre-forked worker on the inherited socket.
    WebWorker,
    /// The async sensor collector on descriptor 3; prints its report as JSON.
    Collector {
        #[arg(long)]
        sensors: usize,
    },
    /// Parses bytes START..END of a CSV file; prints the result as JSON.
    CsvPart {
        #[arg(long)]
        path: PathBuf,
        #[arg(long)]
        start: u64,
        #[arg(long)]
        end: u64,
    },
    /// The WebSocket broadcast server on descriptor 3.
    WsServer {
        #[arg(long)]
        clients: usize,
        #[arg(long)]
        messages: usize,
        #[arg(long)]
        interval_ms: u64,
    },
    /// Counts the primes below N (the frame loop's computation, in a process).
    CountPrimes {
        #[arg(long)]
        n: u64,
    },
}

/// Runs a role; its exit code.
pub(crate) fn run(role: Role) -> i32 {
    match run_role(role) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    }
}

fn run_role(role: Role) -> anyhow::Result<()> {
    match role {
        Role::WebServer { model, workers } => {
            let listener = inherited_listener()?;
            match web::Model::from_name(&model) {
                Some(web::Model::Threads) => web::serve_threads(listener)?,
                Some(web::Model::Async) => web::serve_async(listener)?,
                Some(web::Model::Prefork) => prefork(workers)?,
                None => anyhow::bail!("unknown model {model}"),
            }
        }
        Role::WebWorker => {
            course_support::child::exit_when_orphaned();
            web::serve_one_at_a_time(inherited_listener()?)?
        }
        Role::Collector { sensors } => {
            let report = collect::collect_async(inherited_listener()?, sensors)?;
            println!("{}", serde_json::to_string(&report)?);
        }
        Role::CsvPart { path, start, end } => {
            let parsed = collect::parse_range(&path, start, end)?;
            println!("{}", serde_json::to_string(&parsed)?);
        }
        Role::WsServer {
            clients,
            messages,
            interval_ms,
        } => realtime::serve_broadcast(
            inherited_listener()?,
            clients,
            messages,
            Duration::from_millis(interval_ms),
        )?,
        Role::CountPrimes { n } => {
            course_support::child::exit_when_orphaned();
            println!("{}", course_support::count_primes(0..n));
        }
    }
    Ok(())
}

// ANCHOR: prefork
/// The pre-forked server's master: starts `workers` copies of this program
/// as `web-worker`s. They inherit descriptor 3, the one listening socket,
/// and the kernel gives each incoming connection to one worker waiting in
/// `accept`. The master only waits; if it dies, its workers die with it.
fn prefork(workers: usize) -> anyhow::Result<()> {
    use std::os::unix::process::CommandExt;
    let spawner = course_support::child::Spawner::current_exe()?;
    let mut kids = course_support::child::Children::new();
    for _ in 0..workers {
        let mut cmd = spawner.command("web-worker", [""; 0]);
        // SAFETY: prctl(2) is async-signal-safe and touches no memory of ours.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        kids.push(course_support::child::ChildGuard::spawn(&mut cmd)?);
    }
    for kid in kids.iter_mut() {
        kid.wait()?;
    }
    anyhow::bail!("every worker ended")
}
// ANCHOR_END: prefork

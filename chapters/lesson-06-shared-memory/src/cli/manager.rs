//! `manager`: Manager() analogs: round trips, lost `+=`, a server-side
//! increment, shared memory beside them, Python's Manager in the same run,
//! and the manager killed under its clients.

use std::time::Duration;

use anyhow::Result;
use course_support::child::{Spawner, exists};
use course_support::cli::{u64_in, usize_in};
use course_support::interpreter::{self, PythonArgs};
use course_support::report::{grouped, yes_no};
use course_support::{table, tour};
use lesson_06_shared_memory::counter::{self, Increment};
use lesson_06_shared_memory::manager::{self, Add};
use lesson_06_shared_memory::python::{self, Answers};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 4, value_parser = usize_in(1..=64))]
    pub(crate) processes: usize,
    /// Increments per process through a manager.
    #[arg(long, default_value_t = 2_000, value_parser = u64_in(1..=10_000_000))]
    pub(crate) increments: u64,
    /// Increments per process in shared memory (far cheaper, so more of them).
    #[arg(long, default_value_t = 1_000_000, value_parser = u64_in(1..=100_000_000))]
    pub(crate) shm_increments: u64,
    /// Calls timed for the round trip.
    #[arg(long, default_value_t = 20_000, value_parser = u64_in(1..=10_000_000))]
    pub(crate) calls: u64,
    #[command(flatten)]
    pub(crate) python: PythonArgs,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    show(spawner, &args)
}

fn us(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e6)
}

fn us_f(secs: f64) -> String {
    format!("{:.2}", secs * 1e6)
}

pub(crate) fn show(spawner: &Spawner, a: &Args) -> Result<()> {
    if cfg!(debug_assertions) {
        println!("(debug build: use --release for numbers worth comparing)");
    }
    let py = python_side(a);
    tour::section("Every proxy call is a round trip");
    let rust_rt = manager::round_trip(spawner, a.calls)?;
    let mut t = table(["one call", "µs per call", "calls timed"]);
    t.add_row([
        "Rust: get through a Unix socket to the manager process".to_owned(),
        us(rust_rt),
        grouped(a.calls),
    ]);
    match &py {
        Some(p) => t.add_row([
            "Python: d[k] on a Manager().dict() proxy".to_owned(),
            us_f(p.number("round_trip_us")? / 1e6),
            grouped(a.calls),
        ]),
        None => t.add_row(["Python: skipped (see above)", "", ""]),
    };
    println!("{t}");
    tour::section(&format!(
        "{} processes add 1 to one number, released together",
        a.processes
    ));
    let mut t = table([
        "way",
        "per process",
        "expected",
        "counted",
        "lost",
        "µs per increment (all processes)",
    ]);
    let shm = counter::run(spawner, a.processes, a.shm_increments, Increment::FetchAdd)?;
    t.add_row([
        "Rust: fetch_add on an AtomicU64 in a shared segment".to_owned(),
        grouped(shm.increments),
        grouped(shm.expected),
        grouped(shm.counted),
        grouped(shm.lost()),
        format!(
            "{:.4}",
            shm.elapsed.as_secs_f64() * 1e6 / shm.expected.max(1) as f64
        ),
    ]);
    let mut left = Vec::new();
    let mut lost = Vec::new();
    for how in [Add::GetSet, Add::ServerIncr] {
        let r = manager::count(spawner, a.processes, a.increments, how)?;
        left.extend(r.pids.iter().copied().chain([r.manager_pid]));
        lost.push(r.lost());
        t.add_row([
            format!("Rust manager: {}", how.label()),
            grouped(r.increments),
            grouped(r.expected),
            grouped(r.counted),
            grouped(r.lost()),
            us(r.per_increment()),
        ]);
    }
    let expected = a.processes as u64 * a.increments;
    match &py {
        Some(p) => {
            for (label, key) in [
                ("Python Manager().dict(): d[k] += 1", "racy"),
                ("Python BaseManager: hits.incr() in the server", "server"),
            ] {
                let counted = p.number(&format!("{key}_counted"))? as u64;
                let secs = p.number(&format!("{key}_secs"))?;
                t.add_row([
                    label.to_owned(),
                    grouped(a.increments),
                    grouped(expected),
                    grouped(counted),
                    grouped(expected.saturating_sub(counted)),
                    us_f(secs / expected.max(1) as f64),
                ]);
            }
        }
        None => {
            t.add_row(["Python rows: skipped (see above)", "", "", "", "", ""]);
        }
    }
    println!("{t}");
    let still = left.iter().filter(|&&p| exists(p)).count();
    match lost[..] {
        [racy, 0] if racy > 0 => println!(
            "`d[k] += 1` through a proxy is a get and then a set: another process's set between\n\
             them is overwritten. An increment done inside the server, under its lock, is one call\n\
             and loses nothing."
        ),
        [0, 0] => println!(
            "This time get-then-set lost nothing: the processes never met between a get and its\n\
             set. An exact run proves nothing; run it again, or with more processes."
        ),
        _ => println!("The server-side increment LOST updates: a bug."),
    }
    println!("Processes left running after these runs: {still}.");
    tour::section("The manager dies under its clients");
    print_death(spawner, a.processes.min(4), py.as_ref())
}

pub(crate) fn print_death(spawner: &Spawner, clients: usize, py: Option<&Answers>) -> Result<()> {
    let d = manager::manager_dies(spawner, clients, Duration::from_millis(200))?;
    println!(
        "{clients} clients call incr in a loop; after 200 ms the manager (pid {}) is sent SIGKILL\n\
         and ended with {}. What each client reported:",
        d.manager_pid, d.manager_ended
    );
    let mut t = table(["client", "what it said", "it ended with", "still running"]);
    for (pid, line, ended) in &d.clients {
        t.add_row([
            pid.to_string(),
            line.clone(),
            ended.clone(),
            yes_no(exists(*pid)).to_owned(),
        ]);
    }
    println!("{t}");
    let failed = d
        .clients
        .iter()
        .filter(|(_, line, _)| line.starts_with("failed"))
        .count();
    println!(
        "{failed} of {clients} clients reported the failure, all within {:.1} ms of the kill; \
         socket left behind: {}.",
        d.all_reported_in.as_secs_f64() * 1e3,
        yes_no(d.socket.exists())
    );
    if let Some(p) = py {
        println!(
            "Python: after the Manager's process is killed, the next d[k] raises {} (in {:.2} ms).",
            p.text("death_error")?,
            p.number("death_ms")?
        );
    }
    Ok(())
}

/// Runs `manager.py` when an interpreter is found; prints why not otherwise.
fn python_side(a: &Args) -> Option<Answers> {
    let Some(interp) = interpreter::announce(a.python.python_bin.as_deref()) else {
        println!("skipped: the Python rows (no interpreter)");
        return None;
    };
    match python::manager(&interp, a.processes, a.increments, a.calls) {
        Ok(p) => Some(p),
        Err(e) => {
            println!("skipped: the Python rows: the Python run failed: {e:#}");
            None
        }
    }
}

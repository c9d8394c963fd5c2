//! The hidden `child` subcommand: what a re-executed copy of this program
//! does, depending on its role. Nobody types these by hand; the parent
//! starts `lesson-06-shared-memory child <ROLE> ...`.

use clap::Subcommand;

use crate::counter::{self, Increment};
use crate::manager::{self, Add};
use crate::named;
use crate::workers::{self, Mode};

// ANCHOR: roles
/// The roles a child process can play.
#[derive(Debug, Clone, Subcommand)]
pub enum Role {
    /// Open a segment by name and write a greeting into it.
    Greeter {
        #[arg(long)]
        segment: String,
    },
    /// Transform one band of a matrix per command on stdin, until stdin closes.
    Worker {
        #[arg(long, value_enum)]
        mode: Mode,
        /// The matrix's segment (shared-memory mode).
        #[arg(long)]
        segment: Option<String>,
        #[arg(long)]
        band: usize,
        #[arg(long)]
        bands: usize,
        #[arg(long)]
        cols: usize,
        /// Panic in the first round after this many rows of the band.
        #[arg(long)]
        panic_after_rows: Option<usize>,
    },
    /// Add 1 to a shared counter, many times, after `go` on stdin.
    Counter {
        #[arg(long)]
        segment: String,
        #[arg(long)]
        increments: u64,
        #[arg(long, value_enum)]
        how: Increment,
    },
    /// Serve a dict and a list on a Unix socket until stdin closes.
    Manager {
        #[arg(long)]
        socket: std::path::PathBuf,
    },
    /// Add 1 to the manager's `d["hits"]`, many times (0: until it fails), after `go`.
    ManagerClient {
        #[arg(long)]
        socket: std::path::PathBuf,
        #[arg(long)]
        increments: u64,
        #[arg(long, value_enum)]
        how: Add,
    },
    /// Add 1 to the count in a process-lock segment, many times, after `go`.
    LockCounter {
        #[arg(long)]
        segment: String,
        #[arg(long)]
        rounds: u64,
        #[arg(long)]
        no_lock: bool,
        /// Yield between the read and the write.
        #[arg(long)]
        widen: bool,
    },
    /// Take the process lock, start an update, and hold it until killed.
    LockHolder {
        #[arg(long)]
        segment: String,
    },
}

/// Plays `role`; returns the process's exit code.
pub fn run(role: Role) -> i32 {
    let result = match role {
        Role::Greeter { segment } => named::greeter_role(&segment),
        Role::Worker {
            mode,
            segment,
            band,
            bands,
            cols,
            panic_after_rows,
        } => workers::worker_role(
            mode,
            segment.as_deref(),
            band,
            bands,
            cols,
            panic_after_rows,
        ),
        Role::Counter {
            segment,
            increments,
            how,
        } => counter::counter_role(&segment, increments, how),
        Role::Manager { socket } => manager::server_role(&socket),
        Role::ManagerClient {
            socket,
            increments,
            how,
        } => manager::client_role(&socket, increments, how),
        Role::LockCounter {
            segment,
            rounds,
            no_lock,
            widen,
        } => lock_counter(&segment, rounds, !no_lock, widen),
        Role::LockHolder { segment } => lock_holder(&segment),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("child {}: error: {e:#}", std::process::id());
            1
        }
    }
}
// ANCHOR_END: roles

#[cfg(target_os = "linux")]
fn lock_counter(segment: &str, rounds: u64, locked: bool, widen: bool) -> anyhow::Result<()> {
    crate::plock::counter_role(segment, rounds, locked, widen)
}

#[cfg(target_os = "linux")]
fn lock_holder(segment: &str) -> anyhow::Result<()> {
    crate::plock::holder_role(segment)
}

#[cfg(not(target_os = "linux"))]
fn lock_counter(_: &str, _: u64, _: bool, _: bool) -> anyhow::Result<()> {
    anyhow::bail!("the process lock needs Linux (robust mutexes)")
}

#[cfg(not(target_os = "linux"))]
fn lock_holder(_: &str) -> anyhow::Result<()> {
    anyhow::bail!("the process lock needs Linux (robust mutexes)")
}

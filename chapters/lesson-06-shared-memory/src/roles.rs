//! The hidden `child` subcommand: what a re-executed copy of this program
//! does, depending on its role. Nobody types these by hand; the parent
//! starts `lesson-06-shared-memory child <ROLE> ...`.

use clap::Subcommand;

use crate::counter::{self, Increment};
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

//! The hidden `child` subcommand: what a re-executed copy of this program
//! does. The process pool starts `lesson-05-pool-map child worker`; nobody
//! types it by hand.

use clap::Subcommand;

// ANCHOR: roles
/// The roles a child process can play.
#[derive(Debug, Clone, Subcommand)]
pub enum Role {
    /// A pool worker: read chunks on stdin, write results on stdout.
    Worker,
}

/// Plays `role`; returns the process's exit code.
pub fn run(role: Role) -> i32 {
    let result = match role {
        Role::Worker => crate::worker::worker_role(),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("worker pid {}: error: {e:#}", std::process::id());
            1
        }
    }
}
// ANCHOR_END: roles

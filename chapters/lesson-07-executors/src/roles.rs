//! The hidden `child` subcommand: what a re-executed copy of this program
//! does. `main` sends `lesson-07-executors child <ROLE>` here; the process
//! pool starts these, nobody types them.

use clap::Subcommand;

use crate::worker;

// ANCHOR: roles
/// The roles a child process can play.
#[derive(Debug, Clone, Subcommand)]
pub enum Role {
    /// A process-pool worker: run tasks from stdin, reply on stdout.
    Worker,
}

/// Plays `role`; returns the process's exit code.
pub fn run(role: Role) -> i32 {
    let result = match role {
        Role::Worker => worker::worker_role(),
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

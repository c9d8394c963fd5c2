//! The hidden `child` subcommand: what a re-executed copy of this program
//! does, depending on its role. `main` sends `lesson-04-ipc child <ROLE> ...`
//! here; nobody types these by hand.

use std::time::Duration;

use clap::Subcommand;

use crate::queue::Crash;
use crate::{joinable, pipe, process, queue, throughput, writer_reader};

// ANCHOR: roles
/// The roles a child process can play.
#[derive(Debug, Clone, Subcommand)]
pub enum Role {
    /// Print our pid and parent pid, exit with the given code.
    Report {
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        exit_code: i32,
    },
    /// Loop until terminated.
    Forever,
    /// Exit at once (for the start-up table).
    Noop,
    /// Send numbered messages on the queue, maybe crashing partway.
    Producer {
        #[arg(long)]
        server: String,
        #[arg(long)]
        id: u32,
        #[arg(long)]
        messages: u64,
        #[arg(long)]
        crash_after: Option<u64>,
        #[arg(long, value_enum, default_value_t = Crash::Panic)]
        how: Crash,
    },
    /// Send messages in batches (throughput).
    Blast {
        #[arg(long)]
        server: String,
        #[arg(long)]
        messages: u64,
        #[arg(long)]
        batch: usize,
    },
    /// Write numbered frames to stdout through a buffer (throughput).
    Stream {
        #[arg(long)]
        messages: u64,
    },
    /// A JoinableQueue worker.
    Worker {
        #[arg(long)]
        server: String,
    },
    /// The far end of a duplex pipe: answer n with n + 1.
    Echo {
        #[arg(long)]
        server: String,
    },
    /// The seed's writer: put A, B, C.
    Writer {
        #[arg(long)]
        server: String,
        #[arg(long, default_value_t = 20)]
        pause_ms: u64,
    },
    /// The seed's reader: get and print forever.
    Reader {
        #[arg(long)]
        server: String,
    },
}

/// Plays `role`; returns the process's exit code.
pub fn run(role: Role) -> i32 {
    let result = match role {
        Role::Report { exit_code } => return process::report_role(exit_code),
        Role::Forever => return process::forever_role(),
        Role::Noop => return 0,
        Role::Producer {
            server,
            id,
            messages,
            crash_after,
            how,
        } => queue::producer_role(&server, id, messages, crash_after.map(|n| (n, how))),
        Role::Blast {
            server,
            messages,
            batch,
        } => throughput::blast_role(&server, messages, batch),
        Role::Stream { messages } => throughput::stream_role(messages),
        Role::Worker { server } => joinable::worker_role(&server),
        Role::Echo { server } => pipe::echo_role(&server),
        Role::Writer { server, pause_ms } => {
            writer_reader::writer_role(&server, Duration::from_millis(pause_ms))
        }
        Role::Reader { server } => writer_reader::reader_role(&server),
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

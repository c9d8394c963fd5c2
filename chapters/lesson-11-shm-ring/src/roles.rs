//! The hidden `child` subcommand: what a re-executed copy of this program
//! does. The parent starts `lesson-11-shm-ring child <ROLE> ...`.

use clap::Subcommand;

use crate::baseline;
use crate::ring::Wait;
use crate::transfer::{self, ProducerPlan};

/// The roles a child process can play.
#[derive(Debug, Clone, Subcommand)]
pub enum Role {
    /// Open ring `ring` of a segment and publish numbered messages.
    Producer {
        #[arg(long)]
        segment: String,
        #[arg(long)]
        rings: usize,
        #[arg(long)]
        ring: usize,
        #[arg(long)]
        slots: u64,
        #[arg(long)]
        messages: u64,
        #[arg(long, value_enum)]
        wait: Wait,
        /// Kill ourselves halfway through writing this message.
        #[arg(long)]
        crash_mid_write: Option<u64>,
    },
    /// Write 8-byte messages to stdout, one write(2) each.
    PipeWriter {
        #[arg(long)]
        messages: u64,
    },
    /// Send u64 messages through ipc-channel, one send each.
    IpcSender {
        #[arg(long)]
        server: String,
        #[arg(long)]
        messages: u64,
    },
    /// Publish u64s through iceoryx2 (feature `iceoryx2`).
    #[cfg(feature = "iceoryx2")]
    IoxPublisher {
        #[arg(long)]
        service: String,
        #[arg(long)]
        messages: u64,
    },
    /// Answer the parent's odd numbers on one shared cache line.
    Ponger {
        #[arg(long)]
        segment: String,
        #[arg(long)]
        rounds: u64,
    },
}

/// Plays `role`; returns the process's exit code.
pub fn run(role: Role) -> i32 {
    course_support::child::exit_when_orphaned();
    let result = match role {
        Role::Producer {
            segment,
            rings,
            ring,
            slots,
            messages,
            wait,
            crash_mid_write,
        } => transfer::producer_role(
            &segment,
            rings,
            ring,
            &ProducerPlan {
                messages,
                slots,
                wait,
                crash_mid_write,
            },
        ),
        Role::PipeWriter { messages } => baseline::pipe_writer_role(messages),
        Role::IpcSender { server, messages } => baseline::ipc_sender_role(&server, messages),
        #[cfg(feature = "iceoryx2")]
        Role::IoxPublisher { service, messages } => {
            crate::iceoryx::publisher_role(&service, messages)
        }
        Role::Ponger { segment, rounds } => baseline::ponger_role(&segment, rounds),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("child {}: error: {e:#}", std::process::id());
            1
        }
    }
}

//! # Exercise: a queue fed by many producer processes
//!
//! Python's `multiprocessing.Queue` lets many processes `put` and one `get`.
//! Here each producer is a real process (this crate's `src/bin/producer.rs`,
//! already written) that connects to you over `ipc-channel` and sends
//! numbered [`Message`]s. Some producers crash partway, one may hang.
//!
//! Write [`collect`]: start one producer per [`Plan`], receive every message
//! they send, and report how each producer ended.
//!
//! How a producer finds you: for each one, create an
//! `ipc_channel::ipc::IpcOneShotServer::<Message>`, and start the producer
//! with the arguments `plan.args(id, &server_name)` (`id` is the plan's
//! index). It connects and sends; `server.accept()` returns an
//! `IpcReceiver<Message>` **and the first message**. When the producer
//! ends, however it ends, the kernel closes its socket and `recv()` on its
//! receiver returns an error.
//!
//! Rules the tests check:
//! - every message every producer sent arrives exactly once, including
//!   those a producer sent before it crashed;
//! - all producers run at the same time: start every one before collecting;
//! - [`Report::producers`] has one [`ProducerEnd`] per plan, in plan order,
//!   with its pid and exit status, so [`Report::died`] names the producers
//!   that crashed;
//! - a producer still running `timeout` after `collect` was called is
//!   killed (and reported as died), so `collect` always returns;
//! - when `collect` returns, no producer is left: all ended and reaped.
//!
//! Run the tests with `cargo xtask check exercises process-queue`, ask for a
//! hint with `cargo xtask hint process-queue`.

use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What producers send: who sent it, and its number in that producer's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Message {
    pub producer: u32,
    pub seq: u64,
}

/// How a producer fails on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `panic!`: exit code 101.
    Panic,
    /// `abort()`: killed by SIGABRT.
    Abort,
    /// Stops sending and never exits: only your timeout ends it.
    Hang,
}

/// What one producer is told to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// How many messages it sends if nothing goes wrong.
    pub messages: u64,
    /// Fail after sending this many messages (at least 1).
    pub fault: Option<(Fault, u64)>,
    /// Wait in this directory until this many producers have arrived.
    pub meet: Option<(PathBuf, usize)>,
    /// Ignored by the producer; the tests use it to find their processes.
    pub tag: Option<String>,
}

impl Plan {
    /// A producer that sends `messages` messages and exits with code 0.
    pub fn ok(messages: u64) -> Self {
        Plan {
            messages,
            fault: None,
            meet: None,
            tag: None,
        }
    }

    /// The producer's command-line arguments: pass them to it unchanged.
    /// `server` is the name `IpcOneShotServer::new()` gave you.
    pub fn args(&self, id: u32, server: &str) -> Vec<String> {
        let mut args = vec![
            "--server".to_owned(),
            server.to_owned(),
            "--id".to_owned(),
            id.to_string(),
            "--messages".to_owned(),
            self.messages.to_string(),
        ];
        if let Some((fault, after)) = self.fault {
            let fault = match fault {
                Fault::Panic => "panic",
                Fault::Abort => "abort",
                Fault::Hang => "hang",
            };
            args.extend([
                "--fault".into(),
                fault.into(),
                "--after".into(),
                after.to_string(),
            ]);
        }
        if let Some((dir, n)) = &self.meet {
            args.extend([
                "--meet".into(),
                dir.display().to_string(),
                "--of".into(),
                n.to_string(),
            ]);
        }
        if let Some(tag) = &self.tag {
            args.extend(["--tag".into(), tag.clone()]);
        }
        args
    }
}

/// How one producer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducerEnd {
    /// Its index in the plans.
    pub id: u32,
    /// Its process id.
    pub pid: u32,
    /// How it ended (killed, if you had to stop it).
    pub status: ExitStatus,
}

/// Everything [`collect`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Every message received, in any order.
    pub messages: Vec<Message>,
    /// One entry per plan, in plan order.
    pub producers: Vec<ProducerEnd>,
}

impl Report {
    /// Ids of the producers that did not exit successfully.
    pub fn died(&self) -> Vec<u32> {
        self.producers
            .iter()
            .filter(|p| !p.status.success())
            .map(|p| p.id)
            .collect()
    }
}

/// Any error: `?` converts `std::io::Error` and `ipc_channel::IpcError` alike.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Starts one `producer` process per plan and collects every message they
/// send until all of them have ended; producers still running after
/// `timeout` are killed.
pub fn collect(producer: &Path, plans: &[Plan], timeout: Duration) -> Result<Report, Error> {
    todo!("spawn every producer, accept and receive from each, report how each ended")
}

//! The seed's pair: a writer process puts A, B and C on a queue; a reader
//! process gets and prints them in an endless loop; the parent joins the
//! writer and then *terminates* the reader.
//!
//! Why terminate? The reader's loop has no exit: `get()` blocks until a
//! message comes, and one always might, because the parent still holds the
//! queue (it could put more). Nothing tells the reader the writer is done.
//!
//! The Rust version can end the same way ([`Ending::Terminate`]), or in the
//! way channels make natural ([`Ending::Disconnect`]): the parent gives away
//! its last sender, so when the writer exits no sender is left anywhere, the
//! reader's `recv` returns `Err(Disconnected)` after the last message, and
//! the reader leaves its loop and exits with code 0. No signal, no lost
//! message, no half-finished work.

use std::process::ExitStatus;
use std::thread;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use course_support::child::{Spawner, exit_when_orphaned};
use ipc_channel::ipc::{self, IpcReceiver, IpcSender};

use crate::bootstrap::{self, CONNECT_TIMEOUT, Offer};

/// How the parent ends the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Ending {
    /// As in the seed: the parent keeps the queue, the reader blocks forever,
    /// the parent terminates it (SIGTERM).
    Terminate,
    /// Every sender is dropped, so the reader's `recv` fails and it exits.
    Disconnect,
}

/// How the pair went.
#[derive(Debug, Clone)]
pub struct Pair {
    pub writer_pid: u32,
    pub reader_pid: u32,
    /// What the reader reported getting, in order.
    pub got: Vec<String>,
    pub writer_status: ExitStatus,
    pub reader_status: ExitStatus,
}

// ANCHOR: parent
/// Runs the writer and the reader. `pause` is the writer's sleep after each
/// put (the seed sleeps a random fraction of a second).
pub fn run(spawner: &Spawner, ending: Ending, pause: Duration) -> Result<Pair> {
    let (queue_tx, queue_rx) = ipc::channel::<String>()?;
    // The reader tells us what it got, so we terminate it only after C.
    let (got_tx, got_rx) = ipc::channel::<String>()?;
    let (w_offer, r_offer) = (Offer::new()?, Offer::new()?);
    let pause_ms = pause.as_millis().to_string();
    let mut writer = spawner.spawn(
        "writer",
        ["--server", w_offer.name(), "--pause-ms", &pause_ms],
    )?;
    let mut reader = spawner.spawn("reader", ["--server", r_offer.name()])?;
    // Like Python's parent, we hold the queue: keep a sender unless asked not to.
    let kept = match ending {
        Ending::Terminate => Some(queue_tx.clone()),
        Ending::Disconnect => None,
    };
    w_offer.hand_over(&mut writer, queue_tx, CONNECT_TIMEOUT)?;
    r_offer.hand_over(&mut reader, (queue_rx, got_tx), CONNECT_TIMEOUT)?;

    // pw.join()
    let writer_status = writer
        .wait_timeout(Duration::from_secs(30))?
        .context("the writer did not finish")?;
    let mut got = Vec::new();
    while got.len() < 3 {
        match got_rx.try_recv_timeout(Duration::from_secs(10)) {
            Ok(v) => got.push(v),
            Err(e) => bail!("the reader reported only {got:?}: {e}"),
        }
    }
    let reader_status = match ending {
        // pr.terminate(): the reader would otherwise wait in get() forever.
        Ending::Terminate => reader.terminate(Duration::from_secs(5))?,
        // No sender left: the reader's loop ends by itself.
        Ending::Disconnect => reader
            .wait_timeout(Duration::from_secs(10))?
            .context("the reader did not exit after every sender was gone")?,
    };
    drop(kept);
    Ok(Pair {
        writer_pid: writer.id(),
        reader_pid: reader.id(),
        got,
        writer_status,
        reader_status,
    })
}
// ANCHOR_END: parent

// ANCHOR: roles
/// Role `writer`: put A, B and C on the queue.
pub fn writer_role(server: &str, pause: Duration) -> Result<()> {
    let queue: IpcSender<String> = bootstrap::receive(server)?;
    println!("  [writer {}] Process to write", std::process::id());
    for v in ["A", "B", "C"] {
        println!("  [writer {}] Put {v} to queue...", std::process::id());
        queue.send(v.to_owned())?;
        thread::sleep(pause);
    }
    Ok(())
}

/// Role `reader`: get and print forever, like the seed's `while True`.
pub fn reader_role(server: &str) -> Result<()> {
    exit_when_orphaned();
    let (queue, got): (IpcReceiver<String>, IpcSender<String>) = bootstrap::receive(server)?;
    println!("  [reader {}] Process to read", std::process::id());
    loop {
        match queue.recv() {
            Ok(v) => {
                println!("  [reader {}] Get {v} from queue.", std::process::id());
                got.send(v)?;
            }
            Err(_) => {
                println!(
                    "  [reader {}] recv: every sender is gone, nothing more can come: exiting",
                    std::process::id()
                );
                return Ok(());
            }
        }
    }
}
// ANCHOR_END: roles

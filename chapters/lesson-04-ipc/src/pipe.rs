//! `multiprocessing.Pipe()`: two connected ends, each of which can send and
//! receive (duplex).
//!
//! An `ipc-channel` channel carries messages one way, so a duplex pipe is two
//! channels crossed over: one end sends on the first and receives on the
//! second, the other end the reverse. Channel ends can be sent to another
//! process, so one [`End`] stays in the parent and the other goes to a child.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use course_support::child::Spawner;
use ipc_channel::IpcError;
use ipc_channel::ipc::{self, IpcReceiver, IpcSender};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::bootstrap::{self, CONNECT_TIMEOUT, Offer};

// ANCHOR: pipe
/// One end of a duplex pipe: sends `S`, receives `R`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct End<S: Serialize, R: Serialize> {
    tx: IpcSender<S>,
    rx: IpcReceiver<R>,
}

/// Python's `Pipe(duplex=True)`: two ends, each the other's mirror.
pub fn pipe<A, B>() -> Result<(End<A, B>, End<B, A>)>
where
    A: Serialize + DeserializeOwned,
    B: Serialize + DeserializeOwned,
{
    let (a_tx, a_rx) = ipc::channel::<A>()?;
    let (b_tx, b_rx) = ipc::channel::<B>()?;
    Ok((End { tx: a_tx, rx: b_rx }, End { tx: b_tx, rx: a_rx }))
}

impl<S, R> End<S, R>
where
    S: Serialize + DeserializeOwned,
    R: Serialize + DeserializeOwned,
{
    pub fn send(&self, msg: S) -> Result<(), IpcError> {
        self.tx.send(msg)
    }

    /// Blocks for the next message; `Disconnected` once the other end is gone.
    pub fn recv(&self) -> Result<R, IpcError> {
        self.rx.recv()
    }
}
// ANCHOR_END: pipe

// ANCHOR: echo
/// Role `echo`: answer every number with the number plus one, until the
/// parent's end closes.
pub fn echo_role(server: &str) -> Result<()> {
    let end: End<u64, u64> = bootstrap::receive(server)?;
    while let Ok(n) = end.recv() {
        end.send(n + 1)?;
    }
    Ok(())
}
// ANCHOR_END: echo

/// A ping-pong run.
#[derive(Debug, Clone, Copy)]
pub struct PingPong {
    /// Who answered (the child's pid; 0 for a thread).
    pub pid: u32,
    pub rounds: u64,
    /// The last number that came back (`rounds` if every answer was right).
    pub last: u64,
    pub elapsed: Duration,
}

impl PingPong {
    /// Microseconds per round trip (send, the other side answers, receive).
    pub fn us_per_round_trip(&self) -> f64 {
        self.elapsed.as_secs_f64() * 1e6 / self.rounds.max(1) as f64
    }
}

// ANCHOR: ping_pong
/// Plays `rounds` of ping-pong with an `echo` child over a duplex pipe:
/// send n, expect n + 1 back, send that.
pub fn ping_pong(spawner: &Spawner, rounds: u64) -> Result<PingPong> {
    let (mine, theirs) = pipe::<u64, u64>()?;
    let offer = Offer::new()?;
    let mut child = spawner.spawn("echo", ["--server", offer.name()])?;
    offer.hand_over(&mut child, theirs, CONNECT_TIMEOUT)?;
    let start = Instant::now();
    let mut n = 0;
    for _ in 0..rounds {
        mine.send(n).context("the echo child is gone")?;
        let back = mine.recv().context("the echo child is gone")?;
        if back != n + 1 {
            bail!("sent {n}, got {back} back");
        }
        n = back;
    }
    let elapsed = start.elapsed();
    drop(mine); // the child's recv fails, so it exits
    match child.wait_timeout(Duration::from_secs(5))? {
        Some(status) if status.success() => {}
        Some(status) => bail!("the echo child ended badly: {status}"),
        None => bail!("the echo child did not exit after the pipe closed"),
    }
    Ok(PingPong {
        pid: child.id(),
        rounds,
        last: n,
        elapsed,
    })
}
// ANCHOR_END: ping_pong

/// The same game with a thread and two `std::sync::mpsc` channels.
pub fn ping_pong_thread(rounds: u64) -> PingPong {
    let (down_tx, down_rx) = mpsc::channel::<u64>();
    let (up_tx, up_rx) = mpsc::channel::<u64>();
    let echo = thread::spawn(move || {
        while let Ok(n) = down_rx.recv() {
            if up_tx.send(n + 1).is_err() {
                break;
            }
        }
    });
    let start = Instant::now();
    let mut n = 0;
    for _ in 0..rounds {
        down_tx
            .send(n)
            .expect("the echo thread runs until we hang up");
        n = up_rx.recv().expect("the echo thread answers");
    }
    let elapsed = start.elapsed();
    drop(down_tx);
    echo.join().expect("the echo thread does not panic");
    PingPong {
        pid: 0,
        rounds,
        last: n,
        elapsed,
    }
}

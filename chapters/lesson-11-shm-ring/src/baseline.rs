//! What the ring is measured against, process to process and one message per
//! send: ipc-channel (lesson 04's channel), a pipe with one `write` per
//! message, and the floor: one cache line passed back and forth between two
//! processes.

use std::io::{BufReader, Read, Write};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use course_support::child::{ChildGuard, Spawner, describe};
use ipc_channel::ipc::{IpcOneShotServer, IpcSender};

use crate::ring::Line;
use crate::shm::Segment;

/// Messages per second from the first message received to the last.
pub fn rate(messages: u64, elapsed: Duration) -> f64 {
    messages.saturating_sub(1) as f64 / elapsed.as_secs_f64().max(1e-9)
}

// ANCHOR: pipe
/// A child writes each 8-byte message with its own `write(2)` into a pipe;
/// we read them (buffered: the reader may take many per `read`).
pub fn pipe(spawner: &Spawner, messages: u64) -> Result<f64> {
    let mut cmd = spawner.command(
        "pipe-writer",
        ["--messages".to_owned(), messages.to_string()],
    );
    cmd.stdout(Stdio::piped());
    let mut child = ChildGuard::spawn(&mut cmd).context("starting the pipe writer")?;
    let stdout = child
        .child_mut()
        .stdout
        .take()
        .context("the child's stdout")?;
    let mut reader = BufReader::with_capacity(64 * 1024, stdout);
    let mut buf = [0u8; 8];
    let mut first = None;
    let mut last = Instant::now();
    for expected in 0..messages {
        reader.read_exact(&mut buf).context("reading the pipe")?;
        last = Instant::now();
        first.get_or_insert(last);
        let n = u64::from_le_bytes(buf);
        ensure!(n == expected, "pipe: got {n}, expected {expected}");
    }
    finish(&mut child)?;
    Ok(rate(messages, last - first.unwrap_or(last)))
}

/// The writer: one `write(2)` per message, straight on fd 1 (Rust's
/// `stdout()` would buffer lines).
pub fn pipe_writer_role(messages: u64) -> Result<()> {
    use std::os::fd::FromRawFd;
    // SAFETY: fd 1 is open for the life of the process; ManuallyDrop keeps
    // it open after this function.
    let mut out = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(1) });
    for n in 0..messages {
        out.write_all(&n.to_le_bytes())?;
    }
    Ok(())
}
// ANCHOR_END: pipe

/// A child sends each message as one `IpcSender::send`; we `recv` each.
pub fn ipc_channel(spawner: &Spawner, messages: u64) -> Result<f64> {
    let (server, name) = IpcOneShotServer::<u64>::new().context("an ipc-channel server")?;
    let mut child = spawner.spawn(
        "ipc-sender",
        [
            "--server".to_owned(),
            name,
            "--messages".to_owned(),
            messages.to_string(),
        ],
    )?;
    let (rx, zero) = server.accept().context("the sender never connected")?;
    let first = Instant::now();
    let mut last = first;
    ensure!(zero == 0, "ipc-channel: first message {zero}");
    for expected in 1..messages {
        let n = rx
            .recv()
            .map_err(|e| anyhow::anyhow!("ipc-channel recv: {e:?}"))?;
        last = Instant::now();
        ensure!(n == expected, "ipc-channel: got {n}, expected {expected}");
    }
    finish(&mut child)?;
    Ok(rate(messages, last - first))
}

pub fn ipc_sender_role(server: &str, messages: u64) -> Result<()> {
    let tx = IpcSender::<u64>::connect(server.to_owned()).context("connecting")?;
    for n in 0..messages {
        tx.send(n).context("send")?;
    }
    Ok(())
}

fn finish(child: &mut ChildGuard) -> Result<()> {
    let status = child.wait()?;
    if !status.success() {
        bail!("the child {}", describe(status));
    }
    Ok(())
}

// ANCHOR: ping_pong
/// Two processes pass one cache line back and forth `rounds` times: we
/// write an odd number, the child answers with the next even one. Each hop
/// moves the line from one core's cache to the other's. Returns ns per hop
/// in the fastest batch of [`BATCH`] round trips: a batch in which neither
/// process lost its core to another program, which is the hardware's cost.
pub fn ping_pong(spawner: &Spawner, rounds: u64) -> Result<f64> {
    let segment = Segment::create(std::mem::size_of::<Line<AtomicU64>>())?;
    let mut child = spawner.spawn(
        "ponger",
        [
            "--segment".to_owned(),
            segment.name().to_owned(),
            "--rounds".to_owned(),
            rounds.to_string(),
        ],
    )?;
    let line = cell(&segment);
    let exchange = |v: u64, child: &mut ChildGuard| -> Result<()> {
        line.store(v, Ordering::Release);
        let mut spins = 0u32;
        while line.load(Ordering::Acquire) != v + 1 {
            std::hint::spin_loop();
            spins = spins.wrapping_add(1);
            if spins.is_multiple_of(1 << 20) && child.try_wait()?.is_some() {
                bail!("the ponger exited early");
            }
        }
        Ok(())
    };
    // The first answer says the child runs and has mapped the segment.
    exchange(1, &mut child)?;
    segment.unlink_now()?;
    let mut fastest = Duration::MAX;
    let mut i = 1;
    while i < rounds {
        let batch = BATCH.min(rounds - i);
        let start = Instant::now();
        for j in i..i + batch {
            exchange(2 * j + 1, &mut child)?;
        }
        if batch == BATCH {
            fastest = fastest.min(start.elapsed());
        }
        i += batch;
    }
    finish(&mut child)?;
    ensure!(
        fastest != Duration::MAX,
        "fewer than {BATCH} rounds: nothing timed"
    );
    Ok(fastest.as_nanos() as f64 / (2 * BATCH) as f64)
}

/// Round trips per timed batch of the ping-pong.
pub const BATCH: u64 = 1000;

pub fn ponger_role(segment: &str, rounds: u64) -> Result<()> {
    let parent = std::os::unix::process::parent_id();
    let segment = Segment::open(segment, std::mem::size_of::<Line<AtomicU64>>())?;
    let line = cell(&segment);
    let mut spins = 0u32;
    let mut answered = 0;
    while answered < rounds {
        let v = line.load(Ordering::Acquire);
        if v % 2 == 1 && v > 2 * answered {
            line.store(v + 1, Ordering::Release);
            answered += 1;
            continue;
        }
        std::hint::spin_loop();
        spins = spins.wrapping_add(1);
        if spins.is_multiple_of(1 << 20) && std::os::unix::process::parent_id() != parent {
            bail!("the parent is gone");
        }
    }
    Ok(())
}
// ANCHOR_END: ping_pong

fn cell(segment: &Segment) -> &AtomicU64 {
    // SAFETY: the segment holds a zeroed, page-aligned Line<AtomicU64>.
    unsafe { &(*(segment.as_ptr() as *const Line<AtomicU64>)).0 }
}

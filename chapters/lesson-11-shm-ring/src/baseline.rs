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
/// moves the line from one core's cache to the other's. Returns ns per hop:
/// the floor of a message that has to cross between cores.
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
    // The clock starts after the first answer: the child is running and
    // has the segment mapped (so the name can go).
    let exchange = |v: u64, child: &mut ChildGuard| -> Result<()> {
        line.store(v, Ordering::Release);
        let mut spins = 0u32;
        while line.load(Ordering::Acquire) != v + 1 {
            std::hint::spin_loop();
            spins = spins.wrapping_add(1);
            if spins % (1 << 20) == 0 && child.try_wait()?.is_some() {
                bail!("the ponger exited early");
            }
        }
        Ok(())
    };
    exchange(1, &mut child)?;
    segment.unlink_now()?;
    let start = Instant::now();
    for i in 1..rounds {
        exchange(2 * i + 1, &mut child)?;
    }
    let elapsed = start.elapsed();
    finish(&mut child)?;
    Ok(elapsed.as_nanos() as f64 / (2 * (rounds - 1).max(1)) as f64)
}

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
        if spins % (1 << 20) == 0 && std::os::unix::process::parent_id() != parent {
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

//! Messages per second: in-process channels vs `ipc-channel` between
//! processes.
//!
//! Every row moves the same small message (`Item`: a producer id and a
//! sequence number) from producers to one consumer and counts the rate
//! between the first and the last message the consumer receives, so process
//! start-up is not part of it (the start-up table prices that). Each row is
//! the fastest of [`ROUNDS`] runs; Python's are measured the same way.

use std::io::{BufReader, BufWriter, Read, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use course_support::child::{ChildGuard, Spawner};
use ipc_channel::ipc::{self, IpcSender};

use crate::bootstrap::{self, CONNECT_TIMEOUT, Offer};
use crate::queue::{self, Item, Plan, per_second};

/// Which channel a row measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Mpsc,
    Crossbeam,
    IpcThreads,
    IpcOneProcess,
    IpcManyProcesses,
    IpcBatched,
    StreamOneProcess,
}

/// One row of the throughput table.
#[derive(Debug, Clone, PartialEq)]
pub struct Rate {
    pub kind: Kind,
    pub label: String,
    pub messages: u64,
    pub first_to_last: Duration,
}

impl Rate {
    pub fn per_second(&self) -> f64 {
        per_second(self.messages, self.first_to_last)
    }
}

/// Receives `n` messages with `recv` and times the first to the last.
fn drain<E>(n: u64, mut recv: impl FnMut() -> Result<Item, E>) -> Result<Duration, E> {
    let mut first = None;
    for _ in 0..n {
        recv()?;
        first.get_or_insert_with(Instant::now);
    }
    Ok(first.map_or(Duration::ZERO, |f| f.elapsed()))
}

// ANCHOR: in_process
/// One producer thread, `std::sync::mpsc`.
pub fn mpsc_threads(n: u64) -> Rate {
    let (tx, rx) = mpsc::channel();
    let producer = thread::spawn(move || {
        for seq in 0..n {
            tx.send(Item { producer: 0, seq }).unwrap();
        }
    });
    let elapsed = drain(n, || rx.recv()).expect("the producer sends n messages");
    producer.join().unwrap();
    Rate {
        kind: Kind::Mpsc,
        label: "std mpsc, thread -> thread".into(),
        messages: n,
        first_to_last: elapsed,
    }
}

/// One producer thread, `crossbeam::channel::unbounded`.
pub fn crossbeam_threads(n: u64) -> Rate {
    let (tx, rx) = crossbeam::channel::unbounded();
    let producer = thread::spawn(move || {
        for seq in 0..n {
            tx.send(Item { producer: 0, seq }).unwrap();
        }
    });
    let elapsed = drain(n, || rx.recv()).expect("the producer sends n messages");
    producer.join().unwrap();
    Rate {
        kind: Kind::Crossbeam,
        label: "crossbeam, thread -> thread".into(),
        messages: n,
        first_to_last: elapsed,
    }
}
// ANCHOR_END: in_process

/// `ipc-channel` between two threads of one process: the cost of the socket
/// and serialisation, without a second process.
pub fn ipc_threads(n: u64) -> Result<Rate> {
    let (tx, rx) = ipc::channel::<Item>()?;
    let producer = thread::spawn(move || -> Result<()> {
        for seq in 0..n {
            tx.send(Item { producer: 0, seq })?;
        }
        Ok(())
    });
    let elapsed = drain(n, || rx.recv())?;
    producer
        .join()
        .expect("the producer thread does not panic")?;
    Ok(Rate {
        kind: Kind::IpcThreads,
        label: "ipc-channel, thread -> thread".into(),
        messages: n,
        first_to_last: elapsed,
    })
}

// ANCHOR: ipc_processes
/// `ipc-channel` from `producers` child processes to this one, `n` messages
/// in all, one message per `send`.
pub fn ipc_processes(spawner: &Spawner, producers: usize, n: u64) -> Result<Rate> {
    let producers = producers.max(1);
    let share = n / producers as u64;
    let plans: Vec<Plan> = (0..producers)
        .map(|i| {
            let extra = u64::from((i as u64) < n % producers as u64);
            Plan::ok(share + extra)
        })
        .collect();
    let run = queue::run(spawner, &plans, Duration::from_secs(120))?;
    if !run.exactly_once() {
        bail!("messages were lost or repeated");
    }
    let label = if producers == 1 {
        "ipc-channel, 1 process -> parent".to_owned()
    } else {
        format!("ipc-channel, {producers} processes -> parent")
    };
    Ok(Rate {
        kind: if producers == 1 {
            Kind::IpcOneProcess
        } else {
            Kind::IpcManyProcesses
        },
        label,
        messages: run.total,
        first_to_last: run.first_to_last,
    })
}
// ANCHOR_END: ipc_processes

// ANCHOR: batched
/// One producer process that sends `Vec<Item>` batches of `batch` items:
/// one system call and one message header for many items.
pub fn ipc_batched(spawner: &Spawner, n: u64, batch: usize) -> Result<Rate> {
    let (tx, rx) = ipc::channel::<Vec<Item>>()?;
    let offer = Offer::<IpcSender<Vec<Item>>>::new()?;
    let mut child = spawner.spawn(
        "blast",
        [
            "--server",
            offer.name(),
            "--messages",
            &n.to_string(),
            "--batch",
            &batch.to_string(),
        ],
    )?;
    offer.hand_over(&mut child, tx, CONNECT_TIMEOUT)?;
    let mut received = 0u64;
    let mut first = None;
    while let Ok(items) = rx.recv() {
        first.get_or_insert_with(Instant::now);
        for item in items {
            if item.seq != received {
                bail!("batch item {} arrived as number {received}", item.seq);
            }
            received += 1;
        }
    }
    let elapsed = first.map_or(Duration::ZERO, |f| f.elapsed());
    child
        .wait_timeout(Duration::from_secs(5))?
        .context("the blast child did not exit")?;
    if received != n {
        bail!("sent {n} items, received {received}");
    }
    Ok(Rate {
        kind: Kind::IpcBatched,
        label: format!("ipc-channel, 1 process, batches of {batch}"),
        messages: n,
        first_to_last: elapsed,
    })
}

/// Role `blast`: send `messages` items in batches of `batch`.
pub fn blast_role(server: &str, messages: u64, batch: usize) -> Result<()> {
    let tx: IpcSender<Vec<Item>> = bootstrap::receive(server)?;
    let batch = batch.max(1) as u64;
    let mut seq = 0;
    while seq < messages {
        let end = (seq + batch).min(messages);
        tx.send((seq..end).map(|seq| Item { producer: 0, seq }).collect())?;
        seq = end;
    }
    Ok(())
}
// ANCHOR_END: batched

// ANCHOR: stream
/// The bytes of one message on a byte stream: producer, then sequence number.
const FRAME: usize = 4 + 8;

fn to_frame(item: Item) -> [u8; FRAME] {
    let mut frame = [0; FRAME];
    frame[..4].copy_from_slice(&item.producer.to_le_bytes());
    frame[4..].copy_from_slice(&item.seq.to_le_bytes());
    frame
}

fn from_frame(frame: &[u8; FRAME]) -> Item {
    let (producer, seq) = frame.split_at(4);
    Item {
        producer: u32::from_le_bytes(producer.try_into().expect("4 bytes")),
        seq: u64::from_le_bytes(seq.try_into().expect("8 bytes")),
    }
}

/// One producer process that still sends one message per call, but into a
/// byte pipe (its stdout) behind a `BufWriter`: about 680 messages share
/// one `write` system call, and the parent reads them out of one `read`.
/// The batching of [`ipc_batched`], done by the buffer instead of the caller.
pub fn stream_process(spawner: &Spawner, n: u64) -> Result<Rate> {
    let mut cmd = spawner.command("stream", ["--messages", &n.to_string()]);
    cmd.stdout(Stdio::piped());
    let mut child = ChildGuard::spawn(&mut cmd).context("starting the stream child")?;
    let pipe = child.child_mut().stdout.take().context("no pipe")?;
    let mut reader = BufReader::new(pipe);
    let mut frame = [0; FRAME];
    let mut first = None;
    for expected in 0..n {
        reader
            .read_exact(&mut frame)
            .with_context(|| format!("the stream ended after {expected} of {n} messages"))?;
        first.get_or_insert_with(Instant::now);
        let item = from_frame(&frame);
        if item.seq != expected {
            bail!("message {} arrived as number {expected}", item.seq);
        }
    }
    let elapsed = first.map_or(Duration::ZERO, |f| f.elapsed());
    child
        .wait_timeout(Duration::from_secs(5))?
        .context("the stream child did not exit")?;
    Ok(Rate {
        kind: Kind::StreamOneProcess,
        label: "byte pipe + BufWriter, 1 process".into(),
        messages: n,
        first_to_last: elapsed,
    })
}

/// Role `stream`: write `messages` frames to stdout, one `write_all` each.
pub fn stream_role(messages: u64) -> Result<()> {
    let mut out = BufWriter::new(std::io::stdout().lock());
    for seq in 0..messages {
        out.write_all(&to_frame(Item { producer: 0, seq }))?;
    }
    out.flush()?;
    Ok(())
}
// ANCHOR_END: stream

/// How many times each row is measured; the table keeps the fastest run,
/// the one least disturbed by whatever else the machine was doing.
pub const ROUNDS: usize = 3;

/// Every row, `n` messages each, the fastest of [`ROUNDS`] runs.
pub fn measure(spawner: &Spawner, n: u64, producers: usize, batch: usize) -> Result<Vec<Rate>> {
    Ok(vec![
        fastest(|| Ok(mpsc_threads(n)))?,
        fastest(|| Ok(crossbeam_threads(n)))?,
        fastest(|| ipc_threads(n))?,
        fastest(|| ipc_processes(spawner, 1, n))?,
        fastest(|| ipc_processes(spawner, producers, n))?,
        fastest(|| ipc_batched(spawner, n, batch))?,
        fastest(|| stream_process(spawner, n))?,
    ])
}

fn fastest(mut run: impl FnMut() -> Result<Rate>) -> Result<Rate> {
    let mut best = run()?;
    for _ in 1..ROUNDS {
        let next = run()?;
        if next.per_second() > best.per_second() {
            best = next;
        }
    }
    Ok(best)
}

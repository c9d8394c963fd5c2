//! `select!` and cancellation safety.
//!
//! `tokio::select!` polls several futures and, as soon as one completes,
//! drops the others. A future that had already taken bytes off a stream
//! when it is dropped takes them with it. `read_exact` is such a future (its
//! docs say: not cancel safe): it holds the bytes it has read so far in its
//! own state until it has them all. `read` is cancel safe: it either returns
//! bytes or takes none. A reader that keeps its partial record in a buffer
//! it owns, outside the future, loses nothing when the future is dropped.
//!
//! The demo sends records of 8 bytes (a sequence number), each in two halves
//! with a pause between them, like a record split across two TCP packets; the
//! receiver reads records in a `select!` loop beside a heartbeat that ticks
//! during the pause.

use std::future::Future;
use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, DuplexStream};

/// The size of one record.
pub const RECORD: usize = 8;

/// Reads one record at a time.
pub trait Records {
    /// The next record, or `None` at the end of the stream.
    fn next_record(&mut self) -> impl Future<Output = io::Result<Option<u64>>> + Send;
}

// ANCHOR: unsafe_reader
/// NOT cancel safe: `read_exact` keeps the bytes it has read in its own
/// state; dropping it half-way through a record throws them away, and every
/// record after that is read from the wrong offset.
#[derive(Debug)]
pub struct ExactReader<R>(pub R);

impl<R: AsyncRead + Unpin + Send> Records for ExactReader<R> {
    async fn next_record(&mut self) -> io::Result<Option<u64>> {
        let mut record = [0u8; RECORD];
        match self.0.read_exact(&mut record).await {
            Ok(_) => Ok(Some(u64::from_be_bytes(record))),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    }
}
// ANCHOR_END: unsafe_reader

// ANCHOR: safe_reader
/// Cancel safe: the partial record lives in `self.pending`, not in the
/// future, and the only `.await` is `read`, which is cancel safe. Dropped
/// at any point, the next call carries on where this one stopped.
#[derive(Debug)]
pub struct BufferedReader<R> {
    inner: R,
    pending: Vec<u8>,
}

impl<R> BufferedReader<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            pending: Vec::with_capacity(64),
        }
    }
}

impl<R: AsyncRead + Unpin + Send> Records for BufferedReader<R> {
    async fn next_record(&mut self) -> io::Result<Option<u64>> {
        loop {
            if self.pending.len() >= RECORD {
                let record: [u8; RECORD] = self.pending[..RECORD].try_into().expect("8 bytes");
                self.pending.drain(..RECORD);
                return Ok(Some(u64::from_be_bytes(record)));
            }
            let mut chunk = [0u8; 64];
            let n = self.inner.read(&mut chunk).await?; // cancel safe
            if n == 0 {
                return Ok(None); // end of stream (a partial record is left in `pending`)
            }
            self.pending.extend_from_slice(&chunk[..n]); // no .await between read and here
        }
    }
}
// ANCHOR_END: safe_reader

// ANCHOR: select_loop
/// Reads every record beside a heartbeat: the loop of a connection handler
/// that also sends keep-alives. Whenever the heartbeat ticks first,
/// `select!` drops the `next_record()` future.
pub async fn read_with_heartbeat(
    reader: &mut impl Records,
    heartbeat: Duration,
) -> io::Result<Received> {
    let first = tokio::time::Instant::now() + heartbeat;
    let mut tick = tokio::time::interval_at(first, heartbeat);
    let mut received = Received::default();
    loop {
        tokio::select! {
            biased; // try the reader first, so it is always mid-record when the tick wins
            record = reader.next_record() => match record? {
                Some(r) => received.records.push(r),
                None => break,
            },
            _ = tick.tick() => received.heartbeats += 1,
        }
    }
    Ok(received)
}
// ANCHOR_END: select_loop

/// What the receiver got.
#[derive(Debug, Default, Clone)]
pub struct Received {
    pub records: Vec<u64>,
    pub heartbeats: u64,
}

impl Received {
    /// Bytes handed to the program as records.
    pub fn bytes(&self) -> usize {
        self.records.len() * RECORD
    }
    /// Records equal to the one the sender sent at that position.
    pub fn intact(&self) -> usize {
        self.records
            .iter()
            .enumerate()
            .filter(|&(i, &r)| r == i as u64)
            .count()
    }
}

/// Sends records `0..n`, each in two halves `pause` apart, then closes.
pub async fn send_split(mut tx: DuplexStream, n: u64, pause: Duration) -> io::Result<()> {
    for seq in 0..n {
        let bytes = seq.to_be_bytes();
        tx.write_all(&bytes[..RECORD / 2]).await?;
        tokio::time::sleep(pause).await;
        tx.write_all(&bytes[RECORD / 2..]).await?;
    }
    tx.shutdown().await
}

/// One run of the demo: a sender of `n` split records and a receiver.
#[derive(Debug, Clone)]
pub struct Trial {
    pub sent: usize,
    pub received: Received,
}

impl Trial {
    pub fn lost_bytes(&self) -> usize {
        self.sent * RECORD - self.received.bytes()
    }
}

/// Runs the sender and `make(stream)`'s reader together.
pub async fn trial<R: Records>(
    n: u64,
    pause: Duration,
    heartbeat: Duration,
    make: impl FnOnce(DuplexStream) -> R,
) -> io::Result<Trial> {
    let (tx, rx) = tokio::io::duplex(64);
    let sender = tokio::spawn(send_split(tx, n, pause));
    let mut reader = make(rx);
    let received = read_with_heartbeat(&mut reader, heartbeat).await?;
    sender.await.map_err(io::Error::other)??;
    Ok(Trial {
        sent: n as usize,
        received,
    })
}

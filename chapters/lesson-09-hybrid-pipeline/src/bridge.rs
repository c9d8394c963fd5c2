//! The channel between the async fetch stage and the rayon CPU stage, and a
//! gauge of how full it gets.
//!
//! The two ends live in different worlds. The sender is an async task on a
//! tokio runtime: when the channel is full it must *wait without blocking
//! its thread*, or every other fetch on that runtime stops too (lesson 08's
//! "blocking the event loop"). The receiver is a plain thread of the rayon
//! pool: it has no runtime to await on, so it must *block*.
//!
//! `tokio::sync::mpsc` has exactly that pair: `send(item).await` suspends
//! the task while the channel is full, and `blocking_recv()` parks a thread
//! that is outside the runtime. `crossbeam::channel::bounded` would block in
//! `send` as well, holding a runtime thread hostage each time the CPU stage
//! falls behind; it is the right tool between two *synchronous* stages, and
//! the pipeline uses it from the CPU stage to the aggregate.
//!
//! The gauge samples the queue's length just before each item is taken out.
//! The queue only shrinks when an item is taken, so the largest sample is
//! the largest length the queue ever had (give or take an item that arrived
//! between the sample and the take).

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

/// How many items the channel may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    /// At most this many: a full channel makes the sender wait (backpressure).
    Bounded(usize),
    /// No limit: the sender never waits, and the queue grows as long as the
    /// receiver is slower.
    Unbounded,
}

impl Capacity {
    /// The limit, if there is one.
    pub fn limit(self) -> Option<usize> {
        match self {
            Capacity::Bounded(n) => Some(n),
            Capacity::Unbounded => None,
        }
    }
}

impl std::fmt::Display for Capacity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Capacity::Bounded(n) => write!(f, "bounded({n})"),
            Capacity::Unbounded => write!(f, "unbounded"),
        }
    }
}

/// At most this many samples are kept for the depth-over-time picture.
const TRACE_LIMIT: usize = 100_000;

/// What the channel saw, shared by both ends.
#[derive(Debug)]
struct Gauge {
    capacity: Capacity,
    created: Instant,
    sent: AtomicUsize,
    received: AtomicUsize,
    max_depth: AtomicUsize,
    trace: Mutex<Vec<(Duration, usize)>>,
}

impl Gauge {
    fn observe(&self, depth: usize) {
        self.max_depth.fetch_max(depth, SeqCst);
        let mut trace = self.trace.lock().unwrap_or_else(|e| e.into_inner());
        if trace.len() < TRACE_LIMIT {
            trace.push((self.created.elapsed(), depth));
        }
    }
}

/// A snapshot of the channel's counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueStats {
    /// The channel's limit.
    pub capacity: Capacity,
    /// Items that went in.
    pub sent: usize,
    /// Items that came out.
    pub received: usize,
    /// The most items it held at once (sampled before each take).
    pub max_depth: usize,
    /// (time since the channel was made, items in it) at each take.
    pub trace: Vec<(Duration, usize)>,
}

// ANCHOR: channel
/// A channel of `capacity` from async senders to one blocking receiver.
pub fn channel<T>(capacity: Capacity) -> (BridgeTx<T>, BridgeRx<T>) {
    let gauge = Arc::new(Gauge {
        capacity,
        created: Instant::now(),
        sent: AtomicUsize::new(0),
        received: AtomicUsize::new(0),
        max_depth: AtomicUsize::new(0),
        trace: Mutex::new(Vec::new()),
    });
    let (tx, rx) = match capacity {
        Capacity::Bounded(n) => {
            let (tx, rx) = mpsc::channel(n.max(1));
            (Tx::Bounded(tx), Rx::Bounded(rx))
        }
        Capacity::Unbounded => {
            let (tx, rx) = mpsc::unbounded_channel();
            (Tx::Unbounded(tx), Rx::Unbounded(rx))
        }
    };
    (
        BridgeTx {
            tx,
            gauge: Arc::clone(&gauge),
        },
        BridgeRx { rx, gauge },
    )
}

/// The async end: `send(item).await`.
#[derive(Debug)]
pub struct BridgeTx<T> {
    tx: Tx<T>,
    gauge: Arc<Gauge>,
}

#[derive(Debug)]
enum Tx<T> {
    Bounded(mpsc::Sender<T>),
    Unbounded(mpsc::UnboundedSender<T>),
}

impl<T> Clone for BridgeTx<T> {
    fn clone(&self) -> Self {
        let tx = match &self.tx {
            Tx::Bounded(tx) => Tx::Bounded(tx.clone()),
            Tx::Unbounded(tx) => Tx::Unbounded(tx.clone()),
        };
        Self {
            tx,
            gauge: Arc::clone(&self.gauge),
        }
    }
}

impl<T> BridgeTx<T> {
    /// Puts `item` in the channel. Bounded and full: the *task* waits for
    /// room (its thread runs other tasks meanwhile). `Err(item)` if the
    /// receiver is gone.
    pub async fn send(&self, item: T) -> Result<(), T> {
        match &self.tx {
            Tx::Bounded(tx) => tx.send(item).await.map_err(|e| e.0)?,
            Tx::Unbounded(tx) => tx.send(item).map_err(|e| e.0)?,
        }
        self.gauge.sent.fetch_add(1, SeqCst);
        Ok(())
    }

    /// The counters so far.
    pub fn stats(&self) -> QueueStats {
        stats_of(&self.gauge)
    }

    /// A handle that reads the counters and does not keep the channel open.
    pub fn view(&self) -> QueueView {
        QueueView(Arc::clone(&self.gauge))
    }
}

/// Reads a channel's counters after both ends are gone.
#[derive(Debug, Clone)]
pub struct QueueView(Arc<Gauge>);

impl QueueView {
    /// The counters so far.
    pub fn stats(&self) -> QueueStats {
        stats_of(&self.0)
    }
}

/// The blocking end: call it from a plain thread, never from async code
/// (tokio panics if `blocking_recv` runs on a runtime thread). It is also an
/// iterator, which ends when every sender is gone and the queue is empty.
#[derive(Debug)]
pub struct BridgeRx<T> {
    rx: Rx<T>,
    gauge: Arc<Gauge>,
}

#[derive(Debug)]
enum Rx<T> {
    Bounded(mpsc::Receiver<T>),
    Unbounded(mpsc::UnboundedReceiver<T>),
}

impl<T> BridgeRx<T> {
    /// The next item, waiting (blocking this thread) until there is one;
    /// `None` once all senders are dropped and the queue is drained.
    pub fn recv(&mut self) -> Option<T> {
        let waiting = match &self.rx {
            Rx::Bounded(rx) => rx.len(),
            Rx::Unbounded(rx) => rx.len(),
        };
        self.gauge.observe(waiting);
        let item = match &mut self.rx {
            Rx::Bounded(rx) => rx.blocking_recv(),
            Rx::Unbounded(rx) => rx.blocking_recv(),
        };
        if item.is_some() {
            self.gauge.received.fetch_add(1, SeqCst);
        }
        item
    }

    /// The counters so far.
    pub fn stats(&self) -> QueueStats {
        stats_of(&self.gauge)
    }
}
// ANCHOR_END: channel

impl<T> Iterator for BridgeRx<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        self.recv()
    }
}

fn stats_of(gauge: &Gauge) -> QueueStats {
    QueueStats {
        capacity: gauge.capacity,
        sent: gauge.sent.load(SeqCst),
        received: gauge.received.load(SeqCst),
        max_depth: gauge.max_depth.load(SeqCst),
        trace: gauge
            .trace
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone(),
    }
}

/// The queue's depth over time as one line of block characters, `width`
/// wide: each column is the deepest sample in its slice of `span`, on a
/// scale where the full block is `scale` items.
pub fn sparkline(
    trace: &[(Duration, usize)],
    span: Duration,
    scale: usize,
    width: usize,
) -> String {
    const BARS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let width = width.max(1);
    let mut columns = vec![None::<usize>; width];
    let span = span.as_secs_f64().max(1e-9);
    for &(at, depth) in trace {
        let col = ((at.as_secs_f64() / span) * width as f64) as usize;
        let slot = &mut columns[col.min(width - 1)];
        *slot = Some(slot.map_or(depth, |d| d.max(depth)));
    }
    let scale = scale.max(1) as f64;
    columns
        .iter()
        .map(|c| match c {
            None => '·',
            Some(d) => {
                let level = ((*d as f64 / scale) * 8.0).ceil() as usize;
                BARS[level.min(8)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bounded_channel_holds_at_most_its_capacity() {
        let (tx, mut rx) = channel::<u32>(Capacity::Bounded(3));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            for i in 0..3 {
                tx.send(i).await.unwrap();
            }
            // The fourth must wait: there is no room.
            let fourth = tokio::time::timeout(Duration::from_millis(50), tx.send(3)).await;
            assert!(fourth.is_err(), "a full bounded channel made send wait");
        });
        assert_eq!(rx.recv(), Some(0));
        let stats = rx.stats();
        assert_eq!((stats.sent, stats.received, stats.max_depth), (3, 1, 3));
        drop(tx);
        assert_eq!(rx.by_ref().collect::<Vec<_>>(), [1, 2]);
        assert_eq!(rx.recv(), None, "senders gone, queue drained: the end");
    }

    #[test]
    fn an_unbounded_channel_never_makes_the_sender_wait() {
        let (tx, mut rx) = channel::<u32>(Capacity::Unbounded);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            for i in 0..100 {
                tx.send(i).await.unwrap();
            }
        });
        assert_eq!(rx.recv(), Some(0));
        assert_eq!(rx.stats().max_depth, 100);
    }

    #[test]
    fn sparkline_draws_the_deepest_sample_per_column() {
        let ms = Duration::from_millis;
        let trace = [(ms(0), 0), (ms(10), 4), (ms(19), 8), (ms(35), 2)];
        let line = sparkline(&trace, ms(40), 8, 4);
        assert_eq!(line, " █·▂");
    }
}

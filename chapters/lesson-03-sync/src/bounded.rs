//! `queue.Queue(maxsize=n)`: producers put, consumers get, and a full queue
//! makes producers wait. That wait is *backpressure*: a fast producer is
//! slowed to the consumers' pace instead of filling memory.
//!
//! Here it is built by hand from a `Mutex<VecDeque>` and two `Condvar`s (one
//! for "not full", one for "not empty"), then compared with
//! `crossbeam::channel::bounded`, which does the same job with less locking.

use std::collections::VecDeque;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam::channel::{self, TrySendError};

use crate::sync::{Condvar, Mutex, lock_ignoring_poison};

// ANCHOR: buffer
// ANCHOR: buffer_state
/// A blocking FIFO queue that holds at most `capacity` items.
#[derive(Debug)]
pub struct BoundedBuffer<T> {
    state: Mutex<State<T>>,
    not_full: Condvar,
    not_empty: Condvar,
    capacity: usize,
}

#[derive(Debug)]
struct State<T> {
    items: VecDeque<T>,
    closed: bool,
    /// Threads asleep on each condvar: nobody asleep, nobody to wake.
    producers_asleep: usize,
    consumers_asleep: usize,
    stats: BufferStats,
}
// ANCHOR_END: buffer_state

/// What the buffer saw: proof of backpressure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BufferStats {
    /// The most items it ever held (never more than its capacity).
    pub peak_len: usize,
    /// Times a producer found it full and had to wait.
    pub producer_waits: u64,
    /// Times a consumer found it empty and had to wait.
    pub consumer_waits: u64,
}

/// `push` after `close`: the item comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed<T>(pub T);

impl<T> BoundedBuffer<T> {
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "a bounded buffer needs room for 1 item");
        BoundedBuffer {
            state: Mutex::new(State {
                items: VecDeque::with_capacity(capacity),
                closed: false,
                producers_asleep: 0,
                consumers_asleep: 0,
                stats: BufferStats::default(),
            }),
            not_full: Condvar::new(),
            not_empty: Condvar::new(),
            capacity,
        }
    }

    /// Adds `item` at the back, waiting while the buffer is full.
    pub fn push(&self, item: T) -> Result<(), Closed<T>> {
        let mut state = lock_ignoring_poison(&self.state);
        if state.items.len() == self.capacity && !state.closed {
            state.stats.producer_waits += 1;
            state.producers_asleep += 1;
            state = self
                .not_full
                .wait_while(state, |s| s.items.len() == self.capacity && !s.closed)
                .unwrap_or_else(|e| e.into_inner());
            state.producers_asleep -= 1;
        }
        if state.closed {
            return Err(Closed(item));
        }
        state.items.push_back(item);
        state.stats.peak_len = state.stats.peak_len.max(state.items.len());
        let wake = state.consumers_asleep > 0;
        drop(state); // unlock first, so the woken consumer can take the lock
        if wake {
            self.not_empty.notify_one();
        }
        Ok(())
    }

    /// Takes the item at the front, waiting while the buffer is empty.
    /// `None` once the buffer is closed and empty.
    pub fn pop(&self) -> Option<T> {
        let mut state = lock_ignoring_poison(&self.state);
        if state.items.is_empty() && !state.closed {
            state.stats.consumer_waits += 1;
            state.consumers_asleep += 1;
            state = self
                .not_empty
                .wait_while(state, |s| s.items.is_empty() && !s.closed)
                .unwrap_or_else(|e| e.into_inner());
            state.consumers_asleep -= 1;
        }
        let item = state.items.pop_front();
        let wake = item.is_some() && state.producers_asleep > 0;
        drop(state);
        if wake {
            self.not_full.notify_one();
        }
        item
    }

    /// No more pushes: waiting producers get their item back, consumers
    /// drain what is left and then get `None`.
    pub fn close(&self) {
        lock_ignoring_poison(&self.state).closed = true;
        self.not_full.notify_all();
        self.not_empty.notify_all();
    }
}
// ANCHOR_END: buffer

impl<T> BoundedBuffer<T> {
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Items in the buffer right now.
    pub fn len(&self) -> usize {
        lock_ignoring_poison(&self.state).items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn stats(&self) -> BufferStats {
        lock_ignoring_poison(&self.state).stats
    }
}

/// The queue under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// This module's `BoundedBuffer`.
    Buffer,
    /// `crossbeam::channel::bounded(capacity)`.
    Bounded,
    /// `crossbeam::channel::unbounded()`: no capacity, no backpressure.
    Unbounded,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Buffer, Kind::Bounded, Kind::Unbounded];

    pub fn label(self, capacity: usize) -> String {
        match self {
            Kind::Buffer => format!("BoundedBuffer({capacity}): Mutex + 2 Condvars"),
            Kind::Bounded => format!("crossbeam bounded({capacity})"),
            Kind::Unbounded => "crossbeam unbounded()".to_owned(),
        }
    }
}

/// One fast producer and one slow consumer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backpressure {
    pub kind: Kind,
    pub items: u64,
    pub capacity: usize,
    /// When the producer had pushed its last item.
    pub producer_done: Duration,
    /// When the consumer had taken the last item.
    pub consumer_done: Duration,
    /// The most items queued at once.
    pub peak_len: usize,
    /// Pushes that found the queue full and waited.
    pub producer_waits: u64,
    pub sum: u64,
}

// ANCHOR: backpressure
/// A producer pushes `1..=items` as fast as it can; the consumer needs
/// `per_item` for each. With a bound, the producer waits for room.
pub fn backpressure(kind: Kind, items: u64, capacity: usize, per_item: Duration) -> Backpressure {
    let start = Instant::now();
    let slow_consumer = |next: &mut dyn FnMut() -> Option<u64>| {
        let mut sum = 0;
        while let Some(item) = next() {
            thread::sleep(per_item); // the slow stage
            sum += item;
        }
        (sum, start.elapsed())
    };
    let (producer_done, (sum, consumer_done), peak_len, producer_waits) = match kind {
        Kind::Buffer => {
            let buffer = BoundedBuffer::new(capacity);
            thread::scope(|s| {
                let consumer = s.spawn(|| slow_consumer(&mut || buffer.pop()));
                for item in 1..=items {
                    buffer.push(item).expect("open until we close it");
                }
                let producer_done = start.elapsed();
                buffer.close();
                let stats = buffer.stats();
                let consumed = consumer.join().unwrap();
                (
                    producer_done,
                    consumed,
                    stats.peak_len,
                    stats.producer_waits,
                )
            })
        }
        Kind::Bounded | Kind::Unbounded => {
            let (tx, rx) = match kind {
                Kind::Bounded => channel::bounded(capacity),
                _ => channel::unbounded(),
            };
            thread::scope(|s| {
                let consumer = s.spawn(move || slow_consumer(&mut || rx.recv().ok()));
                let (mut peak_len, mut waits) = (0, 0);
                for item in 1..=items {
                    if let Err(TrySendError::Full(item)) = tx.try_send(item) {
                        waits += 1; // full: now wait for room, like push does
                        tx.send(item).expect("the consumer is alive");
                    }
                    peak_len = peak_len.max(tx.len());
                }
                let producer_done = start.elapsed();
                drop(tx); // the consumer's recv() returns Err once drained
                (producer_done, consumer.join().unwrap(), peak_len, waits)
            })
        }
    };
    Backpressure {
        kind,
        items,
        capacity,
        producer_done,
        consumer_done,
        peak_len,
        producer_waits,
        sum,
    }
}
// ANCHOR_END: backpressure

/// One throughput measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throughput {
    pub kind: Kind,
    pub producers: usize,
    pub consumers: usize,
    pub capacity: usize,
    pub items: u64,
    /// Sum of everything consumed (`triangle(items)` when exact).
    pub sum: u64,
    pub elapsed: Duration,
}

impl Throughput {
    pub fn items_per_sec(&self) -> f64 {
        self.items as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The numbers producer `p` of `producers` sends: `p+1, p+1+producers, ...`.
fn share(p: usize, producers: usize, items: u64) -> impl Iterator<Item = u64> {
    (p as u64 + 1..=items).step_by(producers)
}

// ANCHOR: throughput
/// `producers` threads send `1..=items` between them through `kind`;
/// `consumers` threads add up what they receive.
pub fn throughput(
    kind: Kind,
    producers: usize,
    consumers: usize,
    items: u64,
    capacity: usize,
) -> Throughput {
    let start = Instant::now();
    let sum = match kind {
        Kind::Buffer => {
            let buffer = BoundedBuffer::new(capacity);
            thread::scope(|s| {
                let takers: Vec<_> = (0..consumers)
                    .map(|_| s.spawn(|| std::iter::from_fn(|| buffer.pop()).sum::<u64>()))
                    .collect();
                let makers: Vec<_> = (0..producers)
                    .map(|p| {
                        let buffer = &buffer;
                        s.spawn(move || {
                            share(p, producers, items).for_each(|i| buffer.push(i).unwrap())
                        })
                    })
                    .collect();
                makers.into_iter().for_each(|m| m.join().unwrap());
                buffer.close(); // all sent: consumers drain, then stop
                takers.into_iter().map(|t| t.join().unwrap()).sum()
            })
        }
        Kind::Bounded | Kind::Unbounded => {
            let (tx, rx) = match kind {
                Kind::Bounded => channel::bounded(capacity),
                _ => channel::unbounded(),
            };
            thread::scope(|s| {
                let takers: Vec<_> = (0..consumers)
                    .map(|_| {
                        let rx = rx.clone();
                        s.spawn(move || rx.iter().sum::<u64>())
                    })
                    .collect();
                for p in 0..producers {
                    let tx = tx.clone();
                    s.spawn(move || share(p, producers, items).for_each(|i| tx.send(i).unwrap()));
                }
                drop((tx, rx)); // when the last producer's clone drops, iter() ends
                takers.into_iter().map(|t| t.join().unwrap()).sum()
            })
        }
    };
    Throughput {
        kind,
        producers,
        consumers,
        capacity,
        items,
        sum,
        elapsed: start.elapsed(),
    }
}
// ANCHOR_END: throughput

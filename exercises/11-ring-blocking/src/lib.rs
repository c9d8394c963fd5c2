//! # Exercise: a consumer that sleeps, and a wake-up that is never lost
//!
//! The ring from `ring-push-pop` is given, with `try_push` and `try_pop`
//! written. A consumer that finds it empty should not spin: it should sleep
//! until the producer publishes something. Write:
//!
//! - `Receiver::pop`: the next value; when the ring is empty, sleep on
//!   `self.ring.wakeup` (a `Condvar`, with `self.ring.lock`) until woken;
//! - `Sender::push`: `try_push` (yield while the ring is full), then wake the
//!   consumer if it sleeps, or is about to.
//!
//! The catch is in "is about to". The consumer says it sleeps (the
//! `consumer_sleeping` flag) and looks at the ring once more; the producer
//! publishes and then looks at the flag. If both looks can see the old
//! value, the consumer sleeps and nobody wakes it. The fast path must not
//! take the lock on every push (that would cost a system call's worth of
//! work per message). Which orderings, or fences, make it impossible?
//!
//! What the tests check:
//! - every value arrives once and in order, also when the producer pauses
//!   often (so the consumer goes to sleep thousands of times): a lost wake-up
//!   is a hang, and the test's time limit turns it into a failure;
//! - a waiting consumer sleeps: it uses almost no CPU while it waits;
//! - under the model checker (`tests/model.rs`, which the grader runs with
//!   `--features model`): no interleaving leaves the consumer asleep with a
//!   value in the ring.
//!
//! Run the tests with `cargo xtask check exercises ring-blocking`, ask for a
//! hint with `cargo xtask hint ring-blocking`.

// The grader also runs the tests below under a model checker (loom); with
// its `model` feature these names switch to loom's types. Read them as std.
#[cfg(feature = "model")]
use model_sync::loom::{
    cell::UnsafeCell,
    sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence},
    sync::{Arc, Condvar, Mutex},
    thread::yield_now,
};
#[cfg(not(feature = "model"))]
use {
    cell::UnsafeCell,
    std::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence},
    std::sync::{Arc, Condvar, Mutex},
    std::thread::yield_now,
};

/// std's `UnsafeCell` with loom's `with` / `with_mut`.
#[cfg(not(feature = "model"))]
mod cell {
    #[derive(Debug)]
    pub struct UnsafeCell<T>(std::cell::UnsafeCell<T>);
    impl<T> UnsafeCell<T> {
        pub fn new(v: T) -> Self {
            Self(std::cell::UnsafeCell::new(v))
        }
        pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }
        pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

/// What the two ends share.
#[derive(Debug)]
struct Ring {
    tail: AtomicUsize,
    head: AtomicUsize,
    slots: Box<[UnsafeCell<u64>]>,
    /// True while the consumer sleeps, or is about to.
    consumer_sleeping: AtomicBool,
    /// Held by the consumer from raising the flag until it sleeps, and by
    /// the producer to wake it.
    lock: Mutex<()>,
    /// Where the consumer sleeps.
    wakeup: Condvar,
}

// SAFETY: one Sender and one Receiver per ring; the counters keep their
// slot accesses apart.
unsafe impl Sync for Ring {}
unsafe impl Send for Ring {}

/// The producer's end.
#[derive(Debug)]
pub struct Sender {
    ring: Arc<Ring>,
}

/// The consumer's end.
#[derive(Debug)]
pub struct Receiver {
    ring: Arc<Ring>,
}

/// A ring of `capacity` slots (a power of two, at least 2) and its two ends.
pub fn channel(capacity: usize) -> (Sender, Receiver) {
    assert!(capacity.is_power_of_two() && capacity >= 2);
    let ring = Arc::new(Ring {
        tail: AtomicUsize::new(0),
        head: AtomicUsize::new(0),
        slots: (0..capacity).map(|_| UnsafeCell::new(0)).collect(),
        consumer_sleeping: AtomicBool::new(false),
        lock: Mutex::new(()),
        wakeup: Condvar::new(),
    });
    (Sender { ring: ring.clone() }, Receiver { ring })
}

impl Ring {
    fn slot(&self, n: usize) -> &UnsafeCell<u64> {
        &self.slots[n & (self.slots.len() - 1)]
    }
}

impl Sender {
    /// Publishes `value`, or gives it back if the ring is full (given).
    pub fn try_push(&mut self, value: u64) -> Result<(), u64> {
        let ring = &*self.ring;
        let tail = ring.tail.load(Ordering::Relaxed);
        let head = ring.head.load(Ordering::Acquire);
        if tail.wrapping_sub(head) == ring.slots.len() {
            return Err(value);
        }
        // SAFETY: slot `tail` is not readable until the store below.
        ring.slot(tail).with_mut(|p| unsafe { *p = value });
        ring.tail.store(tail.wrapping_add(1), Ordering::Release);
        Ok(())
    }

    /// Publishes `value` (yielding while the ring is full), then wakes the
    /// consumer if it sleeps or is about to.
    pub fn push(&mut self, value: u64) {
        todo!()
    }
}

impl Receiver {
    /// Takes the oldest value, or `None` if the ring is empty (given).
    pub fn try_pop(&mut self) -> Option<u64> {
        let ring = &*self.ring;
        let head = ring.head.load(Ordering::Relaxed);
        let tail = ring.tail.load(Ordering::Acquire);
        if head == tail {
            return None;
        }
        // SAFETY: the sender does not write slot `head` again until it sees
        // our store below.
        let value = ring.slot(head).with(|p| unsafe { *p });
        ring.head.store(head.wrapping_add(1), Ordering::Release);
        Some(value)
    }

    /// The oldest value; sleeps while the ring is empty.
    pub fn pop(&mut self) -> u64 {
        todo!()
    }
}

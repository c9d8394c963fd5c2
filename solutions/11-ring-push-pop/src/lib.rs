//! # Exercise: a ring's `push` and `pop`, with the right orderings
//!
//! The lesson's ring, cut down to its heart: one producer thread, one
//! consumer thread, `u64` messages, `capacity` slots (a power of two).
//! Two counters run forever: `tail` (messages published; only the producer
//! writes it) and `head` (messages taken; only the consumer writes it).
//! Message `n` lives in slot `n % capacity`. The ring is empty when
//! `head == tail` and full when `tail - head == capacity`.
//!
//! Write `Sender::try_push` and `Receiver::try_pop`. Each is one load of the
//! other side's counter, one access to a slot, one store of your own
//! counter. The whole exercise is choosing each access's `Ordering`:
//! `Relaxed`, `Acquire`, `Release` (or `SeqCst`, which works but says less).
//!
//! A slot is an `UnsafeCell`: `slot.with_mut(|p| unsafe { *p = v })` writes
//! it, `slot.with(|p| unsafe { *p })` reads it. It is safe only if the
//! counters order the two sides' accesses, and that is what the orderings
//! are for.
//!
//! What the tests check:
//! - a full ring refuses a push (and gives the value back), an empty one
//!   returns `None`, values come out in the order they went in;
//! - two threads pass 50,000 values through a 4-slot ring, round after
//!   round: every value once, in order;
//! - under the model checker (`tests/model.rs`, which the grader runs with
//!   `--features model`): every interleaving and every value the memory
//!   model lets a load return. x86 keeps stores in order, so a `Relaxed`
//!   publish passes the stress test on most laptops; the model checker
//!   catches it.
//!
//! Run the tests with `cargo xtask check exercises ring-push-pop`, ask for
//! a hint with `cargo xtask hint ring-push-pop`.

// The grader also runs the tests below under a model checker (loom); with
// its `model` feature these names switch to loom's types. Read them as std.
#[cfg(feature = "model")]
use model_sync::loom::{
    cell::UnsafeCell,
    sync::Arc,
    sync::atomic::{AtomicUsize, Ordering},
};
#[cfg(not(feature = "model"))]
use {
    cell::UnsafeCell,
    std::sync::Arc,
    std::sync::atomic::{AtomicUsize, Ordering},
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
    /// Messages published (only the `Sender` stores it).
    tail: AtomicUsize,
    /// Messages taken (only the `Receiver` stores it).
    head: AtomicUsize,
    slots: Box<[UnsafeCell<u64>]>,
}

// SAFETY: one Sender and one Receiver per ring (`channel` makes exactly one
// of each and neither is Clone); your orderings keep their slot accesses apart.
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
    assert!(
        capacity.is_power_of_two() && capacity >= 2,
        "capacity {capacity}: a power of two >= 2"
    );
    let ring = Arc::new(Ring {
        tail: AtomicUsize::new(0),
        head: AtomicUsize::new(0),
        slots: (0..capacity).map(|_| UnsafeCell::new(0)).collect(),
    });
    (Sender { ring: ring.clone() }, Receiver { ring })
}

impl Ring {
    fn slot(&self, n: usize) -> &UnsafeCell<u64> {
        &self.slots[n & (self.slots.len() - 1)]
    }
}

impl Sender {
    /// Publishes `value`, or gives it back if the ring is full.
    pub fn try_push(&mut self, value: u64) -> Result<(), u64> {
        let ring = &*self.ring;
        // Relaxed: only we store `tail`, so we read our own last store.
        let tail = ring.tail.load(Ordering::Relaxed);
        // Acquire: pairs with the receiver's Release store of `head`, so its
        // read of the slot we are about to overwrite is finished.
        let head = ring.head.load(Ordering::Acquire);
        if tail.wrapping_sub(head) == ring.slots.len() {
            return Err(value);
        }
        // SAFETY: slot `tail` is not readable until the store below.
        ring.slot(tail).with_mut(|p| unsafe { *p = value });
        // Release: the write above is visible to whoever sees this tail.
        ring.tail.store(tail.wrapping_add(1), Ordering::Release);
        Ok(())
    }
}

impl Receiver {
    /// Takes the oldest value, or `None` if the ring is empty.
    pub fn try_pop(&mut self) -> Option<u64> {
        let ring = &*self.ring;
        // Relaxed: only we store `head`.
        let head = ring.head.load(Ordering::Relaxed);
        // Acquire: pairs with the sender's Release store of `tail`, so the
        // slot's value is visible.
        let tail = ring.tail.load(Ordering::Acquire);
        if head == tail {
            return None;
        }
        // SAFETY: the sender does not write slot `head` again until it sees
        // our store below.
        let value = ring.slot(head).with(|p| unsafe { *p });
        // Release: our read above is done before the sender reuses the slot.
        ring.head.store(head.wrapping_add(1), Ordering::Release);
        Some(value)
    }
}

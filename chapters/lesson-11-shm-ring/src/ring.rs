//! The single-producer single-consumer ring: a header and `capacity` slots,
//! laid out so that it can sit in shared memory and be used by two processes.
//!
//! Two counters run forever (they are `u64`: at a billion messages a second
//! they wrap after 584 years): `tail`, how many messages the producer has
//! published, and `head`, how many the consumer has taken. Message `n` lives
//! in slot `n % capacity`. The ring is empty when `head == tail` and full
//! when `tail - head == capacity`. Each counter has exactly one writer, so
//! no compare-and-swap is needed anywhere: one load and one store per side.
//!
//! The same code runs in three places: in a named segment between two
//! processes ([`RingRef::in_memory`]), on the heap between two threads
//! ([`HeapRing`]), and under the model checker (`tests/model.rs`, where
//! [`crate::sync`] swaps std's atomics for loom's).

use std::time::Duration;

use crate::sync::{
    AtomicU32, AtomicU64, Futex, Named, Ordering, UnsafeCell, fence, spin_loop, yield_now,
};

/// The words of one message. Slot = message = 56 bytes, padded to one
/// 64-byte cache line, so two neighbouring slots never share a line.
pub const WORDS: usize = 7;

/// One message.
pub type Payload = [u64; WORDS];

/// Marks a header the creator has finished writing.
pub const MAGIC: u64 = 0x6c31_315f_7269_6e67; // "l11_ring"

// ANCHOR: layout
/// Keeps what it holds on cache lines of its own. 128, not 64: Intel CPUs
/// fetch lines in adjacent pairs, so two counters 64 bytes apart still
/// bounce together (crossbeam's `CachePadded` uses 128 on x86-64 too).
#[derive(Debug, Default)]
#[repr(C, align(128))]
pub struct Line<T>(pub T);

/// What only the producer writes.
#[derive(Debug)]
#[repr(C)]
pub struct ProducerSide {
    /// Messages published. Message `tail` is the next one to write.
    pub tail: AtomicU64,
    /// `n + 1` while the producer is writing message `n` (0: none yet):
    /// how a crash in the middle of a write is told from a crash between two.
    pub writing: AtomicU64,
    /// 1 once the producer has published its last message.
    pub closed: AtomicU32,
}

/// What only the consumer writes.
#[derive(Debug)]
#[repr(C)]
pub struct ConsumerSide {
    /// Messages taken. Message `head` is the next one to read.
    pub head: AtomicU64,
}

/// The ring's header. Every field starts as zero, which is what a fresh
/// shared-memory segment holds: the creator only sets `capacity` and `magic`.
#[derive(Debug)]
#[repr(C)]
pub struct Header {
    pub magic: AtomicU64,
    pub capacity: AtomicU64,
    /// The producer's pid, for the consumer's reports.
    pub producer_pid: AtomicU32,
    pub producer: Line<ProducerSide>,
    pub consumer: Line<ConsumerSide>,
    /// 1 while the consumer sleeps (or is about to) waiting for a message.
    pub consumer_sleeping: Line<Futex>,
    /// 1 while the producer sleeps (or is about to) waiting for a free slot.
    pub producer_sleeping: Line<Futex>,
}

/// One slot: a message's bytes, on a cache line of its own.
#[derive(Debug)]
#[repr(C, align(64))]
pub struct Slot {
    pub data: UnsafeCell<Payload>,
}

// SAFETY: a slot is written only by the one producer and read only by the
// one consumer, and the counters order the two (the protocol below, checked
// by tests/model.rs); `Producer::new` and `Consumer::new` make the caller
// promise there is one of each.
unsafe impl Sync for Slot {}
// ANCHOR_END: layout

impl Header {
    /// A header for a ring on the heap (threads, the model checker).
    pub fn new(capacity: u64) -> Header {
        Header {
            magic: AtomicU64::new(MAGIC),
            capacity: AtomicU64::new(capacity),
            producer_pid: AtomicU32::new(0),
            producer: Line(ProducerSide {
                tail: AtomicU64::new(0).named("tail"),
                writing: AtomicU64::new(0).named("writing"),
                closed: AtomicU32::new(0).named("closed"),
            }),
            consumer: Line(ConsumerSide {
                head: AtomicU64::new(0).named("head"),
            }),
            consumer_sleeping: Line(Futex::new(0, "consumer_sleeping")),
            producer_sleeping: Line(Futex::new(0, "producer_sleeping")),
        }
    }
}

impl Slot {
    pub fn new() -> Slot {
        Slot {
            data: UnsafeCell::new([0; WORDS]),
        }
    }
}

impl Default for Slot {
    fn default() -> Self {
        Slot::new()
    }
}

/// Bytes a ring of `capacity` slots takes in a segment. A multiple of 128,
/// so rings can sit one after another.
pub fn bytes_for(capacity: u64) -> usize {
    std::mem::size_of::<Header>() + capacity as usize * std::mem::size_of::<Slot>()
}

/// A ring's header and slots, wherever they live.
#[derive(Debug, Clone, Copy)]
pub struct RingRef<'a> {
    pub header: &'a Header,
    pub slots: &'a [Slot],
}

impl<'a> RingRef<'a> {
    /// The ring at `ptr`, in memory shared with other processes.
    /// `create`: the memory is fresh (all zero) and we set the header up;
    /// otherwise the creator has, and we check it.
    ///
    /// # Safety
    /// `ptr` is aligned to 128 bytes and `bytes_for(capacity)` bytes from it
    /// stay mapped for `'a`; nothing but rings uses them.
    #[cfg(not(feature = "model"))]
    pub unsafe fn in_memory(
        ptr: *mut u8,
        capacity: u64,
        create: bool,
    ) -> anyhow::Result<RingRef<'a>> {
        anyhow::ensure!(
            capacity.is_power_of_two() && capacity >= 2,
            "capacity {capacity}: a power of two >= 2"
        );
        anyhow::ensure!(
            (ptr as usize).is_multiple_of(128),
            "the ring must start on 128 bytes"
        );
        // SAFETY: the caller promises the memory; all-zero bytes are a valid
        // Header and valid Slots (atomics and plain integers).
        let (header, slots) = unsafe {
            (
                &*(ptr as *const Header),
                std::slice::from_raw_parts(
                    ptr.add(std::mem::size_of::<Header>()) as *const Slot,
                    capacity as usize,
                ),
            )
        };
        if create {
            header.capacity.store(capacity, Ordering::Relaxed);
            // Release: whoever sees MAGIC (Acquire) sees the capacity too.
            header.magic.store(MAGIC, Ordering::Release);
        } else {
            let magic = header.magic.load(Ordering::Acquire);
            anyhow::ensure!(magic == MAGIC, "no ring here (magic {magic:#x})");
            let theirs = header.capacity.load(Ordering::Relaxed);
            anyhow::ensure!(
                theirs == capacity,
                "the ring has {theirs} slots, not {capacity}"
            );
        }
        Ok(RingRef { header, slots })
    }

    fn mask(&self) -> u64 {
        self.slots.len() as u64 - 1
    }

    fn slot(&self, n: u64) -> &'a Slot {
        &self.slots[(n & self.mask()) as usize]
    }
}

/// A ring on the heap: between threads, and under the model checker.
#[derive(Debug)]
pub struct HeapRing {
    header: Box<Header>,
    slots: Box<[Slot]>,
}

impl HeapRing {
    /// `capacity`: a power of two >= 2.
    pub fn new(capacity: u64) -> HeapRing {
        assert!(capacity.is_power_of_two() && capacity >= 2);
        HeapRing {
            header: Box::new(Header::new(capacity)),
            slots: (0..capacity).map(|_| Slot::new()).collect(),
        }
    }

    pub fn view(&self) -> RingRef<'_> {
        RingRef {
            header: &self.header,
            slots: &self.slots,
        }
    }
}

/// How a side waits when it cannot go on (the ring is empty for the
/// consumer, full for the producer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Wait {
    /// Spin on the counter: the fastest answer, a whole core burnt meanwhile.
    Spin,
    /// Spin a little, then `sched_yield` between looks.
    Yield,
    /// Spin a little, then sleep on a futex until the other side wakes us.
    Futex,
}

impl Wait {
    pub const ALL: [Wait; 3] = [Wait::Spin, Wait::Yield, Wait::Futex];

    pub fn name(self) -> &'static str {
        match self {
            Wait::Spin => "spin",
            Wait::Yield => "spin-then-yield",
            Wait::Futex => "futex",
        }
    }
}

/// Spins before yielding or sleeping: a message usually comes within them.
/// (Under the model checker every spin is a point where it may switch
/// threads, so it gets one: the protocol is the same.)
pub const SPINS: u32 = if cfg!(feature = "model") { 1 } else { 200 };
/// How often a spinning side checks that the other is still alive.
pub const CHECK_EVERY: u32 = if cfg!(feature = "model") {
    1 << 30
} else {
    1 << 14
};
/// How long a futex sleep lasts at most before that check.
pub const SLEEP: Duration = Duration::from_millis(20);

/// The orderings the ring uses. [`Protocol::RIGHT`] is the ring; the others
/// are each one deliberate mistake, for the model checker to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Protocol {
    /// Storing a counter that hands a slot to the other side.
    pub publish: Ordering,
    /// Loading the other side's counter before touching a slot.
    pub observe: Ordering,
    /// The SeqCst fences between "I am going to sleep" and "is there work?".
    pub sleep_fences: bool,
}

impl Protocol {
    pub const RIGHT: Protocol = Protocol {
        publish: Ordering::Release,
        observe: Ordering::Acquire,
        sleep_fences: true,
    };
    /// Publishes with Relaxed: the consumer may see the new tail before the
    /// message's bytes. On x86 the CPU never reorders those two stores, so
    /// stress tests pass there; the language allows it, and ARM does it.
    pub const RELAXED_PUBLISH: Protocol = Protocol {
        publish: Ordering::Relaxed,
        observe: Ordering::Relaxed,
        sleep_fences: true,
    };
    /// No fences around the sleep flag: a lost wake-up.
    pub const NO_SLEEP_FENCES: Protocol = Protocol {
        sleep_fences: false,
        ..Protocol::RIGHT
    };
}

/// The consumer is gone (it exited, or crashed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsumerGone {
    /// Messages published before we noticed.
    pub sent: u64,
}

impl std::fmt::Display for ConsumerGone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the consumer is gone after {} messages were published",
            self.sent
        )
    }
}

impl std::error::Error for ConsumerGone {}

/// The producer died without closing the ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProducerDied {
    /// Messages received, all complete.
    pub received: u64,
    /// The message it died in the middle of writing, if it did.
    pub mid_write: Option<u64>,
}

impl std::fmt::Display for ProducerDied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.mid_write {
            Some(n) => write!(
                f,
                "the producer died in the middle of writing message {n}, after {} complete \
                 messages",
                self.received
            ),
            None => write!(
                f,
                "the producer died between two messages, after {} complete messages",
                self.received
            ),
        }
    }
}

impl std::error::Error for ProducerDied {}

// ANCHOR: wait
/// Waits until `ready()`, the way `wait` says; `false` if `alive()` said
/// the other side is gone (and one last look found nothing).
fn wait_until(
    wait: Wait,
    protocol: Protocol,
    sleeping: &Futex,
    mut ready: impl FnMut() -> bool,
    alive: &mut dyn FnMut() -> bool,
) -> bool {
    let mut spins: u32 = 0;
    loop {
        if ready() {
            return true;
        }
        spins = spins.wrapping_add(1);
        if spins.is_multiple_of(CHECK_EVERY) && !alive() {
            return ready();
        }
        match wait {
            Wait::Spin => spin_loop(),
            Wait::Yield if spins < SPINS => spin_loop(),
            Wait::Yield => yield_now(),
            Wait::Futex if spins < SPINS => spin_loop(),
            Wait::Futex => {
                // (1) Say we are going to sleep...
                sleeping.word.store(1, Ordering::Relaxed);
                // (2) ...and only then look once more. The SeqCst fence keeps
                // the store above from being delayed past the load below (a
                // store buffer does exactly that, and Acquire/Release do not
                // forbid it). It pairs with the fence in `wake`: of "I sleep"
                // and "there is work", at least one side sees the other's.
                if protocol.sleep_fences {
                    fence(Ordering::SeqCst);
                }
                if ready() {
                    sleeping.word.store(0, Ordering::Relaxed);
                    return true;
                }
                // (3) Sleeps only if nobody has reset the flag since (1):
                // a wake that came in between makes this return at once.
                sleeping.wait(1, SLEEP);
                if !alive() {
                    return ready();
                }
            }
        }
    }
}

/// After publishing: wakes the other side if it sleeps, or is about to.
fn wake(wait: Wait, protocol: Protocol, sleeping: &Futex) {
    if wait != Wait::Futex {
        return;
    }
    // Pairs with the fence in `wait_until`: our counter store is visible to
    // its second look, or its flag store is visible to the load below.
    if protocol.sleep_fences {
        fence(Ordering::SeqCst);
    }
    if sleeping.word.load(Ordering::Relaxed) == 1 && sleeping.word.swap(0, Ordering::Relaxed) == 1 {
        sleeping.wake_all();
    }
}
// ANCHOR_END: wait

/// The producer's end. Only one may exist per ring.
#[derive(Debug)]
pub struct Producer<'a> {
    ring: RingRef<'a>,
    /// Our own copy of `tail`: nobody else writes it.
    tail: u64,
    /// The last `head` we saw: the consumer has taken at least this many.
    head_seen: u64,
    wait: Wait,
    protocol: Protocol,
}

impl<'a> Producer<'a> {
    /// # Safety
    /// No other `Producer` of this ring exists (in any process) while this one does.
    pub unsafe fn new(ring: RingRef<'a>, wait: Wait) -> Producer<'a> {
        // SAFETY: passed on to the caller.
        unsafe { Producer::with_protocol(ring, wait, Protocol::RIGHT) }
    }

    /// # Safety
    /// As for [`Producer::new`].
    pub unsafe fn with_protocol(ring: RingRef<'a>, wait: Wait, protocol: Protocol) -> Producer<'a> {
        let tail = ring.header.producer.0.tail.load(Ordering::Relaxed);
        let head_seen = ring.header.consumer.0.head.load(protocol.observe);
        Producer {
            ring,
            tail,
            head_seen,
            wait,
            protocol,
        }
    }

    /// Messages published so far.
    pub fn sent(&self) -> u64 {
        self.tail
    }

    // ANCHOR: push
    /// Publishes `msg` if there is a free slot.
    pub fn try_push(&mut self, msg: &Payload) -> bool {
        let side = &self.ring.header.producer.0;
        let t = self.tail;
        if t - self.head_seen == self.ring.slots.len() as u64 {
            // Looks full: read the consumer's counter again (a cache miss:
            // its line lives in the consumer's core). Acquire pairs with the
            // consumer's Release store of `head`: its reads of the slot we
            // are about to overwrite are finished before our writes begin.
            self.head_seen = self.ring.header.consumer.0.head.load(self.protocol.observe);
            if t - self.head_seen == self.ring.slots.len() as u64 {
                return false;
            }
        }
        // Relaxed: read only after a crash, when every store is visible.
        side.writing.store(t + 1, Ordering::Relaxed);
        // SAFETY (checked by the model): the consumer reads slot `t` only
        // after it sees `tail > t`, which our store below publishes.
        self.ring
            .slot(t)
            .data
            .with_mut(|p| unsafe { p.write(*msg) });
        // Release: the bytes above are visible to whoever loads this value
        // of `tail` with Acquire. Relaxed would let the consumer see the new
        // tail and still read the slot's old bytes.
        side.tail.store(t + 1, self.protocol.publish);
        self.tail = t + 1;
        true
    }
    // ANCHOR_END: push

    /// For the crash demo: starts writing `msg` into the next slot (its
    /// first `words` words) and stops there, as a producer killed in the
    /// middle of a write does. Nothing is published. Returns false if full.
    pub fn write_part_then_stop(&mut self, msg: &Payload, words: usize) -> bool {
        let t = self.tail;
        if t - self.ring.header.consumer.0.head.load(self.protocol.observe)
            == self.ring.slots.len() as u64
        {
            return false;
        }
        self.ring
            .header
            .producer
            .0
            .writing
            .store(t + 1, Ordering::Relaxed);
        self.ring.slot(t).data.with_mut(|p| {
            for (i, word) in msg.iter().take(words).enumerate() {
                // SAFETY: as in try_push: slot `t` is ours until we publish it.
                unsafe { (*p)[i] = *word };
            }
        });
        true
    }

    /// Publishes `msg`, waiting for a free slot; `Err` if `consumer_alive`
    /// says the consumer is gone while we wait.
    pub fn push(
        &mut self,
        msg: &Payload,
        consumer_alive: &mut dyn FnMut() -> bool,
    ) -> Result<(), ConsumerGone> {
        let header = self.ring.header;
        loop {
            if self.try_push(msg) {
                wake(self.wait, self.protocol, &header.consumer_sleeping.0);
                return Ok(());
            }
            let (cap, t, observe) = (
                self.ring.slots.len() as u64,
                self.tail,
                self.protocol.observe,
            );
            let free = || t - header.consumer.0.head.load(observe) < cap;
            if !wait_until(
                self.wait,
                self.protocol,
                &header.producer_sleeping.0,
                free,
                consumer_alive,
            ) {
                return Err(ConsumerGone { sent: self.tail });
            }
        }
    }

    /// Tells the consumer there is nothing more (after every message is
    /// published: Release, so seeing `closed` means seeing them all).
    pub fn close(&mut self) {
        let header = self.ring.header;
        header.producer.0.closed.store(1, self.protocol.publish);
        wake(self.wait, self.protocol, &header.consumer_sleeping.0);
    }
}

/// The consumer's end. Only one may exist per ring.
#[derive(Debug)]
pub struct Consumer<'a> {
    ring: RingRef<'a>,
    /// Our own copy of `head`: nobody else writes it.
    head: u64,
    /// The last `tail` we saw: at least this many are published.
    tail_seen: u64,
    wait: Wait,
    protocol: Protocol,
}

impl<'a> Consumer<'a> {
    /// # Safety
    /// No other `Consumer` of this ring exists (in any process) while this one does.
    pub unsafe fn new(ring: RingRef<'a>, wait: Wait) -> Consumer<'a> {
        // SAFETY: passed on to the caller.
        unsafe { Consumer::with_protocol(ring, wait, Protocol::RIGHT) }
    }

    /// # Safety
    /// As for [`Consumer::new`].
    pub unsafe fn with_protocol(ring: RingRef<'a>, wait: Wait, protocol: Protocol) -> Consumer<'a> {
        let head = ring.header.consumer.0.head.load(Ordering::Relaxed);
        Consumer {
            ring,
            head,
            tail_seen: head,
            wait,
            protocol,
        }
    }

    /// Messages taken so far.
    pub fn received(&self) -> u64 {
        self.head
    }

    // ANCHOR: pop
    /// Takes the next message if one is published.
    pub fn try_pop(&mut self) -> Option<Payload> {
        let h = self.head;
        if h == self.tail_seen {
            // Looks empty: read the producer's counter again. Acquire pairs
            // with the producer's Release store: the bytes of every message
            // below the tail we see are visible now.
            self.tail_seen = self.ring.header.producer.0.tail.load(self.protocol.observe);
            if h == self.tail_seen {
                return None;
            }
        }
        // SAFETY (checked by the model): the producer writes slot `h` again
        // only after it sees `head > h`, which our store below publishes.
        let msg = self.ring.slot(h).data.with(|p| unsafe { p.read() });
        // Release: our read above is finished before the producer, seeing
        // this head (Acquire), overwrites the slot.
        self.ring
            .header
            .consumer
            .0
            .head
            .store(h + 1, self.protocol.publish);
        self.head = h + 1;
        Some(msg)
    }
    // ANCHOR_END: pop

    /// The next message, waiting for it; `Ok(None)` once the producer has
    /// closed the ring and every message is taken; `Err` if
    /// `producer_alive` says it died without closing.
    pub fn pop(
        &mut self,
        producer_alive: &mut dyn FnMut() -> bool,
    ) -> Result<Option<Payload>, ProducerDied> {
        let header = self.ring.header;
        loop {
            if let Some(msg) = self.try_pop() {
                wake(self.wait, self.protocol, &header.producer_sleeping.0);
                return Ok(Some(msg));
            }
            // Acquire pairs with the Release in `close`: every message
            // published before it is visible to the try_pop below.
            if header.producer.0.closed.load(self.protocol.observe) == 1 {
                return Ok(self.try_pop());
            }
            let (h, observe) = (self.head, self.protocol.observe);
            let something = || {
                header.producer.0.tail.load(observe) != h
                    || header.producer.0.closed.load(observe) == 1
            };
            if !wait_until(
                self.wait,
                self.protocol,
                &header.consumer_sleeping.0,
                something,
                producer_alive,
            ) {
                return Err(self.producer_died());
            }
        }
    }

    // ANCHOR: died
    /// What the producer left: complete messages up to `tail`, and maybe
    /// one it had started (`writing == tail + 1`) but never published.
    fn producer_died(&self) -> ProducerDied {
        let side = &self.ring.header.producer.0;
        let tail = side.tail.load(Ordering::Acquire);
        let writing = side.writing.load(Ordering::Relaxed);
        ProducerDied {
            received: self.head,
            mid_write: (writing == tail + 1).then_some(tail),
        }
    }
    // ANCHOR_END: died
}

/// The message a test or bench sends as number `n`: every word derived from
/// `n`, so a torn or stale slot shows.
pub fn message(n: u64) -> Payload {
    std::array::from_fn(|i| {
        n.wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(i as u32 * 9)
            ^ i as u64
    })
}

/// Which message `msg` is, if it is a whole one.
pub fn number_of(msg: &Payload) -> Option<u64> {
    let n = msg[0];
    // message(n)[0] = n * K ^ 0; invert with K's inverse mod 2^64.
    let n = n.wrapping_mul(K_INVERSE);
    (message(n) == *msg).then_some(n)
}

const K_INVERSE: u64 = {
    // Newton's iteration for the inverse of an odd number mod 2^64.
    let k: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut x = k;
    let mut i = 0;
    while i < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(k.wrapping_mul(x)));
        i += 1;
    }
    x
};

#[cfg(all(test, not(feature = "model")))]
mod tests {
    use super::*;

    #[test]
    fn layout_keeps_the_counters_apart() {
        use std::mem::{align_of, offset_of, size_of};
        assert_eq!(size_of::<Slot>(), 64);
        assert_eq!(align_of::<Header>(), 128);
        let producer = offset_of!(Header, producer);
        let consumer = offset_of!(Header, consumer);
        assert!(consumer - producer >= 128);
        assert_eq!(bytes_for(4) % 128, 0);
    }

    #[test]
    fn messages_know_their_number() {
        for n in [0, 1, 2, 12345, u64::MAX] {
            assert_eq!(number_of(&message(n)), Some(n));
        }
        let mut torn = message(7);
        torn[3] = message(8)[3];
        assert_eq!(number_of(&torn), None);
    }

    #[test]
    fn one_thread_fills_and_drains() {
        let ring = HeapRing::new(4);
        // SAFETY: one of each.
        let (mut p, mut c) = unsafe {
            (
                Producer::new(ring.view(), Wait::Spin),
                Consumer::new(ring.view(), Wait::Spin),
            )
        };
        for round in 0..3u64 {
            for i in 0..4 {
                assert!(p.try_push(&message(round * 4 + i)));
            }
            assert!(!p.try_push(&message(99)), "a full ring refuses");
            for i in 0..4 {
                assert_eq!(
                    c.try_pop().map(|m| number_of(&m)),
                    Some(Some(round * 4 + i))
                );
            }
            assert_eq!(c.try_pop(), None);
        }
        p.close();
        assert_eq!(c.pop(&mut || true), Ok(None));
    }
}

//! The ring between processes: the parent creates a segment and consumes,
//! child producers (this program again, `child producer ...`) open it by name
//! and publish. Every message is checked: its number is the next one from
//! its producer, and every word of it is whole.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use course_support::child::{ChildGuard, Spawner, describe};

use crate::ring::{self, Consumer, Producer, ProducerDied, RingRef, Wait};
use crate::shm::Segment;

/// Slots per ring unless told otherwise: 1024 x 64 bytes = 64 KiB.
pub const SLOTS: u64 = 1024;

/// How long a child gets to open the segment.
const ATTACH_LIMIT: Duration = Duration::from_secs(10);

/// What one ring run measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RingRun {
    pub messages: u64,
    /// From the first message received to the last.
    pub elapsed: Duration,
}

impl RingRun {
    pub fn per_second(&self) -> f64 {
        (self.messages.saturating_sub(1)) as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn ns_per_message(&self) -> f64 {
        1e9 / self.per_second()
    }
}

/// `rings` rings of `slots` slots, one after another in one segment.
pub fn create_rings(rings: usize, slots: u64) -> Result<Segment> {
    let segment = Segment::create(ring::bytes_for(slots) * rings)?;
    for k in 0..rings {
        // SAFETY: in bounds, 128-aligned (page-aligned start, sizes multiples of 128).
        unsafe { ring_at(&segment, k, slots, true)? };
    }
    Ok(segment)
}

/// Ring `k` of a segment made by [`create_rings`].
///
/// # Safety
/// `segment` holds at least `k + 1` rings of `slots` slots.
pub unsafe fn ring_at(
    segment: &Segment,
    k: usize,
    slots: u64,
    create: bool,
) -> Result<RingRef<'_>> {
    let offset = ring::bytes_for(slots) * k;
    ensure!(
        offset + ring::bytes_for(slots) <= segment.len(),
        "ring {k} is past the segment's end"
    );
    // SAFETY: in bounds (checked) and the segment outlives the borrow.
    unsafe { RingRef::in_memory(segment.as_ptr().add(offset), slots, create) }
}

/// The producer's arguments, as the parent passes them to the child.
#[derive(Debug, Clone)]
pub struct ProducerPlan {
    pub messages: u64,
    pub slots: u64,
    pub wait: Wait,
    /// Die (SIGKILL to itself) halfway through writing this message.
    pub crash_mid_write: Option<u64>,
}

/// The `--wait` value that names `wait` on a command line.
pub fn wait_flag(wait: Wait) -> &'static str {
    match wait {
        Wait::Spin => "spin",
        Wait::Yield => "yield",
        Wait::Futex => "futex",
    }
}

fn spawn_producer(
    spawner: &Spawner,
    segment: &Segment,
    rings: usize,
    k: usize,
    plan: &ProducerPlan,
) -> Result<ChildGuard> {
    let mut args = vec![
        "--segment".to_owned(),
        segment.name().to_owned(),
        "--rings".to_owned(),
        rings.to_string(),
        "--ring".to_owned(),
        k.to_string(),
        "--slots".to_owned(),
        plan.slots.to_string(),
        "--messages".to_owned(),
        plan.messages.to_string(),
        "--wait".to_owned(),
        wait_flag(plan.wait).to_owned(),
    ];
    if let Some(n) = plan.crash_mid_write {
        args.extend(["--crash-mid-write".to_owned(), n.to_string()]);
    }
    spawner
        .spawn("producer", args)
        .context("starting a producer process")
}

/// Waits until every producer has opened the segment (it writes its pid
/// into its ring's header), then unlinks the name: from here on no exit
/// path, not even SIGKILL, can leak it.
fn attach_then_unlink(
    segment: &Segment,
    rings: &[RingRef<'_>],
    children: &mut [ChildGuard],
) -> Result<()> {
    let start = Instant::now();
    for (ring, child) in rings.iter().zip(children.iter_mut()) {
        while ring
            .header
            .producer_pid
            .load(std::sync::atomic::Ordering::Acquire)
            == 0
        {
            if let Some(status) = child.try_wait()? {
                bail!(
                    "producer {} exited before opening the segment: {}",
                    child.id(),
                    describe(status)
                );
            }
            ensure!(
                start.elapsed() < ATTACH_LIMIT,
                "producer {} never opened the segment",
                child.id()
            );
            std::thread::sleep(Duration::from_micros(100));
        }
    }
    segment.unlink_now()
}

// ANCHOR: spsc
/// One producer process sends `plan.messages` messages through one ring to
/// us; we check each and time them.
pub fn spsc(spawner: &Spawner, plan: &ProducerPlan) -> Result<RingRun> {
    let segment = create_rings(1, plan.slots)?;
    let mut child = spawn_producer(spawner, &segment, 1, 0, plan)?;
    // SAFETY: one ring was created in it.
    let ring = unsafe { ring_at(&segment, 0, plan.slots, false)? };
    attach_then_unlink(&segment, &[ring], std::slice::from_mut(&mut child))?;
    // SAFETY: we are the ring's only consumer.
    let mut consumer = unsafe { Consumer::new(ring, plan.wait) };
    let mut alive = || matches!(child.try_wait(), Ok(None));
    let mut first = None;
    let mut last = Instant::now();
    for expected in 0..plan.messages {
        let msg = match consumer.pop(&mut alive) {
            Ok(Some(msg)) => msg,
            Ok(None) => bail!("the producer closed the ring after {expected} messages"),
            Err(died) => return Err(died.into()),
        };
        last = Instant::now();
        first.get_or_insert(last);
        check(&msg, expected, 0)?;
    }
    ensure!(
        consumer.pop(&mut alive)?.is_none(),
        "a message after the last one"
    );
    let status = child.wait()?;
    ensure!(status.success(), "the producer {}", describe(status));
    Ok(RingRun {
        messages: plan.messages,
        elapsed: last - first.unwrap_or(last),
    })
}
// ANCHOR_END: spsc

fn check(msg: &ring::Payload, expected: u64, producer: usize) -> Result<()> {
    match ring::number_of(msg) {
        Some(n) if n == expected => Ok(()),
        Some(n) => bail!("producer {producer}: got message {n}, expected {expected}"),
        None => bail!("producer {producer}: a torn message where {expected} was expected"),
    }
}

/// What the consumer saw of a producer that crashed.
#[derive(Debug, Clone)]
pub struct CrashReport {
    pub died: ProducerDied,
    pub status: String,
    pub pid: u32,
    pub detected_after: Duration,
}

// ANCHOR: crash
/// A producer that kills itself in the middle of writing message
/// `crash_at`: the consumer takes every complete message, then reports.
pub fn crash(spawner: &Spawner, wait: Wait, crash_at: u64, slots: u64) -> Result<CrashReport> {
    let plan = ProducerPlan {
        messages: crash_at + 10,
        slots,
        wait,
        crash_mid_write: Some(crash_at),
    };
    let segment = create_rings(1, slots)?;
    let mut child = spawn_producer(spawner, &segment, 1, 0, &plan)?;
    let pid = child.id();
    // SAFETY: as in `spsc`.
    let ring = unsafe { ring_at(&segment, 0, slots, false)? };
    attach_then_unlink(&segment, &[ring], std::slice::from_mut(&mut child))?;
    // SAFETY: we are the ring's only consumer.
    let mut consumer = unsafe { Consumer::new(ring, wait) };
    let mut last = Instant::now();
    let mut alive = || matches!(child.try_wait(), Ok(None));
    let died = loop {
        match consumer.pop(&mut alive) {
            Ok(Some(msg)) => {
                check(&msg, consumer.received() - 1, 0)?;
                last = Instant::now();
            }
            Ok(None) => bail!("the producer closed the ring instead of crashing"),
            Err(died) => break died,
        }
    };
    let detected_after = last.elapsed();
    let status = describe(child.wait()?);
    Ok(CrashReport {
        died,
        status,
        pid,
        detected_after,
    })
}
// ANCHOR_END: crash

/// The child's side: open ring `ring` of `segment` and publish.
pub fn producer_role(segment: &str, rings: usize, k: usize, plan: &ProducerPlan) -> Result<()> {
    let parent = std::os::unix::process::parent_id();
    let segment = Segment::open(segment, ring::bytes_for(plan.slots) * rings)?;
    // SAFETY: the parent created `rings` rings of `slots` slots in it.
    let ring = unsafe { ring_at(&segment, k, plan.slots, false)? };
    // SAFETY: the parent starts one producer per ring.
    let mut producer = unsafe { Producer::new(ring, plan.wait) };
    ring.header
        .producer_pid
        .store(std::process::id(), std::sync::atomic::Ordering::Release);
    let mut consumer_alive = || std::os::unix::process::parent_id() == parent;
    for n in 0..plan.messages {
        if plan.crash_mid_write == Some(n) {
            producer.write_part_then_stop(&ring::message(n), ring::WORDS / 2);
            // SAFETY: raise only sends a signal to ourselves.
            unsafe { libc::raise(libc::SIGKILL) };
        }
        producer.push(&ring::message(n), &mut consumer_alive)?;
    }
    producer.close();
    Ok(())
}

/// What a many-producer run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct MpscRun {
    pub producers: usize,
    pub total: u64,
    pub elapsed: Duration,
}

impl MpscRun {
    pub fn per_second(&self) -> f64 {
        self.total.saturating_sub(1) as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

// ANCHOR: mpsc
/// `producers` processes, one ring each, one consumer taking from the rings
/// in turn. Each ring stays single-producer, so nothing changes in its
/// protocol; the consumer checks each producer's order separately.
pub fn mpsc(
    spawner: &Spawner,
    producers: usize,
    each: u64,
    slots: u64,
    wait: Wait,
) -> Result<MpscRun> {
    ensure!(
        wait != Wait::Futex,
        "the many-ring consumer spins or yields; it has no single futex to sleep on"
    );
    let plan = ProducerPlan {
        messages: each,
        slots,
        wait,
        crash_mid_write: None,
    };
    let segment = create_rings(producers, slots)?;
    let mut children = (0..producers)
        .map(|k| spawn_producer(spawner, &segment, producers, k, &plan))
        .collect::<Result<Vec<_>>>()?;
    let rings = (0..producers)
        // SAFETY: as in `spsc`, `producers` rings.
        .map(|k| unsafe { ring_at(&segment, k, slots, false) })
        .collect::<Result<Vec<_>>>()?;
    attach_then_unlink(&segment, &rings, &mut children)?;
    let mut consumers: Vec<Consumer> = rings
        .iter()
        // SAFETY: we are each ring's only consumer.
        .map(|r| unsafe { Consumer::new(*r, wait) })
        .collect();
    let mut done = vec![false; producers];
    let (mut first, mut last) = (None, Instant::now());
    let mut idle: u32 = 0;
    while done.iter().any(|d| !d) {
        let mut got = false;
        for (k, consumer) in consumers.iter_mut().enumerate() {
            if done[k] {
                continue;
            }
            // Up to a slot's worth at a time from each ring.
            for _ in 0..64 {
                let Some(msg) = consumer.try_pop() else { break };
                check(&msg, consumer.received() - 1, k)?;
                got = true;
            }
            if consumer.received() == each {
                done[k] = true;
            }
        }
        if got {
            last = Instant::now();
            first.get_or_insert(last);
            idle = 0;
            continue;
        }
        idle += 1;
        if idle.is_multiple_of(ring::CHECK_EVERY) {
            for (k, child) in children.iter_mut().enumerate() {
                if !done[k]
                    && let Some(status) = child.try_wait()?
                {
                    bail!(
                        "producer {k} (pid {}) {} after {} messages",
                        child.id(),
                        describe(status),
                        consumers[k].received()
                    );
                }
            }
        }
        if wait == Wait::Yield && idle > ring::SPINS {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
    for child in &mut children {
        let status = child.wait()?;
        ensure!(status.success(), "a producer {}", describe(status));
    }
    Ok(MpscRun {
        producers,
        total: each * producers as u64,
        elapsed: last - first.unwrap_or(last),
    })
}
// ANCHOR_END: mpsc

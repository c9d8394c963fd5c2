//! The same transfer through iceoryx2 (publish-subscribe over shared
//! memory, zero-copy), built only with `--features iceoryx2`: it is a large
//! dependency, so CI and the default build leave it out.

use std::time::Instant;

use anyhow::{Result, anyhow, bail, ensure};
use course_support::child::{Spawner, describe};
use iceoryx2::prelude::*;

/// Room for this many messages in the subscriber's queue, like the ring's slots.
const BUFFER: usize = 1024;

fn service_name(tag: &str) -> Result<ServiceName> {
    tag.try_into()
        .map_err(|e| anyhow!("service name {tag}: {e:?}"))
}

/// A child publishes `messages` u64s with `send_copy`, one per send, and
/// waits for room when the queue is full; we `receive` and check each.
pub fn rate(spawner: &Spawner, messages: u64) -> Result<f64> {
    // Its warning about running without a config file would land in the table.
    set_log_level(LogLevel::Error);
    let tag = format!("l11/{}/{}", std::process::id(), messages);
    let node = NodeBuilder::new()
        .create::<ipc::Service>()
        .map_err(|e| anyhow!("iceoryx2 node: {e:?}"))?;
    let service = node
        .service_builder(&service_name(&tag)?)
        .publish_subscribe::<u64>()
        .subscriber_max_buffer_size(BUFFER)
        .enable_safe_overflow(false)
        .history_size(0)
        .max_publishers(1)
        .max_subscribers(1)
        .create()
        .map_err(|e| anyhow!("iceoryx2 service: {e:?}"))?;
    let subscriber = service
        .subscriber_builder()
        .buffer_size(BUFFER)
        .create()
        .map_err(|e| anyhow!("iceoryx2 subscriber: {e:?}"))?;
    let mut child = spawner.spawn(
        "iox-publisher",
        [
            "--service".to_owned(),
            tag,
            "--messages".to_owned(),
            messages.to_string(),
        ],
    )?;
    let (mut first, mut last) = (None, Instant::now());
    let mut expected = 0;
    let mut idle: u32 = 0;
    while expected < messages {
        match subscriber
            .receive()
            .map_err(|e| anyhow!("iceoryx2 receive: {e:?}"))?
        {
            Some(sample) => {
                ensure!(
                    *sample == expected,
                    "iceoryx2: got {}, expected {expected}",
                    *sample
                );
                expected += 1;
                last = Instant::now();
                first.get_or_insert(last);
                idle = 0;
            }
            None => {
                idle += 1;
                if idle.is_multiple_of(1 << 14)
                    && let Some(status) = child.try_wait()?
                {
                    bail!(
                        "the iceoryx2 publisher {} after {expected} messages",
                        describe(status)
                    );
                }
                if idle > crate::ring::SPINS {
                    std::thread::yield_now();
                }
            }
        }
    }
    let status = child.wait()?;
    ensure!(
        status.success(),
        "the iceoryx2 publisher {}",
        describe(status)
    );
    Ok(crate::baseline::rate(
        messages,
        last - first.unwrap_or(last),
    ))
}

pub fn publisher_role(tag: &str, messages: u64) -> Result<()> {
    set_log_level(LogLevel::Error);
    let node = NodeBuilder::new()
        .create::<ipc::Service>()
        .map_err(|e| anyhow!("iceoryx2 node: {e:?}"))?;
    let service = node
        .service_builder(&service_name(tag)?)
        .publish_subscribe::<u64>()
        .open()
        .map_err(|e| anyhow!("iceoryx2 open: {e:?}"))?;
    let publisher = service
        .publisher_builder()
        .backpressure_strategy(BackpressureStrategy::RetryUntilDelivered)
        .create()
        .map_err(|e| anyhow!("iceoryx2 publisher: {e:?}"))?;
    for n in 0..messages {
        // `send_copy` returns how many subscribers got the sample. With the
        // settings above (no safe overflow, RetryUntilDelivered) we still
        // saw a gap after the first 1024 messages with 0.10: a full queue
        // got nothing. So we retry until our one subscriber has it.
        let mut idle: u32 = 0;
        while publisher
            .send_copy(n)
            .map_err(|e| anyhow!("iceoryx2 send: {e:?}"))?
            == 0
        {
            idle += 1;
            if idle > crate::ring::SPINS {
                std::thread::yield_now();
            }
        }
    }
    Ok(())
}

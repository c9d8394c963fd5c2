//! The throughput rows move every message, in order, exactly once.

mod common;

use common::{spawner, within};
use lesson_04_ipc::throughput::{self, Kind};

#[test]
fn a_buffered_pipe_delivers_every_message_in_order() {
    let spawner = spawner();
    // More than one buffer's worth, and a count that is not a multiple of it.
    let rate = within("the stream row", move || {
        throughput::stream_process(&spawner, 10_007)
    })
    .expect("every frame arrives in order");
    assert_eq!(rate.kind, Kind::StreamOneProcess);
    assert_eq!(rate.messages, 10_007);
}

#[test]
fn batched_ipc_delivers_every_item() {
    let spawner = spawner();
    let rate = within("the batched row", move || {
        throughput::ipc_batched(&spawner, 1_000, 64)
    })
    .expect("every batch arrives");
    assert_eq!(rate.messages, 1_000);
}

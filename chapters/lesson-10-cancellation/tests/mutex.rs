//! The three fixes count exactly.

use lesson_10_cancellation::mutex::{async_mutex, message_passing, scoped_guard};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn every_fix_counts_exactly() {
    let rt = rt();
    assert_eq!(rt.block_on(scoped_guard(50, 200)), 10_000);
    assert_eq!(rt.block_on(async_mutex(50, 200)), 10_000);
    assert_eq!(rt.block_on(message_passing(50, 200)), 10_000);
}

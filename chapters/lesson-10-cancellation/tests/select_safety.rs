//! In a select! loop, read_exact loses bytes and the buffered reader does not.

use std::time::Duration;

use lesson_10_cancellation::select_safety::{BufferedReader, ExactReader, trial};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

const PAUSE: Duration = Duration::from_millis(6);
const BEAT: Duration = Duration::from_millis(2);

#[test]
fn read_exact_in_select_loses_bytes_and_misreads_records() {
    let t = rt().block_on(trial(20, PAUSE, BEAT, ExactReader)).unwrap();
    assert!(t.received.heartbeats > 0);
    assert!(t.lost_bytes() > 0, "no bytes lost: {t:?}");
    assert!(t.received.intact() < 20, "{t:?}");
}

#[test]
fn the_buffered_reader_loses_nothing_however_often_it_is_dropped() {
    for _ in 0..3 {
        let t = rt()
            .block_on(trial(20, PAUSE, BEAT, BufferedReader::new))
            .unwrap();
        assert!(
            t.received.heartbeats > 20,
            "the reader was not interrupted often: {t:?}"
        );
        assert_eq!(t.lost_bytes(), 0, "{t:?}");
        assert_eq!(t.received.intact(), 20, "{t:?}");
    }
}

#[test]
fn without_interruptions_both_readers_read_everything() {
    let quiet = Duration::from_secs(3600);
    let t = rt()
        .block_on(trial(10, Duration::ZERO, quiet, ExactReader))
        .unwrap();
    assert_eq!((t.lost_bytes(), t.received.intact()), (0, 10), "{t:?}");
}

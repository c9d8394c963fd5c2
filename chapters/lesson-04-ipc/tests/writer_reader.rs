//! The seed's pair: the reader gets A, B, C; it must be terminated while
//! someone holds a sender, and exits by itself once nobody does.

mod common;

use std::time::Duration;

use common::{assert_all_gone, spawner, within};
use course_support::child::describe;
use lesson_04_ipc::writer_reader::{self, Ending};

#[test]
fn terminate_ends_a_reader_that_would_wait_forever() {
    let pair = within("writer/reader, terminate", || {
        writer_reader::run(&spawner(), Ending::Terminate, Duration::from_millis(1)).unwrap()
    });
    assert_eq!(pair.got, ["A", "B", "C"]);
    assert!(pair.writer_status.success());
    assert_eq!(
        describe(pair.reader_status),
        "killed by SIGTERM (signal 15)"
    );
    assert_all_gone(&[pair.writer_pid, pair.reader_pid]);
}

#[test]
fn without_senders_the_reader_stops_by_itself() {
    let pair = within("writer/reader, disconnect", || {
        writer_reader::run(&spawner(), Ending::Disconnect, Duration::from_millis(1)).unwrap()
    });
    assert_eq!(pair.got, ["A", "B", "C"]);
    assert_eq!(
        pair.reader_status.code(),
        Some(0),
        "the reader left its loop"
    );
    assert_all_gone(&[pair.writer_pid, pair.reader_pid]);
}

//! The canonical tests of `cancel-safe-lines`: lines come back whole and in
//! order, however often a call is dropped half-way (a `select!` branch or a
//! timeout that wins), and however the bytes are split on the way.

use std::io;
use std::time::Duration;

use cancel_safe_lines::LineReader;
use tokio::io::{AsyncWriteExt, DuplexStream, duplex};
use tokio::time::timeout;

const SHORT: Duration = Duration::from_millis(20);

async fn write(tx: &mut DuplexStream, bytes: &[u8]) {
    tx.write_all(bytes).await.unwrap();
    tx.flush().await.unwrap();
}

/// `next_line()` when its line has been sent already: it must not wait long.
async fn next(reader: &mut LineReader<DuplexStream>) -> Option<String> {
    timeout(Duration::from_secs(3), reader.next_line())
        .await
        .expect("next_line waited 3 s for a line that was sent already: were its bytes lost?")
        .unwrap()
}

/// Reads every line until `None`.
async fn all_lines(reader: &mut LineReader<DuplexStream>) -> Vec<String> {
    let mut lines = Vec::new();
    while let Some(line) = next(reader).await {
        lines.push(line);
    }
    lines
}

#[tokio::test]
async fn lines_come_back_without_newlines_and_the_last_one_without_a_newline_too() {
    let (mut tx, rx) = duplex(1024);
    write(&mut tx, b"one\ntwo\n\nthree").await;
    drop(tx);
    let mut reader = LineReader::new(rx);
    assert_eq!(all_lines(&mut reader).await, ["one", "two", "", "three"]);
    assert_eq!(next(&mut reader).await, None, "after the end, None again");
}

#[tokio::test]
async fn several_lines_arriving_at_once_are_all_returned() {
    let (mut tx, rx) = duplex(1024);
    let mut reader = LineReader::new(rx);
    write(&mut tx, b"a\nb\nc\n").await;
    assert_eq!(next(&mut reader).await.as_deref(), Some("a"));
    assert_eq!(
        next(&mut reader).await.as_deref(),
        Some("b"),
        "the rest of a read must be kept for the next call"
    );
    assert_eq!(next(&mut reader).await.as_deref(), Some("c"));
    write(&mut tx, b"d\n").await;
    drop(tx);
    assert_eq!(all_lines(&mut reader).await, ["d"]);
}

#[tokio::test]
async fn a_call_dropped_half_way_through_a_line_loses_nothing() {
    let (mut tx, rx) = duplex(1024);
    let mut reader = LineReader::new(rx);
    write(&mut tx, b"hel").await;
    assert!(
        timeout(SHORT, reader.next_line()).await.is_err(),
        "no whole line yet: it should still be waiting"
    );
    write(&mut tx, b"lo\nwor").await;
    assert_eq!(
        next(&mut reader).await.as_deref(),
        Some("hello"),
        "the bytes read by the dropped call were lost"
    );
    assert!(timeout(SHORT, reader.next_line()).await.is_err());
    write(&mut tx, b"ld\n").await;
    assert_eq!(next(&mut reader).await.as_deref(), Some("world"));
}

#[tokio::test]
async fn utf8_split_between_dropped_calls_comes_back_whole() {
    let (mut tx, rx) = duplex(1024);
    let mut reader = LineReader::new(rx);
    let line = "héllo wörld ✓";
    for byte in line.as_bytes() {
        write(&mut tx, &[*byte]).await;
        assert!(
            timeout(Duration::from_millis(2), reader.next_line())
                .await
                .is_err()
        );
    }
    write(&mut tx, b"\n").await;
    assert_eq!(next(&mut reader).await.as_deref(), Some(line));
}

#[tokio::test]
async fn in_a_select_loop_beside_a_heartbeat_every_line_arrives_whole() {
    let (mut tx, rx) = duplex(64);
    let expected: Vec<String> = (0..30)
        .map(|i| format!("line {i}: {}", "x".repeat(i % 7)))
        .collect();
    let sent = expected.clone();
    let writer = tokio::spawn(async move {
        for line in sent {
            let bytes = format!("{line}\n").into_bytes();
            let third = bytes.len() / 3;
            for piece in [
                &bytes[..third],
                &bytes[third..2 * third],
                &bytes[2 * third..],
            ] {
                write(&mut tx, piece).await;
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        }
    });
    let mut reader = LineReader::new(rx);
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    let (mut lines, mut beats) = (Vec::new(), 0);
    loop {
        tokio::select! {
            biased;
            line = reader.next_line() => match line.unwrap() {
                Some(line) => lines.push(line),
                None => break,
            },
            _ = tick.tick() => beats += 1,
        }
    }
    writer.await.unwrap();
    assert!(
        beats > 30,
        "the heartbeat should have interrupted the reader often ({beats} beats)"
    );
    assert_eq!(lines, expected);
}

#[tokio::test]
async fn a_long_line_across_many_small_reads() {
    let (mut tx, rx) = duplex(64);
    let long = "z".repeat(10_000);
    let sent = long.clone();
    let writer = tokio::spawn(async move {
        write(&mut tx, sent.as_bytes()).await;
        write(&mut tx, b"\nshort\n").await;
    });
    let mut reader = LineReader::new(rx);
    assert_eq!(all_lines(&mut reader).await, [long, "short".to_owned()]);
    writer.await.unwrap();
}

#[tokio::test]
async fn bytes_that_are_not_utf8_are_an_error_not_a_panic() {
    let (mut tx, rx) = duplex(64);
    write(&mut tx, &[0xff, 0xfe, b'\n']).await;
    let mut reader = LineReader::new(rx);
    let err = reader.next_line().await.expect_err("not UTF-8");
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
}

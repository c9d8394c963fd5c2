//! A duplex pipe: both ends send and receive; every round trip comes back.

mod common;

use common::{assert_all_gone, spawner, within};
use lesson_04_ipc::pipe::{self, pipe};

#[test]
fn ping_pong_with_a_child_round_trips() {
    let run = within("ping_pong", || pipe::ping_pong(&spawner(), 500).unwrap());
    assert_eq!(run.rounds, 500);
    assert_eq!(run.last, 500, "every answer was n + 1");
    assert_ne!(run.pid, std::process::id());
    assert_all_gone(&[run.pid]);
}

#[test]
fn both_ends_send_and_receive_in_one_process() {
    let (a, b) = pipe::<String, u64>().unwrap();
    a.send("ping".into()).unwrap();
    b.send(7).unwrap();
    assert_eq!(b.recv().unwrap(), "ping");
    assert_eq!(a.recv().unwrap(), 7);
    drop(b);
    assert!(a.recv().is_err(), "a closed end reads as disconnected");
}

#[test]
fn a_thread_plays_the_same_game() {
    let run = pipe::ping_pong_thread(100);
    assert_eq!(run.last, 100);
}

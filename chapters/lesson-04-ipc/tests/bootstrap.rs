//! Handing a child its channels never hangs the parent: a child that exits
//! or stalls before connecting is an error.

mod common;

use std::time::Duration;

use common::{assert_all_gone, spawner, within};
use ipc_channel::ipc::IpcSender;
use lesson_04_ipc::bootstrap::Offer;

#[test]
fn a_child_that_exits_before_connecting_is_an_error() {
    let (pid, err) = within("hand_over to a child that exits", || {
        let offer = Offer::<IpcSender<u64>>::new().unwrap();
        // `report` never connects: it prints and exits.
        let mut child = spawner().spawn("report", ["--exit-code", "4"]).unwrap();
        let (tx, _rx) = ipc_channel::ipc::channel::<u64>().unwrap();
        let err = offer
            .hand_over(&mut child, tx, Duration::from_secs(15))
            .unwrap_err();
        (child.id(), err.to_string())
    });
    assert!(
        err.contains("ended (exit code 4) before connecting"),
        "{err}"
    );
    assert_all_gone(&[pid]);
}

#[test]
fn a_child_that_never_connects_times_out() {
    let (pid, err) = within("hand_over to a child that loops", || {
        let offer = Offer::<IpcSender<u64>>::new().unwrap();
        let mut child = spawner().spawn("forever", [] as [&str; 0]).unwrap();
        let (tx, _rx) = ipc_channel::ipc::channel::<u64>().unwrap();
        let err = offer
            .hand_over(&mut child, tx, Duration::from_millis(300))
            .unwrap_err();
        (child.id(), err.to_string())
        // the guard drops: the looping child is killed and reaped
    });
    assert!(err.contains("did not connect within"), "{err}");
    assert_all_gone(&[pid]);
}

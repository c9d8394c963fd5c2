//! What abort, dropping a future, a JoinHandle or a JoinSet, and "shield"
//! really do, as the chapter's table says.

use lesson_10_cancellation::cancel::{
    abort_task, abort_while_blocking, drop_future, drop_handle, drop_set, shield, unshielded,
};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn abort_stops_a_task_at_its_await_and_runs_its_cleanup() {
    let s = rt().block_on(abort_task());
    assert!(s.started && !s.reached_end && s.cleaned_up, "{s:?}");
    assert!(s.note.contains("cancelled"), "{s:?}");
}

#[test]
fn abort_cannot_interrupt_code_that_does_not_await() {
    let s = rt().block_on(abort_while_blocking());
    assert!(s.reached_end && s.cleaned_up, "{s:?}");
    assert!(s.note.ends_with("true"), "{s:?}");
}

#[test]
fn timeout_drops_the_future_and_its_cleanup_has_run_when_it_returns() {
    let s = rt().block_on(drop_future());
    assert!(s.started && !s.reached_end && s.cleaned_up, "{s:?}");
}

#[test]
fn dropping_a_join_handle_detaches_the_task() {
    let s = rt().block_on(drop_handle());
    assert!(
        s.reached_end,
        "the detached task should have finished: {s:?}"
    );
}

#[test]
fn dropping_a_join_set_aborts_its_tasks() {
    let s = rt().block_on(drop_set());
    assert!(s.started && !s.reached_end && s.cleaned_up, "{s:?}");
}

#[test]
fn a_spawned_save_survives_its_callers_timeout_and_an_awaited_one_does_not() {
    let s = rt().block_on(shield());
    assert!(s.reached_end, "{s:?}");
    let u = rt().block_on(unshielded());
    assert!(!u.reached_end && u.cleaned_up, "{u:?}");
}

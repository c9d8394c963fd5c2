//! A timeout per step bounds each step; a deadline bounds the whole.

use std::time::Duration;

use lesson_10_cancellation::deadline::{deadline_for_all, timeout_each, timeout_whole};
use tokio::time::Instant;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_timeout_per_step_never_fires_on_steps_shorter_than_it() {
    let s = rt().block_on(timeout_each(&[30; 5], Duration::from_millis(100)));
    assert_eq!((s.done, s.cut), (5, None));
    assert!(s.elapsed >= Duration::from_millis(150), "{:?}", s.elapsed);
}

#[test]
fn one_deadline_cuts_the_job_on_time() {
    let limit = Duration::from_millis(100);
    let s = rt().block_on(async { deadline_for_all(&[30; 5], Instant::now() + limit).await });
    assert_eq!((s.done, s.cut), (3, Some(3)));
    assert!(
        s.elapsed >= limit && s.elapsed < limit * 2,
        "{:?}",
        s.elapsed
    );
    let w = rt().block_on(timeout_whole(&[30; 5], limit));
    assert_eq!((w.done, w.cut), (3, Some(3)));
}

#[test]
fn a_step_longer_than_its_timeout_is_cut() {
    let s = rt().block_on(timeout_each(&[10, 200, 10], Duration::from_millis(50)));
    assert_eq!((s.done, s.cut), (1, Some(1)));
}

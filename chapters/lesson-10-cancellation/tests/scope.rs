//! TaskGroup and JoinSet: the first error cancels the rest, and no task
//! outlives the scope; gather(return_exceptions=True) keeps everything.

use std::time::Duration;

use lesson_10_cancellation::probe::Census;
use lesson_10_cancellation::scope::{Fate, Job, demo_jobs, gather_all, task_group};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn the_first_error_cancels_the_others_and_every_task_is_joined() {
    let jobs = demo_jobs(6, 200, 1, 20); // job 1 fails at 20 ms; the others take 200..1200 ms
    let census = Census::new();
    let end = rt().block_on(task_group(&jobs, &census));
    assert_eq!(end.first_error.as_deref(), Some("error: job 1 failed"));
    assert_eq!(end.fates[1], Fate::Failed("job 1 failed".into()));
    for (i, fate) in end.fates.iter().enumerate().filter(|&(i, _)| i != 1) {
        assert_eq!(*fate, Fate::Cancelled, "job {i} should have been cancelled");
    }
    assert_eq!(end.alive_after, 0, "a task outlived its scope");
    assert!(
        end.elapsed < Duration::from_millis(190),
        "the group waited for cancelled work: {:?}",
        end.elapsed
    );
}

#[test]
fn a_group_without_errors_returns_every_result() {
    let jobs: Vec<Job> = (0..4)
        .map(|id| Job {
            id,
            ms: 5,
            fails: false,
        })
        .collect();
    let census = Census::new();
    let end = rt().block_on(task_group(&jobs, &census));
    assert_eq!(end.first_error, None);
    assert_eq!(
        end.fates,
        (0..4).map(|i| Fate::Done(i * 10)).collect::<Vec<_>>()
    );
    assert_eq!(end.alive_after, 0);
}

#[test]
fn gather_keeps_every_result_and_error_in_order() {
    let jobs = demo_jobs(4, 10, 2, 5);
    let census = Census::new();
    let end = rt().block_on(gather_all(&jobs, &census));
    assert_eq!(
        end.fates,
        vec![
            Fate::Done(0),
            Fate::Done(10),
            Fate::Failed("job 2 failed".into()),
            Fate::Done(30)
        ]
    );
    assert_eq!(end.alive_after, 0);
}

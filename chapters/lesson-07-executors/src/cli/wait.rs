//! `wait`: FIRST_COMPLETED, FIRST_EXCEPTION and ALL_COMPLETED.

use std::thread;
use std::time::{Duration, Instant};

use anyhow::Result;
use course_support::report::ms;
use course_support::table;
use lesson_07_executors::future::Handle;
use lesson_07_executors::thread_pool::ThreadPool;
use lesson_07_executors::{ReturnWhen, wait};

pub(crate) fn run() -> Result<()> {
    let pool = ThreadPool::new(3);
    let job = |ms: u64, fail: bool| {
        move || {
            thread::sleep(Duration::from_millis(ms));
            if fail {
                Err(format!("task of {ms} ms failed"))
            } else {
                Ok(ms)
            }
        }
    };
    let mut t = table(["return_when", "returned at ms", "done", "not done"]);
    let t0 = Instant::now();
    let mut handles = vec![
        pool.submit(job(50, false)),
        pool.submit(job(150, true)),
        pool.submit(job(300, false)),
    ];
    for when in [
        ReturnWhen::FirstCompleted,
        ReturnWhen::FirstException,
        ReturnWhen::AllCompleted,
    ] {
        let split = wait(handles, Duration::from_secs(10), when);
        let (done, not_done) = (split.done, split.not_done);
        let ids = |hs: &[Handle<u64, String>]| {
            hs.iter()
                .map(|h| h.id().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        t.add_row([
            format!("{when:?}"),
            ms(t0.elapsed()),
            ids(&done),
            ids(&not_done),
        ]);
        handles = done.into_iter().chain(not_done).collect();
        handles.sort_by_key(Handle::id);
    }
    println!(
        "Three tasks: #0 sleeps 50 ms, #1 sleeps 150 ms and fails, #2 sleeps 300 ms. Waiting on the same three each time:\n{t}"
    );
    Ok(())
}

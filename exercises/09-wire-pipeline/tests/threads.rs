//! `run` leaves no thread behind, when it succeeds and when a fetch fails.
//! In a file of its own, so that no other test's threads are running while
//! this one counts.

use std::thread;
use std::time::{Duration, Instant};

use loopback_http::server::{ServerConfig, TestServer};
use wire_pipeline::{Config, Item, run};

/// The threads of this process right now (Linux: one entry per thread).
fn threads_now() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task lists this process's threads (Linux)")
        .count()
}

/// Waits up to a second for the thread count to come back to `before`: a
/// joined thread can stay listed for an instant while the kernel tears it
/// down. Returns how many are still there.
fn threads_left_over(before: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let now = threads_now();
        if now <= before || Instant::now() > deadline {
            return now.saturating_sub(before);
        }
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn no_thread_run_started_is_left_running() {
    let server = TestServer::start_blocking(
        ServerConfig::default()
            .latency(Duration::from_millis(1))
            .workers(1),
    )
    .expect("the test server starts");
    let config = Config {
        concurrency: 4,
        capacity: 2,
        cpu_workers: 3,
    };
    let urls = server.urls(24);
    let mut failing = server.urls(24);
    failing[3] = server.url_for("/fail/item/3"); // answers 500
    for (what, urls, should_succeed) in [("succeeds", urls, true), ("fails", failing, false)] {
        let before = threads_now();
        let result = run(&urls, config, |item: &Item| item.index as u64);
        let left = threads_left_over(before);
        assert_eq!(result.is_ok(), should_succeed, "{result:?}");
        assert_eq!(
            left, 0,
            "when run {what}, {left} thread(s) it started were still running a second \
             after it returned: join every thread you start (the CPU stage's rayon pool \
             too: `build_scoped` joins its threads before it returns)"
        );
    }
}

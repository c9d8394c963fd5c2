//! Helpers shared by the lesson's tests: nothing here may hang.

#![allow(dead_code, unused_imports)] // each test binary uses a different subset

use std::thread;
use std::time::Duration;

use lesson_09_hybrid_pipeline::pipeline::Config;
use lesson_09_hybrid_pipeline::work::Work;

/// Long enough for any healthy run on a loaded machine; a bug fails instead of hanging.
pub const GENEROUS: Duration = Duration::from_secs(20);

/// Runs `f` on its own thread and fails the test if it has not finished
/// within [`GENEROUS`]: a hang becomes a failure, not a stuck test run.
pub fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    course_support::testing::within(what, GENEROUS, f)
}

/// A small CPU job: about a millisecond per item.
pub fn light() -> Work {
    Work { numbers: 5_000 }
}

/// A CPU job slow enough that the fetch stage (no latency) outruns it.
pub fn heavy() -> Work {
    Work::calibrate(Duration::from_millis(3))
}

/// A pipeline configuration for tests.
pub fn config(concurrency: usize, cpu_workers: usize, work: Work) -> Config {
    Config {
        concurrency,
        cpu_workers,
        ..Config::new(work)
    }
}

/// Waits (a few seconds at most) until no thread of the run `tag` is alive;
/// returns how many still are. A joined thread may linger in /proc for an instant.
pub fn threads_left(tag: &str) -> usize {
    lesson_09_hybrid_pipeline::pipeline::threads_left(tag, Duration::from_secs(5))
}

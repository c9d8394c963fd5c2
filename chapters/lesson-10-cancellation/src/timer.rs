//! Timer resolution: what a 1 ms wait really takes.
//!
//! tokio's timer is a wheel of 1 ms ticks. A sleep's deadline is rounded
//! *up* to the next whole tick, and the runtime parks for whole ticks counted
//! from the tick it is in, so `sleep(1 ms)` started part-way through a tick
//! wakes about 2 ms later. asyncio keeps its timers in a heap of float
//! deadlines and passes `epoll_wait` the time left to the nearest one,
//! rounded up to the next whole millisecond, so its `asyncio.sleep(0.001)`
//! lasts a little over 1 ms. Neither is wrong: both promise *at least* the
//! time asked. For waits of tens of milliseconds nobody notices; for a
//! benchmark of 1 ms waits it halves the speed.
//!
//! Three ways to wait 1 ms that do not pay the extra tick:
//! - `sleep_until` a deadline computed from the start, so that the rounding
//!   of one wait is not added to the next (a periodic job keeps its rate);
//! - a Linux `timerfd`, a kernel timer that becomes readable at the time
//!   asked (to the microsecond): the event loop waits for it in the same
//!   `epoll_wait` as for sockets, like a real network response;
//! - `std::thread::sleep`, for a thread (not a task).

use std::time::{Duration, Instant};

pub use course_support::precise_sleep::precise_sleep;

/// How long one wait of the asked duration really took, on average.
#[derive(Debug, Clone)]
pub struct Waited {
    pub way: &'static str,
    pub rounding: &'static str,
    pub mean: Duration,
}

fn event_loop() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

// ANCHOR: measure
/// `n` waits of `wait`, one after another, each way; the mean of one.
pub fn measure(n: u32, wait: Duration) -> std::io::Result<Vec<Waited>> {
    let rt = event_loop()?;
    let mean = |total: Duration| total / n;
    let sleep = rt.block_on(async {
        let start = Instant::now();
        for _ in 0..n {
            tokio::time::sleep(wait).await; // rounds up to a tick, every time
        }
        start.elapsed()
    });
    let until = rt.block_on(async {
        let start = tokio::time::Instant::now();
        for k in 1..=n {
            tokio::time::sleep_until(start + wait * k).await; // late, but never later
        }
        start.elapsed()
    });
    let timerfd = rt.block_on(async {
        let start = Instant::now();
        for _ in 0..n {
            precise_sleep(wait).await;
        }
        start.elapsed()
    });
    let start = Instant::now();
    for _ in 0..n {
        std::thread::sleep(wait);
    }
    let thread = start.elapsed();
    Ok(vec![
        Waited {
            way: "tokio::time::sleep",
            rounding: "deadline rounded up to the next 1 ms tick",
            mean: mean(sleep),
        },
        Waited {
            way: "tokio::time::sleep_until(start + k * wait)",
            rounding: "the same ticks, but no error carried over",
            mean: mean(until),
        },
        Waited {
            way: "timerfd on the event loop (precise_sleep)",
            rounding: "none: the kernel's timer wakes epoll_wait",
            mean: mean(timerfd),
        },
        Waited {
            way: "std::thread::sleep (a thread, not a task)",
            rounding: "none: nanosleep",
            mean: mean(thread),
        },
    ])
}
// ANCHOR_END: measure

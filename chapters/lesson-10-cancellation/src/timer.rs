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

// ANCHOR: precise_sleep
/// Waits `wait` on the event loop without tokio's 1 ms rounding: a one-shot
/// Linux timerfd, registered with the runtime like a socket. Elsewhere (or
/// if the kernel refuses a timer) it falls back to `tokio::time::sleep`.
/// Needs a runtime with I/O enabled.
pub async fn precise_sleep(wait: Duration) {
    #[cfg(target_os = "linux")]
    if timer_fd::readable_after(wait).await.is_ok() {
        return;
    }
    tokio::time::sleep(wait).await
}
// ANCHOR_END: precise_sleep

#[cfg(target_os = "linux")]
mod timer_fd {
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::Duration;

    use tokio::io::Interest;
    use tokio::io::unix::AsyncFd;

    // ANCHOR: timerfd
    /// Waits until a one-shot `timerfd` armed for `wait` becomes readable.
    pub(super) async fn readable_after(wait: Duration) -> io::Result<()> {
        // SAFETY: timerfd_create takes no pointers; a non-negative result is a
        // new descriptor that nothing else owns, so OwnedFd may close it.
        let fd = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let wait = wait.max(Duration::from_nanos(1)); // all zeros would disarm it
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: wait.as_secs() as libc::time_t,
                tv_nsec: wait.subsec_nanos() as libc::c_long,
            },
        };
        // SAFETY: a valid descriptor and a pointer to a live itimerspec.
        if unsafe { libc::timerfd_settime(fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) } < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the OwnedFd stays open, and is the same descriptor, for as
        // long as the AsyncFd that owns it lives.
        let fd = unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }?;
        loop {
            let mut ready = fd.readable().await?;
            let mut expirations = [0u8; 8];
            // SAFETY: reads at most 8 bytes into an 8-byte buffer.
            let read = ready.try_io(|fd| {
                let n = unsafe { libc::read(fd.as_raw_fd(), expirations.as_mut_ptr().cast(), 8) };
                if n < 0 {
                    Err(io::Error::last_os_error())
                } else {
                    Ok(())
                }
            });
            match read {
                Ok(result) => return result,
                Err(_would_block) => continue,
            }
        }
    }
    // ANCHOR_END: timerfd
}

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

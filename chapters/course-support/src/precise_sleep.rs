//! Waiting a precise time on a tokio event loop.
//!
//! tokio's timer is a wheel of 1 ms ticks: a sleep's deadline is rounded up
//! to the next tick, so `sleep(1 ms)` lasts about 2 ms. A real network
//! response is a socket becoming readable, which no timer wheel rounds; a
//! Linux `timerfd` is such an event source, so benchmarks that simulate
//! responses (the lab) and lesson 10's timer demo wait on one.

use std::time::Duration;

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

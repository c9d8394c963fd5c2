//! Python's `SharedMemory(create=True, name=..., size=...)` pattern, end to
//! end: the parent creates a named segment, a child process opens it *by
//! name* and writes into it, the parent reads what the child wrote, and the
//! name disappears from `/dev/shm` when the owner lets go.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use course_support::child::{Spawner, describe, exit_when_orphaned};

use crate::interrupt;
use crate::segment::{self, Segment};

/// The greeting starts here; the first 8 bytes hold its length.
const TEXT_AT: usize = 64;

/// What the demo saw.
#[derive(Debug, Clone)]
pub struct Greeting {
    pub name: String,
    pub size: usize,
    /// `/dev/shm/<name>` existed while we held the segment.
    pub listed_while_open: bool,
    pub child_pid: u32,
    pub child_ended: String,
    /// What the child wrote into the segment.
    pub message: String,
    /// `/dev/shm/<name>` still existed after the owner dropped it.
    pub listed_after_drop: bool,
}

// ANCHOR: greet
/// Creates a segment of `size` bytes, has a child write a greeting into it,
/// reads the greeting, calls `hold` (the demo waits there for Ctrl-C, or
/// not), and drops the segment.
pub fn greet(
    spawner: &Spawner,
    size: usize,
    hold: impl FnOnce(&Segment) -> Result<()>,
) -> Result<Greeting> {
    ensure!(size >= 4096, "give the segment at least 4096 bytes");
    let seg = Segment::create(size)?; // SharedMemory(create=True, size=...)
    let name = seg.name().to_owned();
    let listed_while_open = segment::exists(&name);

    let mut child = spawner.spawn("greeter", ["--segment", &name])?;
    let status = child
        .wait_timeout(Duration::from_secs(20))?
        .ok_or_else(|| anyhow::anyhow!("the greeter did not finish"))?;
    ensure!(status.success(), "the greeter failed: {}", describe(status));

    // The child has exited and we reaped it: all it wrote is visible.
    let len_at = seg.as_ptr().cast::<AtomicU64>();
    // SAFETY: the first 8 bytes of the page-aligned mapping are an AtomicU64
    // (zero at creation); the child stored the length there last.
    let len = unsafe { &*len_at }.load(Ordering::Acquire) as usize;
    ensure!(len <= size - TEXT_AT, "the greeting's length is corrupt");
    // SAFETY: the child wrote `len` bytes at TEXT_AT and has exited.
    let bytes = unsafe { std::slice::from_raw_parts(seg.as_ptr().add(TEXT_AT), len) };
    let message = String::from_utf8_lossy(bytes).into_owned();

    hold(&seg)?;
    drop(seg); // shm.close(); shm.unlink()
    Ok(Greeting {
        listed_after_drop: segment::exists(&name),
        name,
        size,
        listed_while_open,
        child_pid: child.id(),
        child_ended: describe(status),
        message,
    })
}
// ANCHOR_END: greet

/// For the demo's `--hold-secs`: waits up to `secs`, returning at once with
/// `Interrupted` when Ctrl-C arrives.
pub fn hold_for(secs: u64) -> Result<()> {
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        interrupt::check()?;
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

// ANCHOR: greeter
/// Role `greeter`: open the segment by name and write a line into it.
pub fn greeter_role(name: &str) -> Result<()> {
    exit_when_orphaned();
    let seg = Segment::open(name)?; // SharedMemory(name=...)
    let text = format!("hello from pid {}, written into {name}", std::process::id());
    ensure!(
        TEXT_AT + text.len() <= seg.len(),
        "the segment is too small"
    );
    // SAFETY: the parent reads the text only after we exit; the bytes fit.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), seg.as_ptr().add(TEXT_AT), text.len());
        (*seg.as_ptr().cast::<AtomicU64>()).store(text.len() as u64, Ordering::Release);
    }
    std::io::stdout().flush()?;
    Ok(())
}
// ANCHOR_END: greeter

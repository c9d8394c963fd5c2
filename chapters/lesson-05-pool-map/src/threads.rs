//! `Pool.map` and `Pool.imap_unordered` built on plain OS threads.
//!
//! Both hand out chunks from a shared queue, so a worker that finishes early
//! takes the next chunk (dynamic load balancing, as Python's pool does), and
//! both cap the number of threads at `workers`. They differ in *when* you see
//! a result:
//!
//! - [`par_map`] returns every result at once, in input order (`Pool.map`);
//! - [`imap_unordered`] yields each result as soon as it is ready
//!   (`Pool.imap_unordered`), through a channel.

use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;

use crate::chunks::chunk_ranges;

// ANCHOR: par_map
/// `Pool(workers).map(f, items, chunk_size)` on scoped threads: the results
/// in input order. Workers take the next chunk index from one atomic
/// counter, run `f` on each item of that chunk, and keep `(chunk, results)`;
/// after the scope has joined them all, each chunk's results go back in its
/// slot. A panic in `f` reaches the caller once every worker has stopped,
/// as `Pool.map` re-raises a task's exception.
///
/// # Panics
///
/// If `workers` or `chunk_size` is 0, or if `f` panics.
pub fn par_map<T, R, F>(items: &[T], workers: usize, chunk_size: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    assert!(workers >= 1, "a pool needs at least 1 worker");
    let chunks = chunk_ranges(items.len(), chunk_size);
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<Vec<R>>> = (0..chunks.len()).map(|_| None).collect();
    thread::scope(|s| {
        let handles: Vec<_> = (0..workers.min(chunks.len()))
            .map(|_| {
                // ANCHOR: worker_loop
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let c = next.fetch_add(1, Ordering::Relaxed);
                        let Some(range) = chunks.get(c) else {
                            return done;
                        };
                        done.push((c, items[range.clone()].iter().map(&f).collect()));
                    }
                })
                // ANCHOR_END: worker_loop
            })
            .collect();
        let mut panicked = None;
        for handle in handles {
            match handle.join() {
                Ok(done) => done.into_iter().for_each(|(c, rs)| slots[c] = Some(rs)),
                Err(payload) => panicked = Some(payload),
            }
        }
        if let Some(payload) = panicked {
            panic::resume_unwind(payload);
        }
    });
    slots.into_iter().flatten().flatten().collect()
}
// ANCHOR_END: par_map

/// A task that panicked: which item, and the panic's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPanicked {
    pub index: usize,
    pub message: String,
}

impl fmt::Display for TaskPanicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task {} panicked: {}", self.index, self.message)
    }
}

impl std::error::Error for TaskPanicked {}

/// The text of a panic payload (`panic!("...")` carries a `&str` or a `String`).
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// One result of [`imap_unordered`]: `(input index, value)`, or the panic.
pub type Outcome<R> = Result<(usize, R), TaskPanicked>;

/// The results of [`imap_unordered`], in the order they complete.
#[derive(Debug)]
pub struct Unordered<R> {
    results: mpsc::Receiver<Outcome<R>>,
    stop: Arc<AtomicBool>,
}

impl<R> Iterator for Unordered<R> {
    type Item = Outcome<R>;

    /// Blocks until the next result is ready; `None` once every worker has
    /// finished (every sender is gone).
    fn next(&mut self) -> Option<Self::Item> {
        self.results.recv().ok()
    }
}

impl<R> Drop for Unordered<R> {
    /// Stops the workers early: each finishes its current item and takes no more.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

// ANCHOR: imap_unordered
/// `Pool(workers).imap_unordered(f, items, chunk_size)`: starts the workers
/// and returns at once; the iterator yields `(index, result)` in the order
/// the results complete. A panicking item comes back as an `Err` and the
/// other items still run: one bad item is reported, never a hang.
///
/// # Panics
///
/// If `workers` or `chunk_size` is 0.
pub fn imap_unordered<T, R, F>(
    items: Vec<T>,
    workers: usize,
    chunk_size: usize,
    f: F,
) -> Unordered<R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    assert!(workers >= 1, "a pool needs at least 1 worker");
    // The task queue: chunks of owned items, each with its first index.
    let mut rest = items.into_iter();
    let queue: VecDeque<(usize, Vec<T>)> = chunk_ranges(rest.len(), chunk_size)
        .into_iter()
        .map(|r| (r.start, rest.by_ref().take(r.len()).collect()))
        .collect();
    let threads = workers.min(queue.len());
    let queue = Arc::new(Mutex::new(queue));
    let (f, stop) = (Arc::new(f), Arc::new(AtomicBool::new(false)));
    let (tx, results) = mpsc::channel();
    for _ in 0..threads {
        let (queue, f, stop, tx) = (queue.clone(), f.clone(), stop.clone(), tx.clone());
        thread::spawn(move || {
            loop {
                // The guard is a temporary: the lock is released before the work.
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
                let Some((first, chunk)) = next else { return };
                for (k, item) in chunk.into_iter().enumerate() {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let index = first + k;
                    let outcome = panic::catch_unwind(AssertUnwindSafe(|| f(item)))
                        .map(|value| (index, value))
                        .map_err(|p| TaskPanicked {
                            index,
                            message: panic_message(&*p),
                        });
                    if tx.send(outcome).is_err() {
                        return; // nobody is listening any more
                    }
                }
            }
        });
    }
    // Only the workers hold senders now: when the last one returns, the
    // channel closes and the iterator ends.
    Unordered { results, stop }
}
// ANCHOR_END: imap_unordered

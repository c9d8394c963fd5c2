//! Results in completion order: Python's `Pool.imap_unordered`.
//!
//! `Pool.map` hands you every result at the end, in input order.
//! `imap_unordered` hands you each result **as soon as it is ready**, so a
//! slow item never keeps the fast ones from you, and you can start using
//! results while others are still being computed. Each result comes with the
//! index of its item, so you still know which is which.
//!
//! One more thing Python gets only half right: a task that raises. Here a
//! task that panics becomes an `Err` for that item, and every other item
//! still arrives. Nothing hangs.
//!
//! Replace each `todo!()`. Check your work with
//! `cargo xtask check exercises imap-unordered`; stuck?
//! `cargo xtask hint imap-unordered`.

use std::any::Any;
use std::collections::VecDeque;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;

/// An item whose task panicked: its index in the input, and the panic's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFailed {
    pub index: usize,
    pub message: String,
}

/// The results of [`imap_unordered`], in the order they complete.
///
/// You may change the fields; the tests use only `Iterator`.
#[derive(Debug)]
pub struct Unordered<R> {
    results: mpsc::Receiver<Result<(usize, R), TaskFailed>>,
}

impl<R> Iterator for Unordered<R> {
    type Item = Result<(usize, R), TaskFailed>;

    /// Waits for the next result to complete and returns it: `Ok((index,
    /// value))`, or `Err` if that item's task panicked. Returns `None` once
    /// every item has been returned (and only then).
    fn next(&mut self) -> Option<Self::Item> {
        // Fails only when every worker has dropped its sender: all done.
        self.results.recv().ok()
    }
}

/// The text of a panic payload: `panic!("literal")` carries a `&'static
/// str`, `panic!("{x}")` a `String`; anything else gives
/// `"a panic without a message"`.
///
/// ```
/// let payload = std::panic::catch_unwind(|| panic!("bad item {}", 3)).unwrap_err();
/// assert_eq!(imap_unordered::panic_message(&*payload), "bad item 3");
/// ```
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// `Pool(workers).imap_unordered(f, items)`: starts `workers` threads and
/// returns **at once**; the returned iterator yields `(index, f(item))`
/// for every item, in the order the calls complete.
///
/// - Every item is run exactly once, by whichever worker is free next.
/// - The workers run at the same time; never more than `workers` calls of
///   `f` at once.
/// - Results are handed over as they complete: the caller can receive the
///   first while other items are still running.
/// - If `f` panics for an item, that item yields
///   `Err(TaskFailed { index, message })` and the worker goes on with the
///   next item; the iterator still ends after the last item.
///
/// # Panics
///
/// If `workers` is 0.
///
/// ```
/// let mut squares: Vec<(usize, u64)> = imap_unordered::imap_unordered(vec![1, 2, 3], 2, |x: u64| x * x)
///     .map(Result::unwrap)
///     .collect();
/// squares.sort();
/// assert_eq!(squares, [(0, 1), (1, 4), (2, 9)]);
/// ```
pub fn imap_unordered<T, R, F>(items: Vec<T>, workers: usize, f: F) -> Unordered<R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Send + Sync + 'static,
{
    assert!(workers >= 1, "workers must be at least 1");
    let queue: VecDeque<(usize, T)> = items.into_iter().enumerate().collect();
    let queue = Arc::new(Mutex::new(queue));
    let f = Arc::new(f);
    let (tx, results) = mpsc::channel();
    for _ in 0..workers {
        let (queue, f, tx) = (Arc::clone(&queue), Arc::clone(&f), tx.clone());
        thread::spawn(move || {
            loop {
                // A statement of its own: the lock is released before the work.
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
                let Some((index, item)) = next else { return };
                let outcome = panic::catch_unwind(AssertUnwindSafe(|| f(item)))
                    .map(|value| (index, value))
                    .map_err(|payload| TaskFailed {
                        index,
                        message: panic_message(&*payload),
                    });
                if tx.send(outcome).is_err() {
                    return; // the caller dropped the iterator: stop early
                }
            }
        });
    }
    // Only the workers hold senders now, so the channel closes after the last result.
    drop(tx);
    Unordered { results }
}

//! # Exercise: add up download sizes, with a bounded number of workers
//!
//! The seed article starts one thread per URL and adds each response's size to
//! a global total under a lock. Here you write the grown-up version:
//!
//! - at most `workers` downloads are in flight at any moment, however many
//!   pages there are (a real crawler must not open 10,000 connections at once);
//! - as many as `workers` downloads *do* run at the same time when there are
//!   enough pages, so the waits overlap;
//! - every page is fetched exactly once, and the total is exact;
//! - nothing deadlocks, whatever the numbers.
//!
//! `fetch` stands for the download: it blocks for a while and returns the size
//! of the page in bytes. You decide how the workers share the pages and how
//! the total is added up (a `Mutex<usize>`, an atomic, or, best, each worker
//! returning its own subtotal from `join`).
//!
//! Run the tests with `cargo xtask check exercises download-total`, ask for a
//! hint with `cargo xtask hint download-total`.

// The grader also runs the tests in tests/model.rs under a model checker
// (loom), which tries every interleaving of your threads: with the `model`
// feature on, these names switch to its types. Your code reads as plain std.
#[cfg(feature = "model")]
#[allow(unused_imports)]
use model_sync::{
    sync::Mutex,
    sync::atomic::{AtomicUsize, Ordering},
    thread,
};
#[cfg(not(feature = "model"))]
#[allow(unused_imports)] // the bodies are todo!(): your code will use these
use std::{
    sync::Mutex,
    sync::atomic::{AtomicUsize, Ordering},
    thread,
};

/// A page to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// A number that identifies the page: `0..n` for `n` pages.
    pub id: usize,
    pub url: String,
}

impl Page {
    /// The page with this id, at a made-up URL.
    pub fn new(id: usize) -> Self {
        Page {
            id,
            url: format!("http://example.com/page/{id}"),
        }
    }
}

/// Fetches every page in `pages` with `fetch`, using at most `workers`
/// threads at a time, and returns the sum of the sizes `fetch` reported.
///
/// `workers` is at least 1 (you may panic on 0). With more workers than
/// pages, use one worker per page.
///
/// ```no_run
/// use download_total::{Page, total_bytes};
///
/// let pages: Vec<Page> = (0..10).map(Page::new).collect();
/// let total = total_bytes(&pages, 3, |page| 1_000 + page.id);
/// assert_eq!(total, 10_045);
/// ```
pub fn total_bytes(pages: &[Page], workers: usize, fetch: impl Fn(&Page) -> usize + Sync) -> usize {
    todo!(
        "start `workers` scoped threads that share the pages, fetch each page once, add up the sizes"
    )
}

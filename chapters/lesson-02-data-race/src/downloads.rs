//! The seed's download total: threads add the size of what they downloaded to
//! a shared total under a lock. No network here: a download is a sleep (the
//! I/O wait) followed by a size that depends only on the page, so every run
//! has the same exact total.

use std::sync::Mutex;
use std::thread;
use std::time::Duration;

pub use course_support::InFlight;
use course_support::time;

/// A page to download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub id: usize,
    pub url: String,
}

/// `n` pages with ids `0..n`.
pub fn pages(n: usize) -> Vec<Page> {
    (0..n)
        .map(|id| Page {
            id,
            url: format!("http://example.com/page/{id}"),
        })
        .collect()
}

/// The size of a page's body: deterministic, between 1,000 and 99,999 bytes.
pub fn page_size(page: &Page) -> usize {
    1_000 + (page.id * 7_919 + 4_211) % 99_000
}

/// A stand-in for `requests.get(url).content`: waits `latency`, then
/// returns the page's size.
pub fn simulated_fetch(page: &Page, latency: Duration) -> usize {
    thread::sleep(latency);
    page_size(page)
}

// ANCHOR: locked_total
/// The seed's shape: one thread per page, each adds its bytes to a shared
/// total under a lock.
pub fn total_with_lock(pages: &[Page], fetch: impl Fn(&Page) -> usize + Sync) -> usize {
    let total = Mutex::new(0);
    thread::scope(|s| {
        for page in pages {
            let (total, fetch) = (&total, &fetch);
            s.spawn(move || {
                let bytes = fetch(page); // the slow part, with no lock held
                *total.lock().unwrap() += bytes; // the lock covers only the addition
            });
        }
    });
    total.into_inner().unwrap()
}
// ANCHOR_END: locked_total

// ANCHOR: lock_held_too_long
/// The same, with the guard taken before the download: still exact, but only
/// one download can be in flight at a time.
pub fn total_lock_held_during_fetch(
    pages: &[Page],
    fetch: impl Fn(&Page) -> usize + Sync,
) -> usize {
    let total = Mutex::new(0);
    thread::scope(|s| {
        for page in pages {
            let (total, fetch) = (&total, &fetch);
            s.spawn(move || {
                let mut total = total.lock().unwrap(); // locked from here...
                *total += fetch(page); // ...through the whole download
            }); // ...to here, where the guard is dropped
        }
    });
    total.into_inner().unwrap()
}
// ANCHOR_END: lock_held_too_long

// ANCHOR: joined_total
/// The better shape: each thread returns its page's size, and the total is
/// the sum of the join results. Nothing is shared, so there is nothing to lock.
pub fn total_from_joins(pages: &[Page], fetch: impl Fn(&Page) -> usize + Sync) -> usize {
    let fetch = &fetch;
    thread::scope(|s| {
        let handles: Vec<_> = pages
            .iter()
            .map(|page| s.spawn(move || fetch(page)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}
// ANCHOR_END: joined_total

/// One page after another, on the calling thread.
pub fn total_sequential(pages: &[Page], fetch: impl Fn(&Page) -> usize) -> usize {
    pages.iter().map(fetch).sum()
}

/// A way of adding up the download sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Sequential,
    LockHeldDuringFetch,
    LockAroundAdd,
    SumOfJoins,
}

impl Shape {
    pub const ALL: [Shape; 4] = [
        Shape::Sequential,
        Shape::LockHeldDuringFetch,
        Shape::LockAroundAdd,
        Shape::SumOfJoins,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Shape::Sequential => "one after another",
            Shape::LockHeldDuringFetch => "threads, lock held during download",
            Shape::LockAroundAdd => "threads, lock around the += (seed)",
            Shape::SumOfJoins => "threads, sum of join results",
        }
    }

    /// The total this shape computes with `fetch`.
    pub fn total(self, pages: &[Page], fetch: impl Fn(&Page) -> usize + Sync) -> usize {
        match self {
            Shape::Sequential => total_sequential(pages, fetch),
            Shape::LockHeldDuringFetch => total_lock_held_during_fetch(pages, fetch),
            Shape::LockAroundAdd => total_with_lock(pages, fetch),
            Shape::SumOfJoins => total_from_joins(pages, fetch),
        }
    }
}

/// One measured way of downloading.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub shape: Shape,
    pub total: usize,
    pub peak_in_flight: usize,
    pub elapsed: Duration,
}

/// The exact total of `pages`, computed without any threads.
pub fn expected_total(pages: &[Page]) -> usize {
    pages.iter().map(page_size).sum()
}

/// Downloads `n` simulated pages, each taking `latency`, in every [`Shape`].
pub fn compare(n: usize, latency: Duration) -> Vec<Run> {
    let pages = pages(n);
    Shape::ALL
        .into_iter()
        .map(|shape| {
            let gauge = InFlight::default();
            let run = time(|| shape.total(&pages, |p| gauge.track(|| simulated_fetch(p, latency))));
            Run {
                shape,
                total: run.value,
                peak_in_flight: gauge.peak(),
                elapsed: run.elapsed,
            }
        })
        .collect()
}

//! Canonical tests for `download-total`: exact totals, real overlap, a bound
//! that holds under stress, every page once, no deadlock.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::{Duration, Instant};

use download_total::{Page, total_bytes};

/// How long a download waits for the others to overlap with it, at most. Not
/// a speed limit: correct code overlaps at once; the deadline only keeps a
/// one-download-at-a-time solution from hanging the test.
const PATIENCE: Duration = Duration::from_secs(3);

fn pages(n: usize) -> Vec<Page> {
    (0..n).map(Page::new).collect()
}

/// The made-up size of a page, in bytes.
fn size(page: &Page) -> usize {
    500 + page.id * 37 % 1_000
}

fn expected(pages: &[Page]) -> usize {
    pages.iter().map(size).sum()
}

/// Counts downloads in flight and remembers the most there were at once.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl InFlight {
    /// A download that lasts while `wait` runs.
    fn download(&self, page: &Page, wait: impl FnOnce(&Self)) -> usize {
        let now = self.now.fetch_add(1, SeqCst) + 1;
        self.peak.fetch_max(now, SeqCst);
        wait(self);
        self.now.fetch_sub(1, SeqCst);
        size(page)
    }

    fn peak(&self) -> usize {
        self.peak.load(SeqCst)
    }
}

#[test]
fn total_is_exact() {
    let pages = pages(50);
    let total = total_bytes(&pages, 4, |page| {
        thread::yield_now();
        size(page)
    });
    assert_eq!(
        total,
        expected(&pages),
        "the total must be the sum of the sizes fetch returned for the 50 pages"
    );
}

#[test]
fn downloads_really_overlap() {
    let pages = pages(12);
    let gauge = InFlight::default();
    let deadline = Instant::now() + PATIENCE;
    let total = total_bytes(&pages, 4, |page| {
        gauge.download(page, |g| {
            // Stay "on the network" until 4 downloads have been in flight together.
            while g.peak() < 4 && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(1));
            }
        })
    });
    assert_eq!(total, expected(&pages), "the total must be exact");
    let peak = gauge.peak();
    assert!(
        peak >= 2,
        "downloads never overlapped (at most {peak} in flight): fetch must be called from \
         several threads that run at the same time"
    );
    assert_eq!(
        peak, 4,
        "with 4 workers and 12 pages, 4 downloads should be in flight at once, but at most \
         {peak} were: start all the workers before waiting for any, and don't hold a lock \
         while fetch runs"
    );
}

#[test]
fn never_more_than_workers_in_flight() {
    for (n, workers) in [(200, 3), (120, 5)] {
        let pages = pages(n);
        let gauge = InFlight::default();
        let total = total_bytes(&pages, workers, |page| {
            gauge.download(page, |_| thread::sleep(Duration::from_millis(1)))
        });
        assert_eq!(total, expected(&pages), "the total must be exact");
        let peak = gauge.peak();
        assert!(
            peak <= workers,
            "{peak} downloads were in flight at once, but only {workers} workers are allowed: \
             start at most `workers` threads and let them share the {n} pages (not one thread \
             per page, nor more chunks than workers)"
        );
    }
}

#[test]
fn every_page_is_fetched_exactly_once() {
    let pages = pages(300);
    let fetched = Mutex::new(Vec::new());
    let total = total_bytes(&pages, 7, |page| {
        fetched.lock().unwrap().push(page.id);
        size(page)
    });
    let mut fetched = fetched.into_inner().unwrap();
    assert_eq!(
        fetched.len(),
        300,
        "300 pages should mean 300 calls to fetch, not {}",
        fetched.len()
    );
    fetched.sort_unstable();
    let ids: Vec<usize> = (0..300).collect();
    assert_eq!(
        fetched, ids,
        "each page must be fetched exactly once (some were fetched twice or never)"
    );
    assert_eq!(total, expected(&pages), "the total must be exact");
}

#[test]
fn more_workers_than_pages() {
    let pages = pages(3);
    let gauge = InFlight::default();
    let total = total_bytes(&pages, 10, |page| {
        gauge.download(page, |_| thread::yield_now())
    });
    assert_eq!(
        total,
        expected(&pages),
        "3 pages and 10 workers: the total must still be exact (and nothing may wait forever \
         for pages that don't exist)"
    );
    assert!(
        gauge.peak() <= 3,
        "3 pages can't be downloaded more than 3 at a time"
    );
}

#[test]
fn one_worker_means_one_at_a_time() {
    let pages = pages(20);
    let gauge = InFlight::default();
    let total = total_bytes(&pages, 1, |page| {
        gauge.download(page, |_| thread::yield_now())
    });
    assert_eq!(total, expected(&pages), "the total must be exact");
    assert_eq!(
        gauge.peak(),
        1,
        "with 1 worker, downloads must happen one after another"
    );
}

#[test]
fn no_pages_no_bytes() {
    assert_eq!(
        total_bytes(&[], 4, size),
        0,
        "with no pages to fetch the total is 0"
    );
}

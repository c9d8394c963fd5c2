//! Canonical tests for `download-total`: exact totals, real overlap, a bound
//! that holds under stress, every page once, no deadlock.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::{Duration, Instant};

use course_support::testing::StartLine;
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

/// Workers that reach for the next page at the same moment, over and over:
/// the first download of each worker waits until all of them are running, then
/// thousands of instant downloads keep them claiming pages side by side. A
/// claim that is a load and then a store hands one page to two workers here.
#[test]
fn workers_that_claim_at_the_same_moment_never_share_a_page() {
    const WORKERS: usize = 4;
    const N: usize = 4_000;
    let pages = pages(N);
    // Rounds for half a second: on two cores the workers collide within a
    // round or two; squeezed onto one core they collide when the scheduler
    // stops one between its read and its write, which takes more rounds.
    let started = Instant::now();
    for round in 1.. {
        if round > 10 && started.elapsed() > Duration::from_millis(500) {
            break;
        }
        let calls: Vec<AtomicUsize> = (0..N).map(|_| AtomicUsize::new(0)).collect();
        // Each worker's first download waits until all are running (if they
        // never meet, `downloads_really_overlap` says why; this test goes on).
        let start = StartLine::new(WORKERS, PATIENCE);
        let total = total_bytes(&pages, WORKERS, |page| {
            start.wait();
            calls[page.id].fetch_add(1, SeqCst);
            size(page)
        });
        let twice: Vec<usize> = (0..N).filter(|&i| calls[i].load(SeqCst) > 1).collect();
        let never: Vec<usize> = (0..N).filter(|&i| calls[i].load(SeqCst) == 0).collect();
        assert!(
            twice.is_empty() && never.is_empty(),
            "round {round}: with {WORKERS} workers claiming pages at the same moment, {} page(s) \
             were fetched more than once (first: {:?}) and {} never (first: {:?}). Claiming the \
             next page must be one atomic step, `next.fetch_add(1, ...)` (or a lock held across \
             the read and the increment): a `load` followed by a `store` lets two workers read \
             the same index before either writes it back",
            twice.len(),
            &twice[..twice.len().min(5)],
            never.len(),
            &never[..never.len().min(5)],
        );
        assert_eq!(
            total,
            expected(&pages),
            "round {round}: the total must be exact"
        );
    }
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

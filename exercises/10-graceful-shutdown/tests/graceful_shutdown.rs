//! The canonical tests of `graceful-shutdown`: every job is reported exactly
//! once, nothing starts after the stop, running jobs get the grace period and
//! no more, and nothing is left running when `shutdown` returns.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use graceful_shutdown::{Report, shutdown};
use tokio_util::sync::CancellationToken;

/// What the fake fetches went through.
#[derive(Default)]
struct Tracker {
    started: Mutex<Vec<(usize, Instant)>>,
    finished: Mutex<Vec<usize>>,
    alive: AtomicUsize,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

/// Lives as long as a fetch's future: dropped on finish *and* on cancel.
struct Alive(Arc<Tracker>);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.alive.fetch_sub(1, Ordering::SeqCst);
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Tracker {
    fn started_ids(&self) -> BTreeSet<usize> {
        self.started
            .lock()
            .unwrap()
            .iter()
            .map(|&(i, _)| i)
            .collect()
    }
}

/// A fake fetch: job `i` takes `ms[i]` milliseconds.
fn fetcher(
    tracker: &Arc<Tracker>,
    ms: Vec<u64>,
) -> impl Fn(usize) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> + use<> {
    let tracker = tracker.clone();
    move |i| {
        let t = tracker.clone();
        let ms = ms[i];
        Box::pin(async move {
            t.started.lock().unwrap().push((i, Instant::now()));
            t.alive.fetch_add(1, Ordering::SeqCst);
            let now = t.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            t.peak.fetch_max(now, Ordering::SeqCst);
            let _alive = Alive(t.clone());
            tokio::time::sleep(Duration::from_millis(ms)).await;
            t.finished.lock().unwrap().push(i);
        })
    }
}

/// Cancels `stop` after `ms`; returns when it did.
fn stop_after(stop: &CancellationToken, ms: u64) -> Arc<Mutex<Option<Instant>>> {
    let when = Arc::new(Mutex::new(None));
    let (stop, at) = (stop.clone(), when.clone());
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        *at.lock().unwrap() = Some(Instant::now());
        stop.cancel();
    });
    when
}

fn sorted(v: &[usize]) -> Vec<usize> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v
}

/// Every job id appears in exactly one of the three lists.
fn each_job_once(report: &Report, jobs: usize) {
    let mut all = report.finished.clone();
    all.extend(&report.cancelled);
    all.extend(&report.never_started);
    assert_eq!(
        sorted(&all),
        (0..jobs).collect::<Vec<_>>(),
        "every job must be reported exactly once (finished, cancelled or never started): {report:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_job_finishes_when_nothing_stops_it_at_most_limit_at_once() {
    let tracker = Arc::new(Tracker::default());
    let report = shutdown(
        8,
        3,
        fetcher(&tracker, vec![30; 8]),
        CancellationToken::new(),
        Duration::from_secs(1),
    )
    .await;
    each_job_once(&report, 8);
    assert_eq!(
        sorted(&report.finished),
        (0..8).collect::<Vec<_>>(),
        "{report:?}"
    );
    let peak = tracker.peak.load(Ordering::SeqCst);
    assert!(peak <= 3, "{peak} fetches ran at once with limit 3");
    assert_eq!(
        peak, 3,
        "the fetches should run 3 at a time, not one after another"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_starts_after_the_stop_and_the_unstarted_are_reported() {
    let tracker = Arc::new(Tracker::default());
    let stop = CancellationToken::new();
    let stopped_at = stop_after(&stop, 120);
    let report = shutdown(
        20,
        2,
        fetcher(&tracker, vec![50; 20]),
        stop,
        Duration::from_secs(2),
    )
    .await;
    each_job_once(&report, 20);
    let stopped_at = stopped_at.lock().unwrap().expect("the stop fired");
    let late: Vec<usize> = tracker
        .started
        .lock()
        .unwrap()
        .iter()
        .filter(|&&(_, at)| at > stopped_at + Duration::from_millis(5))
        .map(|&(i, _)| i)
        .collect();
    assert!(late.is_empty(), "jobs {late:?} were started after the stop");
    let started = tracker.started_ids();
    let unstarted: BTreeSet<usize> = (0..20).filter(|i| !started.contains(i)).collect();
    assert!(
        !unstarted.is_empty(),
        "the stop came before the end: some jobs must remain"
    );
    assert_eq!(
        report
            .never_started
            .iter()
            .copied()
            .collect::<BTreeSet<_>>(),
        unstarted,
        "never_started must list exactly the jobs that were not started"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_jobs_finish_in_the_grace_period_without_waiting_for_all_of_it() {
    let tracker = Arc::new(Tracker::default());
    let stop = CancellationToken::new();
    stop_after(&stop, 50);
    let start = Instant::now();
    let report = shutdown(
        4,
        4,
        fetcher(&tracker, vec![150; 4]),
        stop,
        Duration::from_secs(3),
    )
    .await;
    let took = start.elapsed();
    each_job_once(&report, 4);
    assert_eq!(
        sorted(&report.finished),
        vec![0, 1, 2, 3],
        "they fit in the grace period: {report:?}"
    );
    assert!(
        took < Duration::from_millis(1_500),
        "returned after {took:?}: once every job has ended, stop waiting"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_longer_than_the_grace_are_cancelled_and_gone_when_it_returns() {
    let tracker = Arc::new(Tracker::default());
    let stop = CancellationToken::new();
    stop_after(&stop, 50);
    let start = Instant::now();
    let report = shutdown(
        6,
        3,
        fetcher(&tracker, vec![10_000; 6]),
        stop,
        Duration::from_millis(100),
    )
    .await;
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(2),
        "returned after {took:?}: the grace period is 100 ms"
    );
    each_job_once(&report, 6);
    assert_eq!(sorted(&report.cancelled), vec![0, 1, 2], "{report:?}");
    assert_eq!(sorted(&report.never_started), vec![3, 4, 5], "{report:?}");
    assert_eq!(
        tracker.alive.load(Ordering::SeqCst),
        0,
        "a cancelled fetch still exists after shutdown returned: abort it and wait for it to end (dropping a JoinHandle only detaches the task)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_jobs_finish_and_long_ones_are_cancelled_and_stay_cancelled() {
    let tracker = Arc::new(Tracker::default());
    let stop = CancellationToken::new();
    stop_after(&stop, 20);
    let report = shutdown(
        4,
        4,
        fetcher(&tracker, vec![60, 600, 60, 600]),
        stop,
        Duration::from_millis(200),
    )
    .await;
    each_job_once(&report, 4);
    assert_eq!(sorted(&report.finished), vec![0, 2], "{report:?}");
    assert_eq!(sorted(&report.cancelled), vec![1, 3], "{report:?}");
    tokio::time::sleep(Duration::from_millis(700)).await; // past when 1 and 3 would have ended
    assert_eq!(
        sorted(&tracker.finished.lock().unwrap()),
        vec![0, 2],
        "a cancelled fetch kept running and finished later: was it detached instead of aborted?"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_jobs_is_an_empty_report() {
    let tracker = Arc::new(Tracker::default());
    let report = shutdown(
        0,
        4,
        fetcher(&tracker, vec![]),
        CancellationToken::new(),
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(report, Report::default());
}

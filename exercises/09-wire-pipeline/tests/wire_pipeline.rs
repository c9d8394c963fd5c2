//! Canonical tests for `wire-pipeline`, against a local HTTP server (the
//! course's embedded server) that answers after a latency, fails the paths
//! it is told to, and counts the requests it has answered and has in
//! flight. Every test has a time limit, so a pipeline that hangs fails.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use loopback_http::server::{ServerConfig, TestServer};
use wire_pipeline::{Config, FetchError, Item, PipelineError, Summary, run};

/// Far longer than any test needs.
const PATIENCE: Duration = Duration::from_secs(15);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Runs `f` on a thread of its own; fails the test if it takes longer than
/// [`PATIENCE`] (a hang) and re-raises its panic if it panicked.
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(PATIENCE) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "{what} was still running after {PATIENCE:?}: the pipeline hangs (is the channel \
             closed when the fetch stage ends? are all threads joined?)"
        ),
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!(),
        },
    }
}

fn server(latency: Duration) -> TestServer {
    TestServer::start_blocking(ServerConfig::default().latency(latency).workers(1))
        .expect("the test server starts")
}

/// The index a body belongs to: the server starts each body with its path, `/item/N`.
fn index_in(body: &[u8]) -> usize {
    let line = body.split(|&b| b == b'\n').next().unwrap_or_default();
    let text = String::from_utf8_lossy(line);
    text.trim_start_matches("/item/")
        .parse()
        .unwrap_or(usize::MAX)
}

/// The value crunch computes for item `i`.
fn value_of(i: usize) -> u64 {
    (i as u64) * (i as u64) + 1
}

/// A barrier with a timeout: `arrive` is `true` once `n` threads are inside together.
struct Rendezvous {
    n: usize,
    arrived: Mutex<usize>,
    all_here: Condvar,
}

impl Rendezvous {
    fn new(n: usize) -> Self {
        Self {
            n,
            arrived: Mutex::new(0),
            all_here: Condvar::new(),
        }
    }

    fn arrive(&self, timeout: Duration) -> bool {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.all_here.notify_all();
        let (arrived, _) = self
            .all_here
            .wait_timeout_while(arrived, timeout, |a| *a < self.n)
            .unwrap();
        *arrived >= self.n
    }
}

#[test]
fn the_aggregate_is_exact_and_every_item_counts_once() {
    let n = 60;
    let (summary, mismatched) = within("run", move || {
        let server = server(ms(2));
        let urls = server.urls(n);
        let mismatched = Arc::new(AtomicUsize::new(0));
        let m = Arc::clone(&mismatched);
        let config = Config {
            concurrency: 8,
            capacity: 4,
            cpu_workers: 3,
        };
        let summary = run(&urls, config, move |item: &Item| {
            if index_in(&item.body) != item.index {
                m.fetch_add(1, SeqCst);
            }
            value_of(item.index)
        });
        (summary, mismatched.load(SeqCst))
    });
    let summary = summary.expect("every fetch succeeds: run must return Ok");
    assert_eq!(
        mismatched, 0,
        "some items carried another item's body: keep each body with its own index"
    );
    let expected = Summary {
        items: n,
        total: (0..n).map(value_of).sum(),
        indices: (0..n).collect(),
    };
    assert_eq!(
        summary, expected,
        "every item must be crunched and aggregated exactly once (and the indices sorted by finish())"
    );
}

#[test]
fn the_channel_bound_holds_when_the_cpu_stage_is_slow() {
    // No latency: fetching is fast. One CPU thread, 4 ms per item: crunching is slow.
    let (concurrency, capacity, cpu_workers) = (8, 2, 1);
    let n = 60;
    let (summary, peak) = within("run with a slow CPU stage", move || {
        let server = Arc::new(server(Duration::ZERO));
        let urls = server.urls(n);
        let started = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (srv, st, pk) = (Arc::clone(&server), Arc::clone(&started), Arc::clone(&peak));
        let config = Config {
            concurrency,
            capacity,
            cpu_workers,
        };
        let summary = run(&urls, config, move |item: &Item| {
            let started = st.fetch_add(1, SeqCst) + 1;
            // Answered by the server but not yet being crunched: in a fetch
            // slot, in the channel, or handed to a CPU thread.
            let backlog = (srv.stats().ok as usize).saturating_sub(started);
            pk.fetch_max(backlog, SeqCst);
            thread::sleep(ms(4));
            value_of(item.index)
        });
        (summary, peak.load(SeqCst))
    });
    let summary = summary.expect("run must return Ok");
    assert_eq!(summary.items, n, "every item must be processed");
    let bound = capacity + concurrency + cpu_workers;
    assert!(
        peak <= bound,
        "up to {peak} items were fetched and waiting for the CPU stage, more than capacity + \
         concurrency + cpu_workers = {bound}: the channel must be bounded (capacity {capacity}), \
         a fetch must keep its slot until its item is in the channel, and the CPU stage must \
         not pull items out faster than it crunches them (rayon::spawn per item queues them all)"
    );
}

#[test]
fn fetching_and_crunching_happen_at_the_same_time() {
    let overlapped = within("run", || {
        let server = Arc::new(server(ms(100)));
        let urls = server.urls(8);
        let checked = Arc::new(AtomicBool::new(false));
        let overlapped = Arc::new(AtomicBool::new(false));
        let (srv, ch, ov) = (
            Arc::clone(&server),
            Arc::clone(&checked),
            Arc::clone(&overlapped),
        );
        let config = Config {
            concurrency: 2,
            capacity: 2,
            cpu_workers: 1,
        };
        let summary = run(&urls, config, move |item: &Item| {
            // The first item crunched waits (3 s at most) for a fetch to be in
            // flight at the server at the same time.
            if !ch.swap(true, SeqCst) {
                let deadline = Instant::now() + Duration::from_secs(3);
                while Instant::now() < deadline {
                    if srv.stats().in_flight > 0 {
                        ov.store(true, SeqCst);
                        break;
                    }
                    thread::sleep(ms(1));
                }
            }
            value_of(item.index)
        });
        assert!(summary.is_ok(), "run must return Ok: {summary:?}");
        overlapped.load(SeqCst)
    });
    assert!(
        overlapped,
        "while the CPU stage crunched the first item, no fetch was in flight: the stages ran one \
         after the other. Start crunching items while the fetch stage is still fetching."
    );
}

#[test]
fn the_cpu_stage_crunches_on_several_threads_at_once() {
    let workers = 3;
    let (together, summary) = within("run", move || {
        let server = server(Duration::ZERO);
        let urls = server.urls(12);
        let meet = Arc::new(Rendezvous::new(workers));
        let waited = Arc::new(AtomicUsize::new(0));
        let met = Arc::new(AtomicUsize::new(0));
        let (m, w, t) = (Arc::clone(&meet), Arc::clone(&waited), Arc::clone(&met));
        let config = Config {
            concurrency: 4,
            capacity: 4,
            cpu_workers: workers,
        };
        let summary = run(&urls, config, move |item: &Item| {
            // The first `workers` items meet, if they are crunched at the same time.
            if w.fetch_add(1, SeqCst) < workers && m.arrive(Duration::from_secs(2)) {
                t.fetch_add(1, SeqCst);
            }
            value_of(item.index)
        });
        (met.load(SeqCst), summary)
    });
    assert!(summary.is_ok(), "run must return Ok: {summary:?}");
    assert_eq!(
        together, workers,
        "{workers} items should be crunched at the same time on {workers} CPU threads, but they \
         never were all in progress together"
    );
}

#[test]
fn the_first_failed_fetch_stops_the_pipeline_and_is_returned() {
    let n = 200;
    let (result, requests, late_calls) = within("run with a failing URL", move || {
        let server = server(ms(10));
        let mut urls = server.urls(n);
        urls[5] = server.url_for("/fail/item/5"); // answers 500
        let returned = Arc::new(AtomicBool::new(false));
        let late = Arc::new(AtomicUsize::new(0));
        let (r, l) = (Arc::clone(&returned), Arc::clone(&late));
        let config = Config {
            concurrency: 2,
            capacity: 2,
            cpu_workers: 2,
        };
        let result = run(&urls, config, move |item: &Item| {
            if r.load(SeqCst) {
                l.fetch_add(1, SeqCst);
            }
            value_of(item.index)
        });
        returned.store(true, SeqCst);
        thread::sleep(ms(100)); // a stage left running would call crunch now
        (result, server.stats().requests, late.load(SeqCst))
    });
    assert_eq!(
        result,
        Err(PipelineError {
            index: 5,
            error: FetchError::Status(500)
        }),
        "a 500 for item 5 must come back as run's error"
    );
    assert!(
        (requests as usize) < n,
        "after the error, the fetch stage must stop: the server still got all {requests} requests"
    );
    assert_eq!(
        late_calls, 0,
        "crunch was called after run returned: join every stage before returning"
    );
}

//! The hybrid pipeline: async fetch stage -> bounded channel -> rayon CPU
//! stage -> aggregate, each stage on threads of its own, all running at once.
//!
//! ```text
//!  caller's thread             CPU pool (k threads)        aggregate thread
//!  ┌──────────────────┐  tokio  ┌──────────────────┐ cross- ┌──────────────┐
//!  │ tokio runtime:   │  mpsc   │ par_bridge:      │ beam   │ fold into    │
//!  │ ≤ c fetches in   │ ──────> │ each idle thread │ ─────> │ one          │
//!  │ flight (reqwest) │ bounded │ takes the next   │bounded │ Aggregate    │
//!  └──────────────────┘         └──────────────────┘        └──────────────┘
//! ```
//!
//! - **Backpressure.** A fetch keeps its slot until its body is *in* the
//!   channel. When the CPU stage falls behind, the channel fills, sends
//!   wait, every slot ends up holding a finished body, and no new fetch
//!   starts: at most `capacity + concurrency + cpu_workers` bodies exist at
//!   any moment, however many URLs there are.
//! - **Graceful stop.** When [`StopSignal`] is raised, the fetch stage takes
//!   no new URL; fetches in flight finish, the channel drains through the CPU
//!   stage, and the aggregate is exact for the items it covers.
//! - **Fatal errors.** The first fetch error that [`is_fatal`] cancels the
//!   fetch stage (the fetches in flight are dropped), the CPU stage drains
//!   what was already fetched, every thread is joined, and `run` returns the
//!   error together with the partial report.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam::channel::{Receiver, Sender};
use futures::stream::{self, StreamExt};
use rayon::iter::{ParallelBridge, ParallelIterator};
use reqwest::Client;

use crate::aggregate::{Aggregate, Crunched};
use crate::bridge::{self, BridgeRx, BridgeTx, Capacity, QueueStats};
use crate::fetch::{self, ErrorKind, FetchError, Fetched, fetch_body, is_fatal};
use crate::stats::{StageMeter, StageStats};
use crate::stop::StopSignal;
use crate::work::{Work, crunch};

/// Room between the CPU stage and the aggregate (a sync-to-sync channel).
const TO_AGGREGATE: usize = 64;

/// How a pipeline runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Fetches in flight at most.
    pub concurrency: usize,
    /// Room in the channel between the fetch and CPU stages.
    pub capacity: Capacity,
    /// Threads of the CPU stage's rayon pool.
    pub cpu_workers: usize,
    /// CPU work per item.
    pub work: Work,
    /// Time limit of each request.
    pub fetch_timeout: Duration,
    /// Raise the stop signal once this many items are aggregated: the
    /// same path as Ctrl-C, on cue (for demos and tests).
    pub stop_after: Option<usize>,
}

impl Config {
    /// 8 fetches in flight, a channel of 8, one CPU thread per core, 5 s per request.
    pub fn new(work: Work) -> Self {
        Self {
            concurrency: 8,
            capacity: Capacity::Bounded(8),
            cpu_workers: course_support::cores(),
            work,
            fetch_timeout: Duration::from_secs(5),
            stop_after: None,
        }
    }

    /// A configuration that cannot run says why.
    pub fn validate(&self) -> Result<(), PipelineError> {
        let bad = |what: &str| Err(PipelineError::Setup(format!("{what} must be at least 1")));
        if self.concurrency == 0 {
            return bad("concurrency");
        }
        if self.cpu_workers == 0 {
            return bad("cpu_workers");
        }
        if self.capacity == Capacity::Bounded(0) {
            return bad("the channel's capacity");
        }
        Ok(())
    }
}

/// One item that failed to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    pub index: usize,
    pub url: String,
    pub error: FetchError,
}

impl fmt::Display for ItemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "item {} ({}): {}", self.index, self.url, self.error)
    }
}

/// Non-fatal errors, counted by kind, with the first few kept as examples.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorLog {
    pub by_kind: BTreeMap<ErrorKind, usize>,
    pub examples: Vec<ItemError>,
}

impl ErrorLog {
    /// How many examples are kept.
    pub const EXAMPLES: usize = 3;

    /// Counts one error.
    pub fn record(&mut self, error: ItemError) {
        *self.by_kind.entry(error.error.kind()).or_default() += 1;
        if self.examples.len() < Self::EXAMPLES {
            self.examples.push(error);
        }
    }

    /// All errors counted.
    pub fn total(&self) -> usize {
        self.by_kind.values().sum()
    }
}

/// Why a pipeline did not finish its job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PipelineError {
    /// A fetch failed in a way that dooms every other fetch.
    Fetch(ItemError),
    /// The CPU stage panicked or could not start.
    CpuStage(String),
    /// The aggregate stage panicked or could not start.
    Aggregate(String),
    /// The configuration cannot run, or a runtime could not be built.
    Setup(String),
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PipelineError::Fetch(e) => write!(f, "fatal fetch error: {e}"),
            PipelineError::CpuStage(why) => write!(f, "the CPU stage failed: {why}"),
            PipelineError::Aggregate(why) => write!(f, "the aggregate stage failed: {why}"),
            PipelineError::Setup(why) => write!(f, "cannot run the pipeline: {why}"),
        }
    }
}

impl std::error::Error for PipelineError {}

/// What a run did, complete or partial.
#[derive(Debug, Clone)]
pub struct Report {
    /// The prefix of this run's thread names.
    pub tag: String,
    /// URLs given.
    pub urls: usize,
    /// From start until every stage was joined.
    pub wall: Duration,
    /// From start until the fetch stage ended.
    pub fetch_finished: Duration,
    /// The result.
    pub aggregate: Aggregate,
    /// fetch, cpu, aggregate.
    pub stages: [StageStats; 3],
    /// The channel between fetch and CPU (none when the CPU work is inline).
    pub queue: Option<QueueStats>,
    /// Non-fatal fetch errors.
    pub errors: ErrorLog,
    /// URLs never requested (the run stopped first).
    pub not_started: usize,
    /// Fetches started and then dropped (a fatal error cancelled them).
    pub cancelled: usize,
    /// Stopped by the stop signal before every URL was requested.
    pub stopped_early: bool,
}

impl Report {
    pub fn fetch(&self) -> &StageStats {
        &self.stages[0]
    }

    pub fn cpu(&self) -> &StageStats {
        &self.stages[1]
    }

    pub fn aggregator(&self) -> &StageStats {
        &self.stages[2]
    }

    /// The stage with the lowest limit *during this run* (its workers over
    /// its mean busy time per item), when every stage handled an item.
    pub fn slowest_in_run(&self) -> Option<&StageStats> {
        self.stages
            .iter()
            .filter(|s| s.items_out + s.failed > 0)
            .min_by(|a, b| a.limit().total_cmp(&b.limit()))
    }

    // ANCHOR: flow
    /// Checks that every item is accounted for: each URL was requested or
    /// not started; each request ended passed on, failed, or cancelled;
    /// everything passed on went through the channel, the CPU stage and the
    /// aggregate, and was aggregated once. `Err` names the first mismatch.
    pub fn check_flow(&self) -> Result<(), String> {
        let (f, c, a) = (self.fetch(), self.cpu(), self.aggregator());
        let mut equal = vec![
            (
                "URLs",
                self.urls,
                "requested + not started",
                f.items_in + self.not_started,
            ),
            (
                "fetch in",
                f.items_in,
                "out + failed + cancelled",
                f.items_out + f.failed + self.cancelled,
            ),
            ("fetch out", f.items_out, "CPU in", c.items_in),
            ("CPU in", c.items_in, "CPU out", c.items_out),
            ("CPU out", c.items_out, "aggregate in", a.items_in),
            (
                "aggregate in",
                a.items_in,
                "aggregated",
                self.aggregate.items,
            ),
            (
                "fetch errors",
                f.failed,
                "logged + fatal",
                self.errors.total() + self.fatal_count(),
            ),
        ];
        if let Some(q) = &self.queue {
            equal.push(("fetch out", f.items_out, "sent into the channel", q.sent));
            equal.push(("sent into the channel", q.sent, "taken out", q.received));
        }
        for (left, l, right, r) in equal {
            if l != r {
                return Err(format!("{left} ({l}) != {right} ({r})"));
            }
        }
        if !self.aggregate.each_once() {
            return Err("an item was aggregated twice".into());
        }
        Ok(())
    }
    // ANCHOR_END: flow

    /// Fetch failures that were fatal (0 or 1): failures not in the log.
    fn fatal_count(&self) -> usize {
        self.fetch()
            .failed
            .saturating_sub(self.errors.total())
            .min(1)
    }

    fn empty(tag: String, urls: usize, config: &Config) -> Self {
        let idle = StageMeter::default();
        Report {
            tag,
            urls,
            wall: Duration::ZERO,
            fetch_finished: Duration::ZERO,
            aggregate: Aggregate::default(),
            stages: [
                idle.stats("fetch", config.concurrency, Duration::ZERO),
                idle.stats("cpu", config.cpu_workers, Duration::ZERO),
                idle.stats("aggregate", 1, Duration::ZERO),
            ],
            queue: None,
            errors: ErrorLog::default(),
            not_started: urls,
            cancelled: 0,
            stopped_early: false,
        }
    }
}

/// A run that ended in an error, and what it had done by then.
#[derive(Debug, Clone)]
pub struct Failed {
    pub error: PipelineError,
    pub partial: Box<Report>,
}

impl fmt::Display for Failed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (after {} of {} items)",
            self.error, self.partial.aggregate.items, self.partial.urls
        )
    }
}

impl std::error::Error for Failed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// What a run is, for its report: its thread-name tag, how many URLs, and
/// the workers of its fetch, CPU and aggregate stages.
#[derive(Debug, Clone)]
pub(crate) struct RunInfo {
    pub tag: String,
    pub urls: usize,
    pub workers: [usize; 3],
}

/// The counters of one run's three stages, and its error log.
#[derive(Debug, Default)]
pub(crate) struct Meters {
    pub fetch: StageMeter,
    pub cpu: StageMeter,
    pub aggregate: StageMeter,
    pub errors: Mutex<ErrorLog>,
}

impl Meters {
    fn log(&self, error: ItemError) {
        self.errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record(error);
    }

    /// Turns the counters into a report.
    pub(crate) fn report(
        &self,
        run: RunInfo,
        times: (Duration, Duration),
        aggregate: Aggregate,
        queue: Option<QueueStats>,
        stop: &StopSignal,
    ) -> Report {
        let RunInfo { tag, urls, workers } = run;
        let (wall, fetch_finished) = times;
        let stages = [
            self.fetch.stats("fetch", workers[0], wall),
            self.cpu.stats("cpu", workers[1], wall),
            self.aggregate.stats("aggregate", workers[2], wall),
        ];
        let f = &stages[0];
        let not_started = urls - f.items_in;
        Report {
            tag,
            urls,
            wall,
            fetch_finished,
            aggregate,
            stages,
            queue,
            errors: self
                .errors
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            not_started,
            cancelled: f.items_in - f.items_out - f.failed,
            stopped_early: stop.is_triggered() && not_started > 0,
        }
    }
}

/// Fetches one URL, timing it as the fetch stage's busy time. `Ok(None)`:
/// a non-fatal error, logged and counted; `Err`: a fatal one.
pub(crate) async fn fetch_counted(
    client: &Client,
    index: usize,
    url: &str,
    config: &Config,
    meters: &Meters,
) -> Result<Option<Vec<u8>>, PipelineError> {
    meters.fetch.take();
    let began = Instant::now();
    let result = fetch_body(client, url, config.fetch_timeout).await;
    meters.fetch.add_busy(began.elapsed());
    match result {
        Ok(body) => Ok(Some(body)),
        Err(error) => {
            meters.fetch.fail();
            let failure = ItemError {
                index,
                url: url.to_owned(),
                error,
            };
            if is_fatal(&failure.error) {
                Err(PipelineError::Fetch(failure))
            } else {
                meters.log(failure);
                Ok(None)
            }
        }
    }
}

/// The aggregate stage's step for one item, with its counters; raises
/// `stop` when `config.stop_after` items have been aggregated.
pub(crate) fn aggregate_one(
    total: &mut Aggregate,
    item: &Crunched,
    config: &Config,
    meters: &Meters,
    stop: &StopSignal,
) {
    meters.aggregate.take();
    meters.aggregate.busy(|| total.add(item));
    meters.aggregate.done();
    if config.stop_after.is_some_and(|n| total.items >= n) {
        stop.trigger();
    }
}

// ANCHOR: fetch_stage
/// Stage 1, async: at most `concurrency` fetches in flight; each keeps its
/// slot until its body is in the channel (so a full channel stops new
/// fetches); no new URL once `stop` is raised; the first fatal error ends
/// the stage, and dropping the stream cancels the fetches still in flight.
async fn fetch_stage(
    client: &Client,
    urls: &[String],
    config: &Config,
    tx: BridgeTx<Fetched>,
    stop: &StopSignal,
    meters: &Meters,
) -> Result<(), PipelineError> {
    let tx = &tx;
    let mut fetches = stream::iter(urls.iter().enumerate())
        .take_while(|_| std::future::ready(!stop.is_triggered()))
        .map(|(index, url)| async move {
            let Some(body) = fetch_counted(client, index, url, config, meters).await? else {
                return Ok(()); // a non-fatal error: counted, next
            };
            let waiting = Instant::now();
            // Full channel: this task waits here, holding its slot (backpressure).
            tx.send(Fetched { index, body })
                .await
                .map_err(|_| PipelineError::CpuStage("stopped taking items".into()))?;
            meters.fetch.add_blocked(waiting.elapsed());
            meters.fetch.done();
            Ok(())
        })
        .buffer_unordered(config.concurrency);
    while let Some(outcome) = fetches.next().await {
        outcome?; // a fatal error: return it; `fetches` is dropped, cancelling the rest
    }
    Ok(())
}
// ANCHOR_END: fetch_stage

// ANCHOR: cpu_stage
/// Stage 2, parallel: a rayon pool of `workers` threads, each taking the
/// next item from the channel when it is free (`par_bridge` pulls items one
/// at a time); crunched items go to the aggregate. Ends when the channel is
/// closed and empty. `build_scoped` joins the pool's threads before it returns.
fn cpu_stage(
    rx: BridgeRx<Fetched>,
    workers: usize,
    work: Work,
    meter: &StageMeter,
    out: Sender<Crunched>,
    tag: String,
) -> Result<(), String> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(move |i| format!("{tag}-cpu{i}"))
        .build_scoped(
            |thread| thread.run(),
            |pool| {
                pool.install(|| {
                    rx.par_bridge().try_for_each(|item: Fetched| {
                        meter.take();
                        let primes = meter.busy(|| crunch(&item.body, work));
                        let crunched = Crunched {
                            index: item.index,
                            primes,
                            bytes: item.body.len(),
                        };
                        drop(item); // the body's memory goes back now
                        out.send(crunched)
                            .map_err(|_| "the aggregate stage stopped".to_owned())?;
                        meter.done();
                        Ok(())
                    })
                })
            },
        )
        .map_err(|e| format!("could not start the CPU pool: {e}"))?
}
// ANCHOR_END: cpu_stage

// ANCHOR: aggregate_stage
/// Stage 3, one thread: folds crunched items into the aggregate until the
/// CPU stage closes its end.
fn aggregate_stage(
    rx: Receiver<Crunched>,
    config: &Config,
    meters: &Meters,
    stop: &StopSignal,
) -> Aggregate {
    let mut total = Aggregate::default();
    for item in rx {
        aggregate_one(&mut total, &item, config, meters, stop);
    }
    total.finish()
}
// ANCHOR_END: aggregate_stage

// ANCHOR: run
/// Runs the pipeline over `urls` until done, stopped, or failed. Every
/// thread it starts is joined before it returns, on every path.
pub fn run(urls: &[String], config: &Config, stop: &StopSignal) -> Result<Report, Failed> {
    let tag = next_tag();
    let early = |error| Failed {
        error,
        partial: Box::new(Report::empty(tag.clone(), urls.len(), config)),
    };
    config.validate().map_err(early)?;
    let runtime = current_thread_runtime().map_err(early)?;
    let client = {
        let _inside = runtime.enter();
        fetch::client(config.fetch_timeout)
    };
    let meters = Meters::default();
    let (tx, rx) = bridge::channel::<Fetched>(config.capacity);
    let queue = tx.view();
    let (to_aggregate, from_cpu) = crossbeam::channel::bounded(TO_AGGREGATE);
    let started = Instant::now();

    let (fetched, cpu, aggregated, fetch_finished) = thread::scope(|s| {
        let aggregator = thread::Builder::new()
            .name(format!("{tag}-agg"))
            .spawn_scoped(s, || aggregate_stage(from_cpu, config, &meters, stop));
        let cpu_tag = tag.clone();
        let cpu = thread::Builder::new()
            .name(format!("{tag}-cpu"))
            .spawn_scoped(s, || {
                cpu_stage(
                    rx,
                    config.cpu_workers,
                    config.work,
                    &meters.cpu,
                    to_aggregate,
                    cpu_tag,
                )
            });
        // Stage 1 runs here, on this thread's runtime, while the others run on theirs.
        let fetched = runtime.block_on(fetch_stage(&client, urls, config, tx, stop, &meters));
        let fetch_finished = started.elapsed();
        // The sender is gone: the CPU stage drains the channel and ends, then the aggregate.
        let cpu = match cpu {
            Ok(handle) => handle.join().map_err(panic_message).and_then(|r| r),
            Err(e) => Err(format!("could not start its thread: {e}")),
        };
        let aggregated = match aggregator {
            Ok(handle) => handle.join().map_err(panic_message),
            Err(e) => Err(format!("could not start its thread: {e}")),
        };
        (fetched, cpu, aggregated, fetch_finished)
    });
    let wall = started.elapsed();

    let run = RunInfo {
        tag,
        urls: urls.len(),
        workers: [config.concurrency, config.cpu_workers, 1],
    };
    let aggregate = aggregated.clone().unwrap_or_default();
    let report = meters.report(
        run,
        (wall, fetch_finished),
        aggregate,
        Some(queue.stats()),
        stop,
    );
    // The root cause first: a dead CPU stage also makes the fetch stage fail.
    let error = match (cpu, fetched, aggregated) {
        (Err(why), _, _) => Some(PipelineError::CpuStage(why)),
        (_, Err(e), _) => Some(e),
        (_, _, Err(why)) => Some(PipelineError::Aggregate(why)),
        _ => None,
    };
    match error {
        None => Ok(report),
        Some(error) => Err(Failed {
            error,
            partial: Box::new(report),
        }),
    }
}
// ANCHOR_END: run

/// A tokio runtime on the calling thread only.
pub(crate) fn current_thread_runtime() -> Result<tokio::runtime::Runtime, PipelineError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| PipelineError::Setup(format!("no tokio runtime: {e}")))
}

/// A new prefix for thread names, unique in this process: `p9r1`, `p9r2`, ...
pub(crate) fn next_tag() -> String {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    format!("p9r{}", RUNS.fetch_add(1, SeqCst) + 1)
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        format!("panicked: {s}")
    } else if let Some(s) = payload.downcast_ref::<String>() {
        format!("panicked: {s}")
    } else {
        "panicked".to_owned()
    }
}

/// How many threads of the run `tag` still exist, after waiting up to
/// `patience` for them to disappear: a thread that was joined has finished,
/// but the kernel may list it for a moment longer while it tidies up.
pub fn threads_left(tag: &str, patience: Duration) -> usize {
    let deadline = Instant::now() + patience;
    loop {
        let n = live_threads(tag);
        if n == 0 || Instant::now() >= deadline {
            return n;
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// How many threads of this process have names starting with `{tag}-`: the
/// threads of the run with that tag still alive (Linux; elsewhere 0).
pub fn live_threads(tag: &str) -> usize {
    let prefix = format!("{tag}-");
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(Result::ok)
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.starts_with(&prefix))
        })
        .count()
}

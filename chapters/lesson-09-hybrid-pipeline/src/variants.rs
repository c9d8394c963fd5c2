//! Four ways to fetch-then-crunch a list of URLs, and what the slowest
//! stage predicts for each.
//!
//! | variant | fetches in flight | CPU threads | Python |
//! |---|---|---|---|
//! | sequential | 1 | 1 (inline) | a `for` loop with `requests.get` |
//! | I/O concurrent only | c | 1 (inline, on the event loop) | `asyncio.gather`, crunching in the coroutine |
//! | CPU parallel only | 1 | k | a fetch loop feeding a `ProcessPoolExecutor` |
//! | pipeline | c | k | asyncio -> `Queue(maxsize)` -> `ProcessPoolExecutor` |
//!
//! Two code paths cover all four: [`run_inline`] crunches each body on the
//! runtime's one thread as it arrives, [`pipeline::run`] hands bodies to a
//! pool through the channel; each with 1 or `c` fetches in flight.
//!
//! Each variant is a line of stages, and each stage has a **limit**: workers
//! divided by the time one item takes there ([`ServiceTimes`], measured
//! alone beforehand). Every item passes every stage, so the variant can go
//! no faster than its **slowest** stage's limit.

use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};

use crate::aggregate::{Aggregate, Crunched};
use crate::fetch::{self, fetch_body};
use crate::pipeline::{
    self, Config, Failed, Meters, PipelineError, Report, RunInfo, aggregate_one,
    current_thread_runtime, fetch_counted, next_tag,
};
use crate::stats::limit;
use crate::stop::StopSignal;
use crate::work::{Work, crunch};

/// One of the four ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Sequential,
    IoConcurrent,
    CpuParallel,
    Pipeline,
}

impl Variant {
    pub const ALL: [Variant; 4] = [
        Variant::Sequential,
        Variant::IoConcurrent,
        Variant::CpuParallel,
        Variant::Pipeline,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Variant::Sequential => "sequential",
            Variant::IoConcurrent => "I/O concurrent only",
            Variant::CpuParallel => "CPU parallel only",
            Variant::Pipeline => "pipeline",
        }
    }

    /// The same thing in Python.
    pub fn python(self) -> &'static str {
        match self {
            Variant::Sequential => "for url: crunch(requests.get(url))",
            Variant::IoConcurrent => "asyncio.gather, crunch in the coroutine",
            Variant::CpuParallel => "requests.get loop -> ProcessPoolExecutor",
            Variant::Pipeline => "asyncio -> Queue(maxsize) -> ProcessPoolExecutor",
        }
    }

    /// Is the CPU work done inline, on the fetching thread?
    pub fn inline(self) -> bool {
        matches!(self, Variant::Sequential | Variant::IoConcurrent)
    }

    /// `base` with this variant's fetches in flight and CPU threads.
    pub fn config(self, base: &Config) -> Config {
        let concurrent = matches!(self, Variant::IoConcurrent | Variant::Pipeline);
        Config {
            concurrency: if concurrent { base.concurrency } else { 1 },
            cpu_workers: if self.inline() { 1 } else { base.cpu_workers },
            ..base.clone()
        }
    }

    /// Runs this variant over `urls`.
    pub fn run(self, urls: &[String], base: &Config, stop: &StopSignal) -> Result<Report, Failed> {
        let config = self.config(base);
        if self.inline() {
            run_inline(urls, &config, stop)
        } else {
            pipeline::run(urls, &config, stop)
        }
    }

    /// Each stage's limit for this variant, from service times measured alone.
    pub fn limits(self, base: &Config, service: &ServiceTimes) -> Limits {
        let config = self.config(base);
        // Inline, a fetch slot is refilled only after its body was crunched.
        let slot_time = if self.inline() {
            service.fetch + service.crunch
        } else {
            service.fetch
        };
        Limits {
            fetch: StageLimit::new("fetch", config.concurrency, slot_time),
            cpu: StageLimit::new("cpu", config.cpu_workers, service.crunch),
        }
    }
}

/// The most items per second one stage can finish.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageLimit {
    pub stage: &'static str,
    pub workers: usize,
    /// How long one item holds one worker.
    pub per_item: Duration,
    /// `workers / per_item`.
    pub per_second: f64,
}

impl StageLimit {
    pub fn new(stage: &'static str, workers: usize, per_item: Duration) -> Self {
        Self {
            stage,
            workers,
            per_item,
            per_second: limit(workers, per_item),
        }
    }
}

/// The limits of a variant's two working stages (the aggregate's is far higher).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub fetch: StageLimit,
    pub cpu: StageLimit,
}

// ANCHOR: slowest
impl Limits {
    /// The stage with the lowest limit: the one that sets the pace.
    pub fn slowest(&self) -> StageLimit {
        if self.fetch.per_second <= self.cpu.per_second {
            self.fetch
        } else {
            self.cpu
        }
    }

    /// The shortest time `items` can take: `items / slowest limit`.
    pub fn best_time(&self, items: usize) -> Duration {
        Duration::from_secs_f64(items as f64 / self.slowest().per_second)
    }
}
// ANCHOR_END: slowest

/// How long one item takes in each stage, measured with nothing else running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceTimes {
    /// One fetch, start to whole body (on a warm connection).
    pub fetch: Duration,
    /// One crunch, on one thread.
    pub crunch: Duration,
}

impl ServiceTimes {
    /// Fetches `samples` one after another (after one fetch to open the
    /// connection), then crunches their bodies on this thread (twice; the
    /// faster pass counts).
    pub fn measure(samples: &[String], config: &Config) -> Result<ServiceTimes, PipelineError> {
        let runtime = current_thread_runtime()?;
        let client = {
            let _inside = runtime.enter();
            fetch::client(config.fetch_timeout)
        };
        let failed = |url: &String, error| {
            PipelineError::Fetch(pipeline::ItemError {
                index: 0,
                url: url.clone(),
                error,
            })
        };
        let (fetch, bodies) = runtime.block_on(async {
            if let Some(first) = samples.first() {
                fetch_body(&client, first, config.fetch_timeout)
                    .await
                    .map_err(|e| failed(first, e))?;
            }
            let started = Instant::now();
            let mut bodies = Vec::with_capacity(samples.len());
            for url in samples {
                let body = fetch_body(&client, url, config.fetch_timeout)
                    .await
                    .map_err(|e| failed(url, e))?;
                bodies.push(body);
            }
            let mean = started.elapsed() / samples.len().max(1) as u32;
            Ok::<_, PipelineError>((mean, bodies))
        })?;
        // Two passes, the faster counts: the first also warms up caches and clocks.
        let crunch = (0..2)
            .map(|_| config.work.time_per_item(&bodies))
            .min()
            .unwrap_or_default();
        Ok(ServiceTimes { fetch, crunch })
    }
}

// ANCHOR: inline
/// Fetches with `config.concurrency` in flight and crunches each body right
/// where it arrives: on the runtime's only thread. While it crunches, no
/// fetch is polled and no new one starts; answers wait in their sockets.
pub fn run_inline(urls: &[String], config: &Config, stop: &StopSignal) -> Result<Report, Failed> {
    let run = RunInfo {
        tag: next_tag(),
        urls: urls.len(),
        workers: [config.concurrency, 1, 1],
    };
    let runtime = current_thread_runtime().map_err(|error| Failed {
        error,
        partial: Box::new(Meters::default().report(
            run.clone(),
            (Duration::ZERO, Duration::ZERO),
            Aggregate::default(),
            None,
            stop,
        )),
    })?;
    let client = {
        let _inside = runtime.enter();
        fetch::client(config.fetch_timeout)
    };
    let meters = Meters::default();
    let mut total = Aggregate::default();
    let started = Instant::now();
    let outcome = runtime.block_on(async {
        let mut fetches = stream::iter(urls.iter().enumerate())
            .take_while(|_| std::future::ready(!stop.is_triggered()))
            .map(|(index, url)| {
                let (client, meters) = (&client, &meters);
                async move {
                    (
                        index,
                        fetch_counted(client, index, url, config, meters).await,
                    )
                }
            })
            .buffer_unordered(config.concurrency.max(1));
        while let Some((index, fetched)) = fetches.next().await {
            let Some(body) = fetched? else { continue };
            meters.fetch.done();
            meters.cpu.take();
            let primes = meters.cpu.busy(|| crunch(&body, config.work)); // blocks the runtime
            meters.cpu.done();
            let item = Crunched {
                index,
                primes,
                bytes: body.len(),
            };
            aggregate_one(&mut total, &item, config, &meters, stop);
        }
        Ok::<(), PipelineError>(())
    });
    let wall = started.elapsed();
    let report = meters.report(run, (wall, wall), total.finish(), None, stop);
    match outcome {
        Ok(()) => Ok(report),
        Err(error) => Err(Failed {
            error,
            partial: Box::new(report),
        }),
    }
}
// ANCHOR_END: inline

/// The aggregate a plain loop computes from bodies already in hand: what
/// every variant must reproduce.
pub fn expected(bodies: &[(usize, Vec<u8>)], work: Work) -> Aggregate {
    let mut total = Aggregate::default();
    for (index, body) in bodies {
        total.add(&Crunched {
            index: *index,
            primes: crunch(body, work),
            bytes: body.len(),
        });
    }
    total.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn each_variant_is_bounded_by_its_slowest_stage() {
        let mut base = Config::new(Work { numbers: 1 });
        base.concurrency = 8;
        base.cpu_workers = 2;
        let service = ServiceTimes {
            fetch: ms(20),
            crunch: ms(5),
        };
        let per_second = |v: Variant| v.limits(&base, &service).slowest().per_second;
        // one slot, fetch + crunch each time: 1 / 25 ms
        assert!((per_second(Variant::Sequential) - 40.0).abs() < 1e-6);
        // CPU inline on one thread: 1 / 5 ms (fetching 8 / 25 ms = 320/s is faster)
        assert!((per_second(Variant::IoConcurrent) - 200.0).abs() < 1e-6);
        // one fetch at a time: 1 / 20 ms
        assert!((per_second(Variant::CpuParallel) - 50.0).abs() < 1e-6);
        // 8 / 20 ms = 400/s = 2 / 5 ms: balanced
        assert!((per_second(Variant::Pipeline) - 400.0).abs() < 1e-6);
        assert_eq!(
            Variant::Pipeline.limits(&base, &service).best_time(400),
            Duration::from_secs(1)
        );
    }
}

//! Wire a hybrid pipeline: an async fetch stage feeds a parallel CPU stage
//! through a bounded channel, and an aggregate stage adds up the results.
//!
//! Python's version of the pattern: asyncio fetches, a bounded
//! `asyncio.Queue` between the stages, a `ProcessPoolExecutor` computes:
//!
//! ```python
//! async def producer(session, urls, queue, limit):
//!     async def one(i, url):
//!         async with limit:                              # at most N fetches at once
//!             async with session.get(url) as resp:
//!                 resp.raise_for_status()
//!                 await queue.put((i, await resp.read()))  # waits while the queue is full
//!     await asyncio.gather(*(one(i, u) for i, u in enumerate(urls)))
//! ```
//!
//! ```text
//!  fetch stage (tokio)        bounded channel         CPU stage (rayon)       aggregate
//!  ≤ concurrency in flight ──> ≤ capacity items ──> cpu_workers threads ──> Summary::add
//! ```
//!
//! The pieces are written for you: [`fetch`] gets one body, the caller's
//! `crunch` computes one item, [`Summary::add`] aggregates one result. You
//! write [`run`], which connects them so that all three stages run at the
//! same time, with a bound that holds.
//!
//! Replace the `todo!()`. Check your work with
//! `cargo xtask check exercises wire-pipeline`; stuck? `cargo xtask hint wire-pipeline`.

use std::time::Duration;

use futures::stream::{self, StreamExt};
use rayon::iter::{ParallelBridge, ParallelIterator};
use reqwest::Client;

/// How the pipeline runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Fetches in flight at most.
    pub concurrency: usize,
    /// Items the channel between the fetch and CPU stages may hold.
    pub capacity: usize,
    /// Threads that run `crunch`.
    pub cpu_workers: usize,
}

/// One fetched item, on its way to the CPU stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its position in the list of URLs.
    pub index: usize,
    /// The body of its answer.
    pub body: Vec<u8>,
}

/// Why one fetch failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The server answered with a status that is not 2xx.
    Status(u16),
    /// No whole answer within [`FETCH_TIMEOUT`].
    Timeout,
    /// Anything else.
    Other(String),
}

/// The pipeline stopped at a failed fetch: which item, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineError {
    pub index: usize,
    pub error: FetchError,
}

/// What the aggregate stage computes: the number of items, the sum of
/// their `crunch` values, and which items they were.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub items: usize,
    pub total: u64,
    /// Sorted by [`Summary::finish`].
    pub indices: Vec<usize>,
}

impl Summary {
    /// The aggregate stage's step (written for you): adds one result.
    pub fn add(&mut self, index: usize, value: u64) {
        self.items += 1;
        self.total += value;
        self.indices.push(index);
    }

    /// Sorts the indices (written for you): call it once, at the end.
    pub fn finish(mut self) -> Self {
        self.indices.sort_unstable();
        self
    }
}

/// The time limit of one fetch.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// A client for the tests' local server (written for you): no proxy, and
/// [`FETCH_TIMEOUT`] on every request. Make one and share it (by reference
/// or by cloning: clones share one connection pool).
pub fn client() -> Client {
    Client::builder()
        .no_proxy()
        .timeout(FETCH_TIMEOUT)
        .build()
        .expect("a plain http client builds")
}

/// The fetch stage's step (written for you): GETs `url` and returns its body.
pub async fn fetch(client: &Client, url: &str) -> Result<Vec<u8>, FetchError> {
    let classify = |e: reqwest::Error| {
        if e.is_timeout() {
            FetchError::Timeout
        } else {
            FetchError::Other(e.to_string())
        }
    };
    let response = client.get(url).send().await.map_err(classify)?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status(status.as_u16()));
    }
    Ok(response.bytes().await.map_err(classify)?.to_vec())
}

/// Runs the pipeline over `urls` and returns the aggregate of every item.
///
/// - **Fetch stage**, async: fetch the URLs with [`fetch`] on a tokio
///   runtime that `run` builds, at most `config.concurrency` at once (and
///   that many whenever URLs are waiting). Each fetched body goes into the
///   channel as an [`Item`] with its index.
/// - **Channel**: bounded, `config.capacity` items. When it is full, the
///   fetch stage must *wait* for room, and a fetch counts against
///   `concurrency` until its item is in the channel. So when the CPU stage
///   is slow, fetching slows down to match, and at most `capacity +
///   concurrency + cpu_workers` fetched items exist at any moment.
/// - **CPU stage**: `config.cpu_workers` threads (a rayon pool is the
///   natural choice) call `crunch` on the items, at the same time as the
///   fetch stage keeps fetching.
/// - **Aggregate**: [`Summary::add`] for each `(index, crunch(&item))`, then
///   [`Summary::finish`].
///
/// Errors: the first failed fetch stops the pipeline: no new fetch starts,
/// and `run` returns `Err(PipelineError { index, error })` for it. On every
/// path, every thread `run` started is joined before it returns, and
/// `crunch` is never called after `run` has returned.
///
/// Panics if a field of `config` is 0.
pub fn run<C>(urls: &[String], config: Config, crunch: C) -> Result<Summary, PipelineError>
where
    C: Fn(&Item) -> u64 + Sync,
{
    assert!(
        config.concurrency > 0 && config.capacity > 0 && config.cpu_workers > 0,
        "every field of the config must be at least 1: {config:?}"
    );
    // The fetch stage's runtime: this thread only; the other stages have theirs.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let client = {
        let _inside = runtime.enter();
        client()
    };
    // async -> blocking: the sender awaits room, the receiver blocks a plain thread.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Item>(config.capacity);
    // blocking -> blocking: crossbeam.
    let (results, from_cpu) = crossbeam::channel::bounded::<(usize, u64)>(64);
    let crunch = &crunch;

    std::thread::scope(|s| {
        let aggregate = s.spawn(move || {
            let mut summary = Summary::default();
            for (index, value) in from_cpu {
                summary.add(index, value);
            }
            summary.finish()
        });
        let cpu = s.spawn(move || {
            // A scoped pool: its threads are joined before `build_scoped`
            // returns, so none outlives `run`.
            rayon::ThreadPoolBuilder::new()
                .num_threads(config.cpu_workers)
                .build_scoped(
                    |thread| thread.run(),
                    |pool| {
                        // Each idle pool thread takes the next item: never more than
                        // cpu_workers items leave the channel before they are crunched.
                        pool.install(|| {
                            std::iter::from_fn(|| rx.blocking_recv())
                                .par_bridge()
                                .for_each(|item| {
                                    let value = crunch(&item);
                                    // Fails only if the aggregate stage is gone.
                                    let _ = results.send((item.index, value));
                                });
                        });
                    },
                )
                .expect("a rayon pool");
        });

        let fetched = runtime.block_on(async {
            let (client, tx) = (&client, &tx);
            let mut fetches = stream::iter(urls.iter().enumerate())
                .map(|(index, url)| async move {
                    let body = fetch(client, url)
                        .await
                        .map_err(|error| PipelineError { index, error })?;
                    // Holds this fetch's slot until the item is in the channel.
                    // Fails only if the CPU stage is gone.
                    let _ = tx.send(Item { index, body }).await;
                    Ok(())
                })
                .buffer_unordered(config.concurrency);
            while let Some(outcome) = fetches.next().await {
                // The first error: return it; dropping `fetches` cancels the rest.
                outcome?;
            }
            Ok(())
        });
        drop(tx); // closes the channel: the CPU stage drains it and ends
        let cpu = cpu.join();
        let summary = aggregate.join().expect("the aggregate stage panicked");
        if let Err(panic) = cpu {
            std::panic::resume_unwind(panic);
        }
        fetched.map(|()| summary)
    })
}

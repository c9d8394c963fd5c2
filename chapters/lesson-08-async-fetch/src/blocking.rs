//! Blocking the event loop, measured: what `time.sleep` inside a coroutine
//! does to every other coroutine, and the fix.
//!
//! An async runtime runs many tasks on few threads; a task gives its thread
//! back only at an `.await` that is not ready. `std::thread::sleep` (or a
//! blocking read, or a long computation) never gets to such an `.await`: the
//! thread is stuck, and every other task on it waits. On a `current_thread`
//! runtime (one thread, like asyncio's event loop) N tasks that each block
//! for 50 ms take N x 50 ms, one after another. `tokio::time::sleep` waits
//! without holding the thread: N tasks take about 50 ms together.
//!
//! The fix for work that must block (a blocking library, heavy CPU work) is
//! `tokio::task::spawn_blocking`: it runs the closure on a separate pool of
//! threads and gives the task a future to await. Python:
//! `await loop.run_in_executor(None, f)` or `await asyncio.to_thread(f)`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::time::{Duration, Instant};

use course_support::InFlight;
use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinSet;

/// How a task waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sleeper {
    /// `std::thread::sleep`: blocks the runtime's thread.
    ThreadSleep,
    /// `tokio::time::sleep(..).await`: gives the thread back while waiting.
    TokioSleep,
    /// `spawn_blocking(|| std::thread::sleep(..)).await`: the blocking call
    /// runs on the blocking pool; the task awaits it.
    SpawnBlocking,
}

impl Sleeper {
    pub const ALL: [Sleeper; 3] = [
        Sleeper::ThreadSleep,
        Sleeper::TokioSleep,
        Sleeper::SpawnBlocking,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Sleeper::ThreadSleep => "std::thread::sleep (blocks)",
            Sleeper::TokioSleep => "tokio::time::sleep().await",
            Sleeper::SpawnBlocking => "spawn_blocking(thread::sleep)",
        }
    }
}

/// Which runtime the tasks run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// One thread for every task: asyncio's event loop.
    CurrentThread,
    /// A pool of worker threads (tokio's default for `#[tokio::main]`).
    MultiThread(usize),
}

impl Flavor {
    pub fn label(self) -> String {
        match self {
            Flavor::CurrentThread => "current_thread".to_owned(),
            Flavor::MultiThread(n) => format!("multi_thread, {n} workers"),
        }
    }

    /// A runtime of this flavor with timers on.
    pub fn runtime(self) -> Runtime {
        let mut builder = match self {
            Flavor::CurrentThread => Builder::new_current_thread(),
            Flavor::MultiThread(n) => {
                let mut b = Builder::new_multi_thread();
                b.worker_threads(n.max(1));
                b
            }
        };
        builder
            .enable_time()
            .build()
            .expect("a tokio runtime starts")
    }
}

/// What `tasks` sleeping tasks did.
#[derive(Debug, Clone, Copy)]
pub struct SleepRun {
    pub sleeper: Sleeper,
    pub flavor: Flavor,
    pub tasks: usize,
    pub each: Duration,
    pub elapsed: Duration,
    /// The most tasks that were inside their sleep at the same time.
    pub peak_sleeping: usize,
}

// ANCHOR: sleep_tasks
/// Spawns `tasks` tasks that each sleep for `each` in the way of `sleeper`,
/// on a fresh runtime of `flavor`, and waits for all of them.
pub fn sleep_tasks(sleeper: Sleeper, flavor: Flavor, tasks: usize, each: Duration) -> SleepRun {
    let sleeping = Arc::new(InFlight::default());
    let start = Instant::now();
    flavor.runtime().block_on(async {
        let mut set = JoinSet::new();
        for _ in 0..tasks {
            let sleeping = Arc::clone(&sleeping);
            set.spawn(async move {
                let _inside = sleeping.enter(); // counted while it sleeps
                match sleeper {
                    Sleeper::ThreadSleep => std::thread::sleep(each), // the bug
                    Sleeper::TokioSleep => tokio::time::sleep(each).await,
                    Sleeper::SpawnBlocking => {
                        tokio::task::spawn_blocking(move || std::thread::sleep(each))
                            .await
                            .expect("a sleep does not panic")
                    }
                }
            });
        }
        while let Some(joined) = set.join_next().await {
            joined.expect("a sleeping task does not panic");
        }
    });
    SleepRun {
        sleeper,
        flavor,
        tasks,
        each,
        elapsed: start.elapsed(),
        peak_sleeping: sleeping.peak(),
    }
}
// ANCHOR_END: sleep_tasks

/// Where blocking work runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Called directly inside the async task: the runtime's thread is busy.
    Inline,
    /// `spawn_blocking(work).await`: on the blocking pool.
    SpawnBlocking,
}

impl Placement {
    pub fn label(self) -> &'static str {
        match self {
            Placement::Inline => "work() inside the task",
            Placement::SpawnBlocking => "spawn_blocking(work).await",
        }
    }
}

/// A heartbeat's count so far, for work that wants to see it.
#[derive(Debug, Clone, Default)]
pub struct Ticks(Arc<AtomicU64>);

impl Ticks {
    pub fn count(&self) -> u64 {
        self.0.load(SeqCst)
    }
}

/// How a heartbeat task fared while blocking work ran beside it.
#[derive(Debug, Clone, Copy)]
pub struct HeartbeatRun {
    pub placement: Placement,
    /// How long the work took.
    pub work: Duration,
    /// Heartbeats while the work ran.
    pub ticks_during: u64,
    /// The longest time between two heartbeats (it should be one tick).
    pub max_gap: Duration,
}

// ANCHOR: heartbeat
/// On a `current_thread` runtime, a heartbeat task ticks every `tick` while
/// `work` runs `placement`-style; counts the ticks that happened during the
/// work and the longest gap between two ticks.
pub fn heartbeat_during<W>(placement: Placement, tick: Duration, work: W) -> HeartbeatRun
where
    W: FnOnce(Ticks) + Send + 'static,
{
    let ticks = Ticks::default();
    let max_gap_ns = Arc::new(AtomicU64::new(0));
    Flavor::CurrentThread.runtime().block_on(async {
        let heartbeat = {
            let (ticks, max_gap_ns) = (ticks.clone(), Arc::clone(&max_gap_ns));
            tokio::spawn(async move {
                let mut last = Instant::now();
                loop {
                    tokio::time::sleep(tick).await;
                    let now = Instant::now();
                    max_gap_ns.fetch_max((now - last).as_nanos() as u64, SeqCst);
                    last = now;
                    ticks.0.fetch_add(1, SeqCst);
                }
            })
        };
        tokio::task::yield_now().await; // let the heartbeat start
        let before = ticks.count();
        let start = Instant::now();
        match placement {
            Placement::Inline => work(ticks.clone()),
            Placement::SpawnBlocking => {
                let t = ticks.clone();
                tokio::task::spawn_blocking(move || work(t))
                    .await
                    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
            }
        }
        let work_time = start.elapsed();
        let ticks_during = ticks.count() - before;
        // One more tick, so a gap the work caused gets measured.
        tokio::time::sleep(tick * 2).await;
        heartbeat.abort();
        HeartbeatRun {
            placement,
            work: work_time,
            ticks_during,
            max_gap: Duration::from_nanos(max_gap_ns.load(SeqCst)),
        }
    })
}
// ANCHOR_END: heartbeat

/// CPU-bound work for about `d`: counts primes in small blocks until the
/// time is up. Returns the primes found.
pub fn busy_for(d: Duration) -> u64 {
    let start = Instant::now();
    let mut found = 0;
    let mut lo = 1_000_000;
    while start.elapsed() < d {
        found += course_support::count_primes(lo..lo + 2_000);
        lo += 2_000;
    }
    found
}

//! The decision assistant's performance model: given a workload and a few
//! numbers measured on this machine ([`Calibration`]), predict how long each
//! way of running it takes, then recommend one and say why.
//!
//! Every formula is a bound you can state in words:
//!
//! - a worker does its tasks one after another: `ceil(tasks / workers)` rounds
//!   of one task each;
//! - computing needs a core: all the computing takes at least
//!   `tasks * cpu / speed-up`, where the speed-up is at most the number of
//!   workers and at most what the machine's cores really give;
//! - under a GIL, computing needs the lock too: at least `tasks * cpu`, however
//!   many threads;
//! - an event loop is one thread: its computing is serial as well;
//! - a process receives each task's input through a pipe before computing
//!   it; a pipeline (the hybrid) is as fast as its slowest stage (lesson 09);
//! - an isolated worker (a subinterpreter) is a thread that receives each
//!   task's input as a copy, encoded and decoded, but through no pipe.
//!
//! The machine-specific costs (start a process, send a kilobyte, wake a
//! sleeping thread) are not guessed: [`crate::calibrate`] measures them with
//! the same code the laboratory runs.

use std::fmt::Write as _;

use crate::modes::Mode;

// ANCHOR: calibration
/// What this machine costs, measured by [`crate::calibrate::measure`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Calibration {
    pub cores: usize,
    /// How much faster `cores` threads count primes than one thread: the
    /// cores this program really gets (at most `cores`).
    pub parallel_speedup: f64,
    /// Prime-count speed: numbers tested per millisecond on one core.
    pub numbers_per_ms: f64,
    /// Summing a task's input: microseconds per KB.
    pub read_us_per_kb: f64,
    /// Spawning and joining one thread, microseconds.
    pub thread_spawn_us: f64,
    /// `thread::sleep(d)` really takes `d` + this many ms.
    pub sleep_overshoot_ms: f64,
    /// An async mode's simulated wait of `d` really takes `d` + this many ms.
    pub async_overshoot_ms: f64,
    /// Event-loop cost of one task, microseconds.
    pub async_task_us: f64,
    /// Starting a pool of worker processes and shutting it down:
    /// `pool_start_ms + pool_start_per_worker_ms * workers`.
    pub pool_start_ms: f64,
    pub pool_start_per_worker_ms: f64,
    /// Sending one frame of tasks to a worker process and reading its
    /// answer, µs (processes send `pool::chunk_size` tasks per frame).
    pub frame_us: f64,
    /// Sending one KB of input through a pipe, µs.
    pub pipe_us_per_kb: f64,
    /// Isolated workers: one task's message there and its answer back,
    /// encoded, sent over a channel and decoded, µs.
    #[serde(default)]
    pub isolated_task_us: f64,
    /// Isolated workers: copying one KB of input into a message and out of
    /// it again (encode, decode), µs.
    #[serde(default)]
    pub copy_us_per_kb: f64,
    /// The simulated GIL: cost of one switch-interval handoff, µs, plus this
    /// much per other thread waiting (a handoff wakes them all).
    pub gil_handoff_us: f64,
    pub gil_handoff_per_thread_us: f64,
    /// The simulated GIL: extra latency of taking the lock back after a wait, µs.
    pub gil_reacquire_us: f64,
    /// The simulated GIL's switch interval, ms (CPython: 5).
    pub switch_interval_ms: f64,
}
// ANCHOR_END: calibration

impl Calibration {
    /// Round numbers of the order of a 2-core laptop, for tests and for the
    /// book's worked examples. Real advice uses measured numbers.
    pub fn reference() -> Self {
        Self {
            cores: 2,
            parallel_speedup: 1.95,
            numbers_per_ms: 6_000.0,
            read_us_per_kb: 0.1,
            thread_spawn_us: 30.0,
            sleep_overshoot_ms: 0.1,
            async_overshoot_ms: 0.6,
            async_task_us: 2.0,
            pool_start_ms: 1.5,
            pool_start_per_worker_ms: 1.5,
            frame_us: 15.0,
            pipe_us_per_kb: 0.4,
            isolated_task_us: 3.0,
            copy_us_per_kb: 0.15,
            gil_handoff_us: 40.0,
            gil_handoff_per_thread_us: 10.0,
            gil_reacquire_us: 20.0,
            switch_interval_ms: 5.0,
        }
    }
}

// ANCHOR: profile
/// A workload, as the assistant's flags describe it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Profile {
    pub tasks: u64,
    /// Computing per task, ms on one core.
    pub cpu_ms: f64,
    /// Waiting per task (network, disk, database), ms.
    pub io_ms: f64,
    /// Input per task, KB: free for threads, copied to processes.
    pub data_kb: f64,
    /// Tasks read and update state shared by all of them: processes must
    /// copy it there and back (or use a shared memory segment, lesson 06).
    pub shared_memory: bool,
    /// An outside limit on tasks in progress at once (a connection pool, a
    /// rate limit), if any.
    pub max_concurrency: Option<usize>,
    /// The Python that runs it: what its threads and interpreters can do.
    #[serde(default)]
    pub python: PythonBuild,
}
// ANCHOR_END: profile

// ANCHOR: python_build
/// Which CPython runs the workload, as far as parallel computing goes.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum PythonBuild {
    /// The default build of any version: one GIL per interpreter, so one
    /// process computes on one core at a time.
    #[default]
    Gil,
    /// Python 3.14 or later (default build): `InterpreterPoolExecutor` runs
    /// one interpreter, with its own GIL, per worker thread, in one process.
    Subinterpreters,
    /// A free-threaded build (`python3.13t`, `python3.14t`): no GIL, so
    /// threads compute on every core.
    FreeThreaded,
}

impl PythonBuild {
    /// The options a Python program of this build chooses between, simplest
    /// first: within [`TIE`] of the fastest, the earlier one wins. Isolated
    /// workers come before processes: the same parallel computing, in one
    /// process that starts in microseconds and needs no pipes.
    pub fn options(self) -> &'static [Mode] {
        match self {
            PythonBuild::Gil => &PYTHON_OPTIONS,
            PythonBuild::Subinterpreters => &[
                Mode::Sequential,
                Mode::GilThreads,
                Mode::Async,
                Mode::Isolated,
                Mode::Processes,
                Mode::Hybrid,
            ],
            PythonBuild::FreeThreaded => &[
                Mode::Sequential,
                Mode::Threads,
                Mode::Async,
                Mode::Processes,
                Mode::Hybrid,
            ],
        }
    }

    /// In words, for the assistant's output.
    pub fn describe(self) -> &'static str {
        match self {
            PythonBuild::Gil => "a default build (one GIL)",
            PythonBuild::Subinterpreters => "Python 3.14+ (subinterpreters, a GIL each)",
            PythonBuild::FreeThreaded => "a free-threaded build (no GIL)",
        }
    }
}
// ANCHOR_END: python_build

impl Profile {
    /// The share of a task's time spent computing, 0..=1.
    pub fn cpu_share(&self) -> f64 {
        let total = self.cpu_ms + self.io_ms;
        if total <= 0.0 {
            0.0
        } else {
            self.cpu_ms / total
        }
    }

    /// Profile from a CPU share of a task of `task_ms`.
    pub fn from_share(tasks: u64, task_ms: f64, cpu_share: f64) -> Self {
        let share = cpu_share.clamp(0.0, 1.0);
        Self {
            tasks,
            cpu_ms: task_ms * share,
            io_ms: task_ms * (1.0 - share),
            data_kb: 0.0,
            shared_memory: false,
            max_concurrency: None,
            python: PythonBuild::Gil,
        }
    }

    /// KB each task sends to a worker process: its input, and with shared
    /// state the updates coming back as well.
    pub fn transfer_kb(&self) -> f64 {
        if self.shared_memory {
            2.0 * self.data_kb
        } else {
            self.data_kb
        }
    }
}

/// How many threads, processes and tasks in flight each option uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    /// Threads (with or without a GIL): enough to overlap the waits.
    pub threads: usize,
    /// Worker processes: one per core (`ProcessPoolExecutor()`'s default).
    pub processes: usize,
    /// Async tasks in progress at once.
    pub in_flight: usize,
}

/// Most threads the assistant sizes a pool to.
pub const MAX_THREADS: usize = 64;
/// Most async tasks in flight it plans for.
pub const MAX_IN_FLIGHT: usize = 1_000;

impl Sizes {
    /// Sizes for `profile` on a machine with `cores` cores.
    pub fn for_profile(profile: &Profile, cores: usize) -> Self {
        let tasks = profile.tasks.clamp(1, usize::MAX as u64) as usize;
        let limit = profile.max_concurrency.unwrap_or(usize::MAX).max(1);
        Self {
            threads: tasks.min(limit).min(MAX_THREADS),
            processes: tasks.min(cores.max(1)).min(limit),
            in_flight: tasks.min(limit).min(MAX_IN_FLIGHT),
        }
    }

    /// The worker count an option runs with.
    pub fn workers(&self, mode: Mode) -> usize {
        match mode {
            Mode::Sequential => 1,
            Mode::GilThreads | Mode::Threads => self.threads,
            Mode::Processes | Mode::Hybrid | Mode::Isolated => self.processes,
            Mode::Async => self.in_flight,
        }
    }
}

/// One option's predicted time, with the formula's terms in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub mode: Mode,
    pub ms: f64,
    /// The terms, e.g. `start 4.5 + max(send 12.0, compute 980.0)`.
    pub terms: String,
}

fn rounds(tasks: u64, workers: usize) -> f64 {
    tasks.div_ceil(workers.max(1) as u64) as f64
}

// ANCHOR: predict
/// Predicts every option for `profile` with `sizes`, on a machine described by `cal`.
pub fn predict(profile: &Profile, sizes: &Sizes, cal: &Calibration) -> Vec<Prediction> {
    let t = profile.tasks as f64;
    let cores = cal.cores.max(1);
    // One task's computing, including reading its input.
    let c = profile.cpu_ms + profile.data_kb * cal.read_us_per_kb / 1e3;
    let waits = profile.io_ms > 0.0;
    let o_thread = if waits {
        profile.io_ms + cal.sleep_overshoot_ms
    } else {
        0.0
    };
    let o_async = if waits {
        profile.io_ms + cal.async_overshoot_ms
    } else {
        0.0
    };
    // Workers that each do whole tasks, bounded by the cores for the computing.
    let parallel = |n: usize| (n.min(cores) as f64).min(cal.parallel_speedup.max(1.0));
    let pool = |n: usize, cpu: f64, o: f64| {
        (rounds(profile.tasks, n) * (cpu + o)).max(t * cpu / parallel(n))
    };

    let mut out = Vec::new();
    let mut add = |mode: Mode, ms: f64, terms: String| out.push(Prediction { mode, ms, terms });

    add(
        Mode::Sequential,
        t * (c + o_thread),
        format!("{t} x ({c:.3} cpu + {o_thread:.2} wait)"),
    );

    let w = sizes.threads.max(1);
    let spawn = w as f64 * cal.thread_spawn_us / 1e3;
    add(
        Mode::Threads,
        spawn + pool(w, c, o_thread),
        format!(
            "spawn {spawn:.1} + max({:.0} rounds x task, cpu {:.1} / {:.2})",
            rounds(profile.tasks, w),
            t * c,
            parallel(w)
        ),
    );

    // Under the GIL the computing is serial, each wait costs a reacquire, and
    // the lock changes hands once per switch interval while others wait; a
    // handoff wakes every waiting thread, so it costs more with more threads.
    let reacquire = if waits && w > 1 {
        cal.gil_reacquire_us / 1e3
    } else {
        0.0
    };
    let handoffs = if w > 1 {
        t * c / cal.switch_interval_ms.max(0.001)
    } else {
        0.0
    };
    let handoff_us = cal.gil_handoff_us + cal.gil_handoff_per_thread_us * (w - 1) as f64;
    let handoff_ms = handoffs * handoff_us / 1e3;
    let locked = (rounds(profile.tasks, w) * (c + o_thread + reacquire)).max(t * (c + reacquire));
    add(
        Mode::GilThreads,
        spawn + locked + handoff_ms,
        format!(
            "spawn {spawn:.1} + max(rounds x task, serial cpu {:.1}) + {handoffs:.0} handoffs {handoff_ms:.1}",
            t * c
        ),
    );

    // Processes: a worker receives each task's input through its pipe before
    // computing it (copying costs CPU time on both ends), and answers once per
    // frame of `chunk` tasks.
    let p = sizes.processes.max(1);
    let start = cal.pool_start_ms + cal.pool_start_per_worker_ms * p as f64;
    let copy = profile.transfer_kb() * cal.pipe_us_per_kb / 1e3;
    let chunk = crate::pool::chunk_size(profile.tasks, p) as f64;
    let per_task = c + copy + cal.frame_us / 1e3 / chunk;
    let compute = pool(p, per_task, o_thread);
    add(
        Mode::Processes,
        start + compute,
        format!(
            "start {start:.1} + max(rounds x (task + copy {copy:.3}), cpu + copies / {:.2})",
            parallel(p)
        ),
    );

    let k = sizes.in_flight.max(1);
    let loop_ms = t * cal.async_task_us / 1e3;
    let serial = (t * c + o_async).max(rounds(profile.tasks, k) * (c + o_async));
    add(
        Mode::Async,
        loop_ms + serial,
        format!(
            "loop {loop_ms:.1} + max(serial cpu + one wait, {:.0} rounds x task)",
            rounds(profile.tasks, k)
        ),
    );

    // Hybrid: the loop waits (k at once) and sends each task to the pool when
    // its wait ends (a frame per task). It ends after the last wait plus one
    // task, or after the first wait plus the pool's computing, whichever is later.
    let waits_ms = rounds(profile.tasks, k) * o_async + loop_ms;
    let fed = pool(p, c + copy + cal.frame_us / 1e3, 0.0);
    add(
        Mode::Hybrid,
        start + (waits_ms + c).max(o_async + fed),
        format!(
            "start {start:.1} + max(waits {waits_ms:.1} + one task, first wait + pool {fed:.1})"
        ),
    );
    // Isolated workers: threads that start like threads, and copy each
    // task's input in and its answer out (encode, decode) without a pipe.
    let spawn_i = p as f64 * cal.thread_spawn_us / 1e3;
    let copy_i = profile.transfer_kb() * cal.copy_us_per_kb / 1e3;
    let per_task_i = c + copy_i + cal.isolated_task_us / 1e3;
    add(
        Mode::Isolated,
        spawn_i + pool(p, per_task_i, o_thread),
        format!(
            "spawn {spawn_i:.1} + max(rounds x (task + copy {copy_i:.3}), cpu + copies / {:.2})",
            parallel(p)
        ),
    );
    out.sort_by_key(|p| p.mode);
    out
}
// ANCHOR_END: predict

/// The options a Python program with a GIL chooses between, simplest first:
/// within [`TIE`] of the fastest, the simpler one wins. Other builds have
/// other options: [`PythonBuild::options`].
pub const PYTHON_OPTIONS: [Mode; 5] = [
    Mode::Sequential,
    Mode::GilThreads,
    Mode::Async,
    Mode::Processes,
    Mode::Hybrid,
];

/// Options predicted within this fraction of the fastest count as a tie.
pub const TIE: f64 = 0.10;

/// The assistant's answer.
#[derive(Debug, Clone)]
pub struct Advice {
    /// The recommended model (a Python option; see [`rust_tool`] for Rust).
    pub model: Mode,
    pub predictions: Vec<Prediction>,
    /// The reasons, in words.
    pub why: Vec<String>,
}

impl Advice {
    pub fn predicted(&self, mode: Mode) -> f64 {
        self.predictions
            .iter()
            .find(|p| p.mode == mode)
            .map_or(f64::NAN, |p| p.ms)
    }
}

/// The model's name as the book and the flowchart use it.
pub fn model_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Sequential => "sequential",
        Mode::GilThreads | Mode::Threads => "threads",
        Mode::Processes => "processes",
        Mode::Async => "async",
        Mode::Hybrid => "hybrid",
        Mode::Isolated => "subinterpreters",
    }
}

/// The Python tool for a model.
pub fn python_tool(mode: Mode) -> &'static str {
    match mode {
        Mode::Sequential => "a plain loop",
        Mode::GilThreads | Mode::Threads => "concurrent.futures.ThreadPoolExecutor",
        Mode::Processes => "concurrent.futures.ProcessPoolExecutor",
        Mode::Async => "asyncio (gather + Semaphore)",
        Mode::Hybrid => "asyncio + loop.run_in_executor(ProcessPoolExecutor)",
        Mode::Isolated => "concurrent.futures.InterpreterPoolExecutor (Python 3.14+)",
    }
}

/// The Rust tool for a model: with no GIL, threads do what processes do in Python.
pub fn rust_tool(mode: Mode) -> &'static str {
    match mode {
        Mode::Sequential => "a plain loop",
        Mode::GilThreads | Mode::Threads => "std::thread::scope, or a pool of threads",
        Mode::Processes => "threads (rayon): no GIL, no copies; std::process only for isolation",
        Mode::Async => "tokio (buffer_unordered or a Semaphore)",
        Mode::Hybrid => "tokio for the waits + rayon (or spawn_blocking) for the computing",
        Mode::Isolated => {
            "threads (rayon): no GIL, so nothing to copy; channels of owned values where isolation matters"
        }
    }
}

// ANCHOR: isolated_reasons
/// What the assistant says about subinterpreters: how they compare with
/// processes where Python 3.14 is available, what their copies cost, and
/// where they would help on an older Python.
fn isolated_reasons(
    profile: &Profile,
    cal: &Calibration,
    model: Mode,
    ms: &dyn Fn(Mode) -> f64,
    why: &mut Vec<String>,
) {
    let copies = profile.tasks as f64 * profile.transfer_kb() * cal.copy_us_per_kb / 1e3;
    let computing = profile.tasks as f64 * profile.cpu_ms;
    match profile.python {
        PythonBuild::Subinterpreters => {
            why.push(format!(
                "Subinterpreters (Python 3.14's InterpreterPoolExecutor) compute on every core in one process: workers start like threads, and each task's {:.0} KB crosses as a pickled copy ({copies:.1} ms of copying in all; predicted {:.1} ms against {:.1} ms for processes).",
                profile.transfer_kb(),
                ms(Mode::Isolated),
                ms(Mode::Processes)
            ));
            if copies > 0.1 * computing {
                why.push(format!(
                    "The copies are {:.0}% of the computing: with inputs this large, share them instead (multiprocessing.shared_memory with processes, lesson 06, or threads on a free-threaded build: {:.1} ms).",
                    100.0 * copies / computing.max(1e-9),
                    ms(Mode::Threads)
                ));
            }
        }
        PythonBuild::Gil if model == Mode::Processes => {
            why.push(format!(
                "On Python 3.14, subinterpreters would do the same work in one process (InterpreterPoolExecutor, predicted {:.1} ms): see `--python subinterpreters`.",
                ms(Mode::Isolated)
            ));
        }
        _ => {}
    }
}
// ANCHOR_END: isolated_reasons

// ANCHOR: recommend
/// Predicts every option and picks the fastest Python option, preferring the
/// simpler one when another is within [`TIE`] of it.
pub fn recommend(profile: &Profile, sizes: &Sizes, cal: &Calibration) -> Advice {
    let predictions = predict(profile, sizes, cal);
    let ms = |m: Mode| {
        predictions
            .iter()
            .find(|p| p.mode == m)
            .map_or(f64::INFINITY, |p| p.ms)
    };
    let options = profile.python.options();
    let best = options.iter().map(|&m| ms(m)).fold(f64::INFINITY, f64::min);
    let model = options
        .iter()
        .copied()
        .find(|&m| ms(m) <= best * (1.0 + TIE))
        .unwrap_or(Mode::Sequential);
    let fastest = options
        .iter()
        .copied()
        .find(|&m| ms(m) == best)
        .unwrap_or(model);
    let why = reasons(profile, sizes, cal, model, fastest, &ms);
    Advice {
        model,
        predictions,
        why,
    }
}
// ANCHOR_END: recommend

fn reasons(
    profile: &Profile,
    sizes: &Sizes,
    cal: &Calibration,
    model: Mode,
    fastest: Mode,
    ms: &dyn Fn(Mode) -> f64,
) -> Vec<String> {
    let mut why = Vec::new();
    let seq = ms(Mode::Sequential);
    let share = profile.cpu_share() * 100.0;
    let mut line = format!(
        "Each task computes {:.2} ms and waits {:.2} ms: {share:.0}% computing, {:.0}% waiting.",
        profile.cpu_ms,
        profile.io_ms,
        100.0 - share
    );
    if share >= 70.0 {
        line.push_str(" CPU-bound.");
    } else if share <= 30.0 {
        line.push_str(" I/O-bound.");
    } else {
        line.push_str(" Mixed.");
    }
    why.push(line);
    let free_threaded = profile.python == PythonBuild::FreeThreaded;
    let threads = if free_threaded {
        Mode::Threads
    } else {
        Mode::GilThreads
    };
    if profile.cpu_ms > 0.0 && free_threaded {
        why.push(format!(
            "A free-threaded build has no GIL: {} threads compute on every core (predicted {:.2}x), sharing the input instead of copying it.",
            sizes.threads,
            seq / ms(Mode::Threads)
        ));
    } else if profile.cpu_ms > 0.0 {
        why.push(format!(
            "Under a GIL only one thread computes at a time: threads can't beat {:.0} ms of computing (predicted {:.2}x with {} threads).",
            profile.tasks as f64 * profile.cpu_ms,
            seq / ms(Mode::GilThreads),
            sizes.threads
        ));
    }
    if profile.io_ms > 0.0 {
        why.push(format!(
            "A wait needs no core: {} threads, or one event loop with {} tasks in flight, overlap the waits (threads {:.1}x, async {:.1}x).",
            sizes.threads,
            sizes.in_flight,
            seq / ms(threads),
            seq / ms(Mode::Async)
        ));
    }
    let cpu_total = profile.tasks as f64 * profile.cpu_ms;
    let overlapped = rounds(profile.tasks, sizes.in_flight) * profile.io_ms;
    if profile.io_ms > 0.0 && cpu_total > overlapped {
        why.push(format!(
            "Once the waits overlap they take about {overlapped:.0} ms, while the computing adds up to {cpu_total:.0} ms: the computing decides."
        ));
    }
    let start = cal.pool_start_ms + cal.pool_start_per_worker_ms * sizes.processes as f64;
    let send = profile.tasks as f64 * profile.transfer_kb() * cal.pipe_us_per_kb / 1e3;
    why.push(format!(
        "Processes compute on all {} cores: starting {} costs {start:.1} ms, copying {:.0} KB per task to them {send:.1} ms in all (predicted {:.2}x).",
        cal.cores,
        sizes.processes,
        profile.transfer_kb(),
        seq / ms(Mode::Processes)
    ));
    isolated_reasons(profile, cal, model, ms, &mut why);
    if profile.shared_memory {
        why.push(
            "Shared state: threads share it in place; processes copy it there and back (counted above) or need multiprocessing.shared_memory (lesson 06)."
                .to_owned(),
        );
    }
    if let Some(limit) = profile.max_concurrency {
        why.push(format!(
            "At most {limit} tasks may be in progress at once (a connection pool or a rate limit): more threads or tasks in flight would not help."
        ));
    }
    if model == Mode::Sequential {
        why.push(format!(
            "The whole job takes {seq:.1} ms sequentially: starting workers would cost about as much as it saves."
        ));
    }
    if model != fastest {
        why.push(format!(
            "{} is predicted fastest ({:.1} ms), but {} ({:.1} ms) is within {:.0}% and simpler.",
            model_name(fastest),
            ms(fastest),
            model_name(model),
            ms(model),
            TIE * 100.0
        ));
    }
    let free = ms(Mode::Threads);
    let best_python = ms(model);
    let mut rust = format!(
        "In Rust: {}. Free threads are predicted at {free:.1} ms",
        rust_tool(model)
    );
    if free < best_python * (1.0 - TIE) {
        let _ = write!(
            rust,
            ", {:.1}x faster than the best Python option",
            best_python / free
        );
    }
    rust.push('.');
    why.push(rust);
    why
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(tasks: u64, cpu_ms: f64, io_ms: f64) -> Profile {
        Profile {
            tasks,
            cpu_ms,
            io_ms,
            data_kb: 0.0,
            shared_memory: false,
            max_concurrency: None,
            python: PythonBuild::Gil,
        }
    }

    #[test]
    fn rounds_round_up() {
        assert_eq!(rounds(10, 4), 3.0);
        assert_eq!(rounds(8, 4), 2.0);
        assert_eq!(rounds(3, 0), 3.0);
    }

    #[test]
    fn sizes_respect_limits() {
        let p = Profile {
            max_concurrency: Some(10),
            ..profile(500, 1.0, 10.0)
        };
        let s = Sizes::for_profile(&p, 8);
        assert_eq!((s.threads, s.processes, s.in_flight), (10, 8, 10));
        let s = Sizes::for_profile(&profile(3, 1.0, 0.0), 8);
        assert_eq!((s.threads, s.processes, s.in_flight), (3, 3, 3));
        let s = Sizes::for_profile(&profile(100_000, 1.0, 0.0), 2);
        assert_eq!(
            (s.threads, s.processes, s.in_flight),
            (MAX_THREADS, 2, MAX_IN_FLIGHT)
        );
    }
}

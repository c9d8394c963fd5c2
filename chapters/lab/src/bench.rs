//! `lab bench`: the same tasks in every mode, one after another, with a
//! progress bar each; then milliseconds, speed-up over sequential and
//! efficiency, a history record and a chart.

use std::fmt::Write as _;

use anyhow::{Result, bail};
use course_support::child::Spawner;
use course_support::{Table, table};

use crate::chart::{Bar, Line};
use crate::history::{self, Change, ModeResult, Record};
use crate::modes::{self, Mode, Plan, Run};
use crate::progress::Bars;
use crate::task::{Outcome, Workload};

/// A bench: a workload, how to run it, and which modes.
#[derive(Debug, Clone)]
pub struct Bench {
    pub workload: Workload,
    pub plan: Plan,
    pub modes: Vec<Mode>,
}

/// The modes that fit a workload: isolated workers (Python's
/// subinterpreters) only where there is computing to spread, async only
/// where there is waiting to overlap, hybrid only where there is waiting
/// *and* computing.
pub fn default_modes(workload: Workload) -> Vec<Mode> {
    let mut modes = vec![Mode::Sequential, Mode::GilThreads, Mode::Threads];
    match workload {
        Workload::Cpu => modes.extend([Mode::Isolated, Mode::Processes]),
        Workload::Io => modes.extend([Mode::Processes, Mode::Async]),
        Workload::Mixed => {
            modes.extend([Mode::Isolated, Mode::Processes, Mode::Async, Mode::Hybrid])
        }
    }
    modes
}

// ANCHOR: run_all
/// Runs every mode of `bench`, each with its own progress bar, `repeat`
/// times in rounds (every mode once, then again), and keeps each mode's
/// median run: a disturbance from another program then hits every mode
/// alike, or only one run of one mode, which the median drops.
pub fn run_all(bench: &Bench, spawner: &Spawner, bars: &Bars, repeat: usize) -> Result<Vec<Run>> {
    let repeat = repeat.max(1);
    let progress: Vec<_> = bench
        .modes
        .iter()
        .map(|m| bars.bar(m.label(), bench.plan.tasks * repeat as u64))
        .collect();
    let mut all: Vec<Vec<Run>> = vec![Vec::new(); bench.modes.len()];
    for _ in 0..repeat {
        for (k, &mode) in bench.modes.iter().enumerate() {
            let bar = &progress[k];
            all[k].push(modes::run(mode, &bench.plan, spawner, &|n| bar.inc(n))?);
        }
    }
    let mut runs = Vec::new();
    for (mut tries, bar) in all.into_iter().zip(progress) {
        agreed_outcome(&tries)?;
        tries.sort_by_key(|r| r.elapsed);
        let median = tries.swap_remove(tries.len() / 2);
        bar.finish_with_message(format!("{:.0} ms", median.ms()));
        runs.push(median);
    }
    Ok(runs)
}
// ANCHOR_END: run_all

/// The outcome every run agrees on, or an error naming the one that differs.
pub fn agreed_outcome(runs: &[Run]) -> Result<Outcome> {
    let Some(first) = runs.first() else {
        bail!("no runs");
    };
    for r in runs {
        if r.outcome != first.outcome {
            bail!(
                "{} found {} primes and read {} bytes, but {} found {} and read {}",
                r.mode.key(),
                r.outcome.primes,
                r.outcome.bytes,
                first.mode.key(),
                first.outcome.primes,
                first.outcome.bytes
            );
        }
    }
    Ok(first.outcome)
}

// ANCHOR: copy_cost
/// What the isolated mode's copies cost, measured in its run, next to free
/// threads (which read the same input in place) when both ran.
pub fn copy_cost(runs: &[Run], tasks: u64) -> Option<String> {
    let run = runs.iter().find(|r| r.mode == Mode::Isolated)?;
    let copies = run.isolated.as_ref()?;
    let mut line = format!(
        "{}: each task crossed as a copy, {:.0} bytes there and back; encoding and decoding took {:.2} µs per task \
         (timed in the run, summed over every thread).",
        run.mode.label(),
        copies.copied_bytes as f64 / tasks.max(1) as f64,
        copies.copy_us_per_task()
    );
    if let Some(free) = runs.iter().find(|r| r.mode == Mode::Threads) {
        let _ = write!(
            line,
            " Free threads read the input in place: {:.1} ms against {:.1} ms, {:+.2} µs per task.",
            free.ms(),
            run.ms(),
            (run.ms() - free.ms()) * 1e3 / tasks.max(1) as f64
        );
    }
    Some(line)
}
// ANCHOR_END: copy_cost

/// Sequential ms / `run`'s ms.
pub fn speedup(base_ms: f64, run: &Run) -> f64 {
    base_ms / run.ms().max(1e-9)
}

// ANCHOR: efficiency
/// Speed-up per worker: 100% means every worker was as productive as the
/// sequential loop. For async, the workers are the tasks in flight.
pub fn efficiency(base_ms: f64, run: &Run) -> f64 {
    speedup(base_ms, run) / run.workers.max(1) as f64
}
// ANCHOR_END: efficiency

fn base_ms(runs: &[Run]) -> f64 {
    runs.iter()
        .find(|r| r.mode == Mode::Sequential)
        .or(runs.first())
        .map_or(1.0, Run::ms)
}

/// The results table.
pub fn results_table(runs: &[Run]) -> Table {
    let base = base_ms(runs);
    let mut t = table([
        "mode",
        "workers",
        "ms",
        "speed-up",
        "efficiency",
        "primes found",
    ]);
    for r in runs {
        let workers = match r.mode {
            Mode::Async => format!("{} in flight", r.workers),
            _ => r.workers.to_string(),
        };
        t.add_row([
            r.mode.label().to_owned(),
            workers,
            format!("{:.1}", r.ms()),
            format!("{:.2}x", speedup(base, r)),
            format!("{:.0}%", efficiency(base, r) * 100.0),
            r.outcome.primes.to_string(),
        ]);
    }
    t
}

/// The history record of this bench.
pub fn record(bench: &Bench, runs: &[Run]) -> Record {
    let base = base_ms(runs);
    let (timestamp, time) = history::now();
    Record {
        timestamp,
        time,
        workload: bench.workload.name().to_owned(),
        tasks: bench.plan.tasks,
        workers: bench.plan.workers,
        in_flight: bench.plan.in_flight,
        spec: bench.plan.spec,
        cores: course_support::cores(),
        profile: history::profile().to_owned(),
        results: runs
            .iter()
            .map(|r| ModeResult {
                mode: r.mode.key().to_owned(),
                workers: r.workers,
                ms: r.ms(),
                speedup: speedup(base, r),
                efficiency: efficiency(base, r),
            })
            .collect(),
    }
}

/// The change of each mode since the last comparable run.
pub fn changes_table(previous: &Record, changes: &[Change]) -> Table {
    let mut t = table(["mode", &format!("{} ms", previous.time), "now ms", "change"]);
    for c in changes {
        let label =
            Mode::from_key(&c.mode).map_or_else(|| c.mode.clone(), |m| m.label().to_owned());
        t.add_row([
            label,
            format!("{:.1}", c.before_ms),
            format!("{:.1}", c.now_ms),
            format!("{:+.1}%", c.relative() * 100.0),
        ]);
    }
    t
}

/// The colour of a mode in every chart.
pub fn color(mode: Mode) -> usize {
    Mode::ALL.iter().position(|&m| m == mode).unwrap_or(6)
}

/// One bar per run for the bench chart.
pub fn chart_bars(runs: &[Run]) -> Vec<Bar> {
    let base = base_ms(runs);
    runs.iter()
        .map(|r| {
            Bar::new(r.mode.label(), r.ms(), color(r.mode))
                .note(format!("{:.2}x", speedup(base, r)))
        })
        .collect()
}

/// One line per mode over the comparable runs (x: run number, y: ms).
pub fn history_lines(series: &[&Record]) -> Vec<Line> {
    Mode::ALL
        .iter()
        .filter_map(|&mode| {
            let points: Vec<(f64, f64)> = series
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.result(mode.key()).map(|m| ((i + 1) as f64, m.ms)))
                .collect();
            (!points.is_empty()).then(|| Line::new(mode.label(), points, color(mode)))
        })
        .collect()
}

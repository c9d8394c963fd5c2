//! `lab advise --check`: run the options for real, on a scaled-down copy of
//! the workload, and compare each with its prediction.

use std::time::Duration;

use anyhow::{Result, bail};
use course_support::child::Spawner;

use crate::model::{Calibration, Profile, Sizes, predict};
use crate::modes::{self, Mode, Plan};
use crate::task::{Outcome, TaskSpec};

/// The fewest tasks a check runs: enough for every worker to get several.
pub const MIN_TASKS: u64 = 8;

// ANCHOR: scaled
/// The same tasks, fewer of them, so that running it sequentially is
/// predicted to take about `budget_ms`; the CPU part is rounded to whole
/// numbers to test, as the runs will do.
pub fn scaled(profile: &Profile, cal: &Calibration, budget_ms: f64) -> Profile {
    let numbers = numbers_for(profile.cpu_ms, cal);
    let cpu_ms = numbers as f64 / cal.numbers_per_ms;
    let per_task = cpu_ms + profile.io_ms + cal.sleep_overshoot_ms;
    let fit = (budget_ms / per_task.max(1e-6)).floor() as u64;
    Profile {
        tasks: profile.tasks.min(fit.max(MIN_TASKS)),
        cpu_ms,
        ..profile.clone()
    }
}
// ANCHOR_END: scaled

/// Numbers to test for `cpu_ms` of computing on this machine.
pub fn numbers_for(cpu_ms: f64, cal: &Calibration) -> u64 {
    ((cpu_ms * cal.numbers_per_ms).round() as u64).min(crate::task::MAX_NUMBERS)
}

/// The plan that runs `profile` in `mode`.
pub fn plan_for(profile: &Profile, sizes: &Sizes, cal: &Calibration, mode: Mode) -> Plan {
    let kb = match mode {
        Mode::Processes | Mode::Hybrid | Mode::Isolated => profile.transfer_kb(),
        _ => profile.data_kb,
    };
    Plan {
        spec: TaskSpec {
            numbers: numbers_for(profile.cpu_ms, cal),
            io: Duration::from_secs_f64(profile.io_ms.max(0.0) / 1e3),
            data_bytes: (kb * 1024.0).round() as usize,
        },
        tasks: profile.tasks,
        workers: sizes.workers(mode),
        in_flight: sizes.in_flight,
        switch_interval: Duration::from_secs_f64(cal.switch_interval_ms / 1e3),
    }
}

/// An option, predicted and measured.
#[derive(Debug, Clone)]
pub struct Checked {
    pub mode: Mode,
    pub workers: usize,
    pub predicted_ms: f64,
    pub measured_ms: f64,
    pub outcome: Outcome,
}

impl Checked {
    /// `(predicted - measured) / measured`: +0.10 predicted 10% too slow.
    pub fn error(&self) -> f64 {
        (self.predicted_ms - self.measured_ms) / self.measured_ms
    }
}

/// How many rounds `--check` runs: at least `repeat`, and more when every
/// option together is predicted to take under [`SHORT_CHECK_MS`], because a
/// run of a millisecond or two is at the mercy of one scheduling hiccup and
/// only the median of many such runs says anything.
pub fn rounds_for(profile: &Profile, cal: &Calibration, repeat: usize) -> usize {
    let sizes = Sizes::for_profile(profile, cal.cores);
    let total: f64 = predict(profile, &sizes, cal).iter().map(|p| p.ms).sum();
    let needed = if total > 0.0 {
        (SHORT_CHECK_MS / total).ceil() as usize
    } else {
        1
    };
    repeat.max(needed.min(MAX_ROUNDS)).max(1)
}

/// Below this many milliseconds for all options together, a check repeats.
pub const SHORT_CHECK_MS: f64 = 200.0;
const MAX_ROUNDS: usize = 25;

// ANCHOR: check
/// Runs each of `modes` on `profile` (already scaled), `repeat` times in
/// rounds, and pairs each mode's median time with its prediction. Every
/// mode must find the same primes.
pub fn check(
    profile: &Profile,
    cal: &Calibration,
    spawner: &Spawner,
    modes: &[Mode],
    repeat: usize,
    before_each: &dyn Fn(Mode, u64) -> Box<dyn Fn(u64) + Sync>,
) -> Result<Vec<Checked>> {
    let sizes = Sizes::for_profile(profile, cal.cores);
    let predictions = predict(profile, &sizes, cal);
    let ticks: Vec<_> = modes
        .iter()
        .map(|&m| before_each(m, profile.tasks * repeat.max(1) as u64))
        .collect();
    let mut times: Vec<Vec<modes::Run>> = vec![Vec::new(); modes.len()];
    for _ in 0..repeat.max(1) {
        for (k, &mode) in modes.iter().enumerate() {
            let plan = plan_for(profile, &sizes, cal, mode);
            times[k].push(modes::run(mode, &plan, spawner, &*ticks[k])?);
        }
    }
    let mut rows = Vec::new();
    for (&mode, mut tries) in modes.iter().zip(times) {
        tries.sort_by_key(|r| r.elapsed);
        let run = tries.swap_remove(tries.len() / 2);
        let predicted = predictions
            .iter()
            .find(|p| p.mode == mode)
            .map_or(f64::NAN, |p| p.ms);
        rows.push(Checked {
            mode,
            workers: run.workers,
            predicted_ms: predicted,
            measured_ms: run.ms(),
            outcome: run.outcome,
        });
    }
    if let Some(first) = rows.first()
        && let Some(odd) = rows
            .iter()
            .find(|r| r.outcome.primes != first.outcome.primes)
    {
        bail!(
            "{} found {} primes but {} found {}",
            odd.mode.key(),
            odd.outcome.primes,
            first.mode.key(),
            first.outcome.primes
        );
    }
    Ok(rows)
}
// ANCHOR_END: check

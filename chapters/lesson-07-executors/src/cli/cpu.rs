//! `cpu`: CPU-bound tasks in each executor, and the machine's load while they ran.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::report::ms;
use course_support::{cores, ratio, table};
use lesson_07_executors::measure::{self, CpuRun};

pub(crate) fn run(
    spawner: &Spawner,
    limit: u64,
    tasks: usize,
    workers: usize,
    repeats: usize,
) -> Result<Vec<CpuRun>> {
    print_load();
    let runs = measure::cpu_batch(spawner, limit, tasks, workers, repeats)?;
    let base = runs[0].elapsed.as_secs_f64();
    let mut t = table(["how", "workers", "primes", "ms", "speed-up", "efficiency"]);
    for r in &runs {
        let speedup = base / r.elapsed.as_secs_f64();
        t.add_row([
            r.label.to_owned(),
            r.workers.to_string(),
            r.primes.to_string(),
            ms(r.elapsed),
            ratio(base, r.elapsed.as_secs_f64()),
            format!("{:.0}%", 100.0 * speedup / r.workers as f64),
        ]);
    }
    println!(
        "Primes below {limit}, in {tasks} blocks, on {} cores{}:\n{t}",
        cores(),
        if repeats > 1 {
            format!(" (each the fastest of {repeats} runs)")
        } else {
            String::new()
        }
    );
    Ok(runs)
}

/// Speed-ups only mean something on an idle machine: say how busy it was.
pub(crate) fn print_load() {
    if let Some(load) = measure::load_average() {
        let verdict = if load > 0.5 * cores() as f64 {
            "busy: other programs compete for the cores, so speed-ups will read low"
        } else {
            "quiet enough"
        };
        println!("Load average over the last minute: {load:.2} ({verdict}).");
    }
}

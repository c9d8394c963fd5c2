//! `scaling`: the prime count with 1, 2, ... workers, every way.

use std::time::Duration;

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::usize_in;
use course_support::report::{grouped, ms};
use course_support::{cores, table};
use lesson_05_pool_map::amdahl;
use lesson_05_pool_map::scaling::{self, Job, Mode, Run};

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// Count the primes below this number
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub(crate) limit: u64,
    /// Blocks the range is cut into (the items of the map)
    #[arg(long, default_value_t = 100, value_parser = usize_in(1..=1_000_000))]
    pub(crate) blocks: usize,
    /// Blocks per chunk (Python's chunksize)
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=1_000_000))]
    pub(crate) chunk: usize,
    /// Chunks a worker process may hold at once (1: the next only when done)
    #[arg(long, default_value_t = 2, value_parser = usize_in(1..=1_000))]
    pub(crate) prefetch: usize,
    /// Worker counts [default: 1..=cores, cores + 1, 2 x cores]
    #[arg(long, value_delimiter = ',', value_parser = usize_in(1..=256))]
    pub(crate) workers: Vec<usize>,
    /// Rounds over every row; each row keeps its fastest run
    #[arg(long, default_value_t = 1, value_parser = usize_in(1..=100))]
    pub(crate) repeat: usize,
}

/// The scaling table; returns every run, sequential first.
pub(crate) fn run(spawner: &Spawner, a: &Args) -> Result<Vec<Run>> {
    let job = Job {
        limit: a.limit,
        blocks: a.blocks,
        chunk: a.chunk,
        prefetch: a.prefetch,
    };
    let counts = if a.workers.is_empty() {
        scaling::worker_counts(cores())
    } else {
        a.workers.clone()
    };
    println!(
        "Primes below {} in {} blocks, {} block(s) per chunk, up to {} chunk(s) per worker process;\n\
         the fastest of {} round(s); {} cores.",
        grouped(a.limit),
        a.blocks,
        a.chunk,
        a.prefetch,
        a.repeat,
        cores()
    );
    scaling::run(spawner, &job, Mode::Sequential, 1)?; // warm-up: caches, CPU clock
    let mut rows = vec![(Mode::Sequential, 1)];
    for mode in Mode::PARALLEL {
        rows.extend(counts.iter().map(|&n| (mode, n)));
    }
    let runs = scaling::measure(spawner, &job, &rows, a.repeat)?;
    let base = runs[0];
    let p = amdahl::parallel_fraction(base.serial, base.parallel);
    let mut t = table([
        "mode",
        "workers",
        "ms",
        "speed-up",
        "efficiency",
        "Amdahl predicts",
    ]);
    for r in &runs {
        let s = scaling::speedup(base.total(), r.total());
        let on_cores = r.workers.min(cores()) as f64;
        t.add_row([
            r.mode.label().to_owned(),
            r.workers.to_string(),
            format!("{:.1}", r.ms()),
            format!("{s:.2}x"),
            format!("{:.0}%", 100.0 * scaling::efficiency(s, r.workers)),
            format!("{:.2}x", amdahl::speedup(p, on_cores)),
        ]);
    }
    println!("{t}");
    let same = runs.iter().all(|r| r.primes == base.primes);
    println!(
        "Every run found {} primes: {}.",
        grouped(base.primes),
        if same { "identical" } else { "MISMATCH" }
    );
    let startups: Vec<String> = runs
        .iter()
        .filter(|r| r.mode == Mode::Processes)
        .map(|r| format!("{} ms for {}", ms(r.startup), r.workers))
        .collect();
    println!(
        "Serial part of the sequential run (setup + merge): {:.3} ms of {:.1} ms, so p = {:.5}.\n\
         Amdahl predicts for min(workers, cores) cores; past the cores the speed-up levels off\n\
         and efficiency (speed-up / workers) falls.\n\
         The process rows include starting the workers: {}.",
        secs(base.serial) * 1e3,
        base.ms(),
        p,
        startups.join(", ")
    );
    Ok(runs)
}

pub(crate) fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

//! `chunks`: the chunk-size sweep.

use std::time::Duration;

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::usize_in;
use course_support::report::{grouped, ms};
use course_support::{cores, ratio, table};
use lesson_05_pool_map::chunks::{blocks, python_chunksize};
use lesson_05_pool_map::sweep;

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// Count the primes below this number
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    pub(crate) limit: u64,
    /// Items: the blocks the range is cut into, one task each
    #[arg(long, default_value_t = 2_000, value_parser = usize_in(1..=1_000_000))]
    pub(crate) items: usize,
    /// Workers [default: cores]
    #[arg(long, value_parser = usize_in(1..=256))]
    pub(crate) workers: Option<usize>,
    /// Chunk sizes to try [default: 1, 2, 5, 10, ... up to items, and Python's default]
    #[arg(long, value_delimiter = ',', value_parser = usize_in(1..=1_000_000))]
    pub(crate) sizes: Vec<usize>,
    /// Rounds over every chunk size; each keeps its fastest run
    #[arg(long, default_value_t = 1, value_parser = usize_in(1..=100))]
    pub(crate) repeat: usize,
}

pub(crate) fn run(spawner: &Spawner, a: &Args) -> Result<()> {
    let workers = a.workers.unwrap_or_else(cores);
    let items = blocks(0..a.limit, a.items);
    let python = python_chunksize(items.len(), workers);
    let sizes = if a.sizes.is_empty() {
        sweep::default_sizes(items.len(), workers)
    } else {
        a.sizes.clone()
    };
    println!(
        "Primes below {} in {} blocks (the items); {workers} worker processes holding one chunk at a\n\
         time, {workers} holding two (both pools started once), and {workers} threads.\n\
         Python's default chunksize for {} items and {workers} workers: {python}.",
        grouped(a.limit),
        grouped(items.len() as u64),
        grouped(items.len() as u64)
    );
    let points = sweep::sweep(spawner, &items, workers, &sizes, a.repeat)?;
    let best = |d: fn(&sweep::Point) -> Duration| points.iter().map(d).min().unwrap_or_default();
    let best_p = best(|p| p.processes);
    let best_2 = best(|p| p.prefetched);
    let best_t = best(|p| p.threads);
    let worst = points.iter().map(|p| p.processes).max().unwrap_or_default();
    let mut t = table([
        "chunk size",
        "chunks",
        "processes ms",
        "vs best",
        "2 in flight ms",
        "vs best",
        "threads ms",
        "vs best",
        "processes",
    ]);
    for p in &points {
        let label = if p.chunk == python {
            format!("{} (Python's default)", p.chunk)
        } else {
            p.chunk.to_string()
        };
        let width = (25.0 * p.processes.as_secs_f64() / worst.as_secs_f64().max(1e-9)).round();
        t.add_row([
            label,
            p.chunks.to_string(),
            ms(p.processes),
            ratio(
                super::scaling::secs(p.processes),
                super::scaling::secs(best_p),
            ),
            ms(p.prefetched),
            ratio(
                super::scaling::secs(p.prefetched),
                super::scaling::secs(best_2),
            ),
            ms(p.threads),
            ratio(
                super::scaling::secs(p.threads),
                super::scaling::secs(best_t),
            ),
            "#".repeat(width as usize),
        ]);
    }
    println!("{t}");
    let same = points.windows(2).all(|w| w[0].primes == w[1].primes);
    println!(
        "Every chunk size found {} primes: {}.",
        grouped(points.first().map_or(0, |p| p.primes)),
        if same { "identical" } else { "MISMATCH" }
    );
    // Each explanation is printed only if this run's table shows its effect.
    let (Some(small), Some(large)) = (points.first(), points.last()) else {
        return Ok(());
    };
    let slower = |d: Duration, best: Duration| d.as_secs_f64() > 1.2 * best.as_secs_f64();
    if slower(small.processes, best_p) {
        println!(
            "Small chunks: a worker process waits for a round trip to the parent per chunk{}",
            if small.prefetched < small.processes {
                "; with two\nchunks in flight the next one is already waiting in its pipe."
            } else {
                " (two in\nflight did not help this run)."
            }
        );
    } else {
        println!("Small chunks cost the processes little this run.");
    }
    if slower(large.processes, best_p) {
        println!("Large chunks: too few to keep every worker busy to the end.");
    }
    if !slower(small.threads, best_t) && slower(large.threads, best_t) {
        println!("Threads pay far less per chunk, so only the large-chunk end hurts them.");
    }
    Ok(())
}

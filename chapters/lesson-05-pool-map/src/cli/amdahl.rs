//! `amdahl`: Amdahl's law against a program with a measurable serial part.

use anyhow::Result;
use course_support::cli::usize_in;
use course_support::report::{grouped, ms};
use course_support::{cores, table};
use lesson_05_pool_map::amdahl::{self, Phases};
use lesson_05_pool_map::scaling;
use lesson_05_pool_map::with_rayon;

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// How many numbers the serial setup generates
    #[arg(long, default_value_t = 1_000_000, value_parser = usize_in(1..=100_000_000))]
    pub(crate) count: usize,
    /// The numbers are below this: larger means more parallel work per number
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(2..=1_000_000_000_000))]
    pub(crate) max: u64,
    /// Worker counts [default: 1..=cores, cores + 1, 2 x cores]
    #[arg(long, value_delimiter = ',', value_parser = usize_in(1..=256))]
    pub(crate) workers: Vec<usize>,
    /// Rounds over every row; each row keeps its fastest run
    #[arg(long, default_value_t = 1, value_parser = usize_in(1..=100))]
    pub(crate) repeat: usize,
}

pub(crate) fn run(a: &Args) -> Result<()> {
    let counts = if a.workers.is_empty() {
        scaling::worker_counts(cores())
    } else {
        a.workers.clone()
    };
    println!(
        "The program: generate {} numbers below {} (serial), test each for primality (parallel,\n\
         a rayon pool of n threads), sort the primes found and drop duplicates (serial).",
        grouped(a.count as u64),
        grouped(a.max)
    );
    // One worker is the baseline, so it is always measured.
    let mut counts = counts;
    if !counts.contains(&1) {
        counts.insert(0, 1);
    }
    // Rounds over every worker count, keeping each count's fastest run.
    let pools = counts
        .iter()
        .map(|&n| with_rayon::pool(n))
        .collect::<Result<Vec<_>>>()?;
    let mut best: Vec<Option<Phases>> = vec![None; pools.len()];
    for _ in 0..a.repeat {
        for (slot, pool) in best.iter_mut().zip(&pools) {
            let r = amdahl::program(pool, a.count, a.max, 42);
            if slot.is_none_or(|b| r.total() < b.total()) {
                *slot = Some(r);
            }
        }
    }
    let best: Vec<Phases> = best.into_iter().flatten().collect();
    let one = best[counts.iter().position(|&n| n == 1).unwrap_or(0)];
    let p = one.p();
    println!(
        "One worker: setup {} ms + work {} ms + merge {} ms = {} ms.\n\
         Serial fraction 1 - p = {:.3}, so p = {:.3}; no number of workers can beat 1 / (1 - p) = {:.1}x.",
        ms(one.setup),
        ms(one.work),
        ms(one.merge),
        ms(one.total()),
        1.0 - p,
        p,
        amdahl::limit(p)
    );
    let mut t = table([
        "workers",
        "ms",
        "measured speed-up",
        "Amdahl predicts",
        "serial fraction implied (Karp-Flatt)",
    ]);
    let mut same = true;
    for (&n, r) in counts.iter().zip(&best) {
        same &= r.primes == one.primes;
        let s = scaling::speedup(one.total(), r.total());
        let on_cores = n.min(cores()) as f64;
        t.add_row([
            n.to_string(),
            ms(r.total()),
            format!("{s:.2}x"),
            format!("{:.2}x", amdahl::speedup(p, on_cores)),
            amdahl::karp_flatt(s, on_cores).map_or("-".into(), |e| format!("{e:.3}")),
        ]);
    }
    println!("{t}");
    println!(
        "Every run found {} distinct primes: {}.\n\
         When the implied serial fraction is above the measured {:.3}, the difference is overhead:\n\
         waking threads, splitting work, memory traffic. Try --max 10000 (less work per number,\n\
         a bigger serial share) or --max 10000000 (more work per number).",
        grouped(one.primes as u64),
        if same { "identical" } else { "MISMATCH" },
        1.0 - p
    );
    Ok(())
}

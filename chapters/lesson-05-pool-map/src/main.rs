//! `cargo run -p lesson-05-pool-map [DEMO]`: with no demo, the guided tour.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand};
use course_support::child::{ROLE_COMMAND, Spawner, exists};
use course_support::interpreter::{self, PythonArgs};
use course_support::report::{grouped, ms};
use course_support::{cores, ratio, table};
use lesson_05_pool_map::amdahl::{self, Phases};
use lesson_05_pool_map::chunks::{blocks, python_chunksize};
use lesson_05_pool_map::order::{self, Plan};
use lesson_05_pool_map::process_pool::ProcessPool;
use lesson_05_pool_map::remote::SquareOrPanic;
use lesson_05_pool_map::roles::{self, Role};
use lesson_05_pool_map::scaling::{self, Job, Mode, Run};
use lesson_05_pool_map::{python, seed, sweep, with_rayon};

/// Pool.map three ways (rayon, scoped threads, worker processes): chunk
/// size, ordered vs unordered results, CPU-bound scaling and Amdahl's law.
#[derive(Debug, Parser)]
#[command(
    name = "lesson-05-pool-map",
    long_about = "Pool.map three ways (rayon, scoped threads, a pool of worker processes): \
                  chunk size, ordered vs unordered results, CPU-bound scaling and Amdahl's \
                  law.\n\nRun without a subcommand for the guided tour."
)]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand)
    Tour,
    /// The seed's examples: Pool(4).map(process_data, [[1,2,3]]*10) and Pool(8).map(test, range(100))
    Seed(SeedArgs),
    /// Ordered vs unordered results (map, imap, imap_unordered) with a slow first item
    Order(OrderArgs),
    /// Chunk-size sweep on the process pool (and on threads): overhead vs load imbalance
    Chunks(ChunksArgs),
    /// The prime count with 1, 2, ... workers: threads, rayon, processes; speed-up, efficiency, Amdahl
    Scaling(ScalingArgs),
    /// Amdahl's law against a program with a measured serial part
    Amdahl(AmdahlArgs),
    /// A task that panics kills its worker process: reported as an error, no hang, no process left
    Crash(CrashArgs),
    /// The scaling table with larger counts, the efficiency target, and Python side by side
    /// (meant for `cargo run --release -p lesson-05-pool-map -- bench`)
    Bench(BenchArgs),
    /// What a worker process runs: `lesson-05-pool-map child worker` (started by the pool)
    #[command(name = ROLE_COMMAND, hide = true)]
    Child {
        #[command(subcommand)]
        role: Role,
    },
}

fn workers_parser() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(1..=256)
}

#[derive(Debug, Clone, Args)]
struct SeedArgs {
    /// Workers for the sum of squares (the seed's Pool(4))
    #[arg(long, default_value_t = 4, value_parser = workers_parser())]
    workers: usize,
    /// Workers for the printing example (the seed's Pool(8))
    #[arg(long, default_value_t = 8, value_parser = workers_parser())]
    print_workers: usize,
    /// Items for the printing example (the seed's range(100))
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    items: u64,
}

#[derive(Debug, Clone, Args)]
struct OrderArgs {
    /// Items 0..N; item 0 is the slow one
    #[arg(long, default_value_t = 8, value_parser = RangedU64ValueParser::<usize>::new().range(2..=1_000))]
    items: usize,
    /// How long item 0 takes, in ms
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    slow_ms: u64,
    /// How long every other item takes, in ms
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    fast_ms: u64,
    #[arg(long, default_value_t = 2, value_parser = workers_parser())]
    workers: usize,
}

#[derive(Debug, Clone, Args)]
struct ChunksArgs {
    /// Count the primes below this number
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    limit: u64,
    /// Items: the blocks the range is cut into, one task each
    #[arg(long, default_value_t = 2_000, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    items: usize,
    /// Workers [default: cores]
    #[arg(long, value_parser = workers_parser())]
    workers: Option<usize>,
    /// Chunk sizes to try [default: 1, 2, 5, 10, ... up to items, and Python's default]
    #[arg(long, value_delimiter = ',', value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    sizes: Vec<usize>,
    /// Rounds over every chunk size; each keeps its fastest run
    #[arg(long, default_value_t = 1, value_parser = RangedU64ValueParser::<usize>::new().range(1..=100))]
    repeat: usize,
}

#[derive(Debug, Clone, Args)]
struct ScalingArgs {
    /// Count the primes below this number
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    limit: u64,
    /// Blocks the range is cut into (the items of the map)
    #[arg(long, default_value_t = 100, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    blocks: usize,
    /// Blocks per chunk (Python's chunksize)
    #[arg(long, default_value_t = 2, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    chunk: usize,
    /// Chunks a worker process may hold at once (1: the next only when done)
    #[arg(long, default_value_t = 2, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000))]
    prefetch: usize,
    /// Worker counts [default: 1..=cores, cores + 1, 2 x cores]
    #[arg(long, value_delimiter = ',', value_parser = workers_parser())]
    workers: Vec<usize>,
    /// Rounds over every row; each row keeps its fastest run
    #[arg(long, default_value_t = 1, value_parser = RangedU64ValueParser::<usize>::new().range(1..=100))]
    repeat: usize,
}

#[derive(Debug, Clone, Args)]
struct AmdahlArgs {
    /// How many numbers the serial setup generates
    #[arg(long, default_value_t = 1_000_000, value_parser = RangedU64ValueParser::<usize>::new().range(1..=100_000_000))]
    count: usize,
    /// The numbers are below this: larger means more parallel work per number
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(2..=1_000_000_000_000))]
    max: u64,
    /// Worker counts [default: 1..=cores, cores + 1, 2 x cores]
    #[arg(long, value_delimiter = ',', value_parser = workers_parser())]
    workers: Vec<usize>,
    /// Rounds over every row; each row keeps its fastest run
    #[arg(long, default_value_t = 1, value_parser = RangedU64ValueParser::<usize>::new().range(1..=100))]
    repeat: usize,
}

#[derive(Debug, Clone, Args)]
struct CrashArgs {
    #[arg(long, default_value_t = 2, value_parser = workers_parser())]
    workers: usize,
    /// Items 0..N to square
    #[arg(long, default_value_t = 8, value_parser = RangedU64ValueParser::<usize>::new().range(1..=10_000))]
    items: usize,
    /// The item that is made negative, so its task panics
    #[arg(long, default_value_t = 5)]
    bad: usize,
    /// Items per chunk
    #[arg(long, default_value_t = 2, value_parser = RangedU64ValueParser::<usize>::new().range(1..=10_000))]
    chunk: usize,
}

#[derive(Debug, Clone, Args)]
struct BenchArgs {
    /// Count the primes below this number
    #[arg(long, default_value_t = 3_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    limit: u64,
    /// Blocks the range is cut into
    #[arg(long, default_value_t = 300, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    blocks: usize,
    /// Blocks per chunk (Python gets the same)
    #[arg(long, default_value_t = 2, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    chunk: usize,
    /// Chunks a worker process may hold at once (1: the next only when done)
    #[arg(long, default_value_t = 2, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000))]
    prefetch: usize,
    /// Worker counts [default: 1..=cores, cores + 1, 2 x cores]
    #[arg(long, value_delimiter = ',', value_parser = workers_parser())]
    workers: Vec<usize>,
    /// Rounds over every row; each row keeps its fastest run
    #[arg(long, default_value_t = 3, value_parser = RangedU64ValueParser::<usize>::new().range(1..=100))]
    repeat: usize,
    /// Skip the Python side (it takes the longest)
    #[arg(long)]
    no_python: bool,
    #[command(flatten)]
    python: PythonArgs,
}

// ANCHOR: main
fn main() -> ExitCode {
    let demo = Cli::parse().demo.unwrap_or(Demo::Tour);
    // A worker: play the role and exit, before anything a parent would do.
    if let Demo::Child { role } = demo {
        let code = roles::run(role);
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    match run(demo) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
// ANCHOR_END: main

fn run(demo: Demo) -> Result<()> {
    let spawner = Spawner::current_exe()?;
    match demo {
        Demo::Tour => tour(&spawner),
        Demo::Seed(a) => show_seed(&spawner, &a),
        Demo::Order(a) => show_order(&spawner, &a),
        Demo::Chunks(a) => show_chunks(&spawner, &a),
        Demo::Scaling(a) => show_scaling(&spawner, &a).map(|_| ()),
        Demo::Amdahl(a) => show_amdahl(&a),
        Demo::Crash(a) => show_crash(&spawner, &a),
        Demo::Bench(a) => bench(&spawner, &a),
        Demo::Child { .. } => unreachable!("handled in main"),
    }
}

/// Parses `args` as if typed after the program name (the tour's defaults).
fn demo_from(args: &[&str]) -> Demo {
    let cli = Cli::parse_from(std::iter::once("lesson-05-pool-map").chain(args.iter().copied()));
    cli.demo.expect("the tour runs subcommands")
}

fn section(spawner: &Spawner, title: &str, args: &[&str]) -> Result<()> {
    println!("\n== {title} ==\n");
    println!("$ cargo run -p lesson-05-pool-map -- {}\n", args.join(" "));
    match demo_from(args) {
        Demo::Tour | Demo::Child { .. } | Demo::Bench(_) => unreachable!("not a tour section"),
        demo => run_with(spawner, demo),
    }
}

fn run_with(spawner: &Spawner, demo: Demo) -> Result<()> {
    match demo {
        Demo::Seed(a) => show_seed(spawner, &a),
        Demo::Order(a) => show_order(spawner, &a),
        Demo::Chunks(a) => show_chunks(spawner, &a),
        Demo::Scaling(a) => show_scaling(spawner, &a).map(|_| ()),
        Demo::Amdahl(a) => show_amdahl(&a),
        Demo::Crash(a) => show_crash(spawner, &a),
        other => run(other),
    }
}

fn tour(spawner: &Spawner) -> Result<()> {
    println!(
        "Lesson 05: Pool.map three ways. This is pid {} on {} cores.",
        std::process::id(),
        cores()
    );
    println!(
        "Worker processes are this same program started again: {} {ROLE_COMMAND} worker",
        spawner.program().display()
    );
    section(spawner, "The seed's Pool examples", &["seed"])?;
    section(spawner, "Ordered vs unordered results", &["order"])?;
    section(
        spawner,
        "Chunk size: overhead vs imbalance",
        &["chunks", "--limit", "400000", "--items", "1000"],
    )?;
    section(spawner, "Scaling the prime count", &["scaling"])?;
    section(spawner, "Amdahl's law", &["amdahl", "--count", "400000"])?;
    section(spawner, "A worker that crashes", &["crash"])?;
    println!(
        "\nEach section is a subcommand with flags (see --help). For bigger counts, the\n\
         efficiency target and Python side by side:\n  \
         cargo run --release -p lesson-05-pool-map -- bench"
    );
    Ok(())
}

fn show_seed(spawner: &Spawner, a: &SeedArgs) -> Result<()> {
    println!(
        "Python: with Pool({}) as p: results = p.map(process_data, [[1,2,3]]*10)",
        a.workers
    );
    let runs = seed::sum_of_squares(spawner, a.workers)?;
    let mut t = table(["Pool.map with", "results", "sum"]);
    for (with, results) in [
        ("rayon (global pool)", &runs.rayon),
        ("scoped threads", &runs.threads),
        ("worker processes", &runs.processes),
    ] {
        t.add_row([
            with.to_owned(),
            format!("{results:?}"),
            results.iter().sum::<i64>().to_string(),
        ]);
    }
    println!("{t}");
    println!(
        "Computation result: {} (1 + 4 + 9 = 14, ten times)\n",
        runs.processes.iter().sum::<i64>()
    );

    let (chunk, report) = seed::printing(spawner, a.print_workers, a.items)?;
    println!(
        "Python: pool = Pool({w}); pool.map(test, range({n})), where test(i) prints i.\n\
         Python's default chunksize is ceil({n} / ({w} x 4)) = {chunk}, so each worker gets {chunk} \
         numbers at a time.\nWhat the workers printed, in the order the lines arrived:",
        w = a.print_workers,
        n = a.items,
    );
    let printed: Vec<&str> = report.printed.iter().map(|(_, l)| l.as_str()).collect();
    for line in printed.chunks(25) {
        println!("  {}", line.join(" "));
    }
    // The same lines, sorted by the worker that printed them.
    let mut by_pid: Vec<(u32, Vec<&str>)> = Vec::new();
    for (pid, line) in &report.printed {
        match by_pid.iter_mut().find(|(p, _)| p == pid) {
            Some((_, lines)) => lines.push(line),
            None => by_pid.push((*pid, vec![line])),
        }
    }
    by_pid.sort_by_key(|(pid, _)| *pid);
    let mut t = table(["worker pid", "printed, in its own order"]);
    for (pid, lines) in &by_pid {
        let runs: Vec<String> = lines.chunks(chunk).map(|run| run.join(" ")).collect();
        t.add_row([pid.to_string(), runs.join(" | ")]);
    }
    println!("{t}");
    let in_order = report.results.iter().copied().eq(0..a.items);
    println!(
        "{} lines from {} worker processes. Each worker prints whole chunks of {chunk} in order;\n\
         the lines of different workers interleave as they reach the parent.\n\
         The list map returned: [{}, ..., {}], in input order: {}.",
        report.printed.len(),
        by_pid.len(),
        report.results.first().copied().unwrap_or_default(),
        report.results.last().copied().unwrap_or_default(),
        if in_order { "yes" } else { "NO" }
    );
    Ok(())
}

fn show_order(spawner: &Spawner, a: &OrderArgs) -> Result<()> {
    let plan = Plan {
        items: a.items,
        slow: Duration::from_millis(a.slow_ms),
        fast: Duration::from_millis(a.fast_ms),
        workers: a.workers,
    };
    println!(
        "Items 0..{}: item 0 takes {} ms, every other item {} ms; {} workers, chunks of 1 item.",
        a.items, a.slow_ms, a.fast_ms, a.workers
    );
    let seen = order::compare(spawner, plan)?;
    let mut t = table([
        "API",
        "Python",
        "order the caller got",
        "first result ms",
        "all ms",
    ]);
    for s in &seen {
        let order: Vec<String> = s.order.iter().map(usize::to_string).collect();
        t.add_row([
            s.api.to_owned(),
            s.python.to_owned(),
            order.join(" "),
            format!("{:.0}", s.first.as_secs_f64() * 1e3),
            format!("{:.0}", s.all.as_secs_f64() * 1e3),
        ]);
    }
    println!("{t}");
    println!(
        "map and imap keep input order, so nothing after item 0 reaches you before item 0 is done.\n\
         imap_unordered hands over each result when it is ready: the slow item comes last, the\n\
         first result arrives after one fast item. Every API returned every item exactly once."
    );
    Ok(())
}

fn show_chunks(spawner: &Spawner, a: &ChunksArgs) -> Result<()> {
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
            ratio(secs(p.processes), secs(best_p)),
            ms(p.prefetched),
            ratio(secs(p.prefetched), secs(best_2)),
            ms(p.threads),
            ratio(secs(p.threads), secs(best_t)),
            "#".repeat(width as usize),
        ]);
    }
    println!("{t}");
    let same = points.windows(2).all(|w| w[0].primes == w[1].primes);
    println!(
        "Every chunk size found {} primes: {}.\n\
         Small chunks: a worker process waits for a round trip to the parent per chunk; with two\n\
         chunks in flight the next one is already waiting in its pipe. Large chunks: too few\n\
         to keep every worker busy to the end. Threads pay far less per chunk, so only the\n\
         large-chunk end hurts them.",
        grouped(points.first().map_or(0, |p| p.primes)),
        if same { "identical" } else { "MISMATCH" }
    );
    Ok(())
}

/// The scaling table; returns every run, sequential first.
fn show_scaling(spawner: &Spawner, a: &ScalingArgs) -> Result<Vec<Run>> {
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

fn show_amdahl(a: &AmdahlArgs) -> Result<()> {
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

fn show_crash(spawner: &Spawner, a: &CrashArgs) -> Result<()> {
    let items: Vec<i64> = (0..a.items as i64)
        .map(|i| if i as usize == a.bad { -i } else { i })
        .collect();
    println!(
        "{} worker processes square {:?} in chunks of {}; a negative number makes the task panic.",
        a.workers, items, a.chunk
    );
    let mut pool = ProcessPool::start(spawner, a.workers)?;
    let pids = pool.pids();
    let t = Instant::now();
    let result = pool.map::<SquareOrPanic>(&items, a.chunk);
    let took = t.elapsed();
    match &result {
        Ok(squares) => println!("No task panicked (is --bad outside the items?): {squares:?}"),
        Err(e) => println!("pool.map returned an error after {} ms:\n  {e}", ms(took)),
    }
    let again = pool.map::<SquareOrPanic>(&[1, 2, 3], 1);
    if let Err(e) = &again {
        println!("A second map on the same pool: {e}");
    }
    drop(pool);
    let gone: Vec<String> = pids
        .iter()
        .map(|&pid| {
            format!(
                "{pid} {}",
                if exists(pid) { "STILL RUNNING" } else { "gone" }
            )
        })
        .collect();
    println!(
        "Worker pids after the pool is dropped: {}.",
        gone.join(", ")
    );
    println!(
        "Python's Pool.map re-raises an exception raised by a task, but when a worker process\n\
         dies (os._exit, a segfault, the OOM killer) it waits forever; ProcessPoolExecutor raises\n\
         BrokenProcessPool. Here the parent sees the worker's stdout close at once."
    );
    Ok(())
}

fn bench(spawner: &Spawner, a: &BenchArgs) -> Result<()> {
    println!("Lesson 05 bench: the prime count, {} cores.", cores());
    if cfg!(debug_assertions) {
        println!("(debug build: use --release for numbers worth comparing)");
    }
    let scaling_args = ScalingArgs {
        limit: a.limit,
        blocks: a.blocks,
        chunk: a.chunk,
        prefetch: a.prefetch,
        workers: a.workers.clone(),
        repeat: a.repeat,
    };
    heading("Scaling: sequential, threads, rayon, processes");
    let runs = show_scaling(spawner, &scaling_args)?;
    let base = runs[0];
    let n = cores();
    let at_cores = |mode: Mode| runs.iter().find(|r| r.mode == mode && r.workers == n);

    heading("Target (see the book's Targets page): parallel efficiency >= 95% of cores");
    let mut t = table([
        "mode",
        "workers = cores",
        "speed-up",
        "efficiency",
        "target 95%",
    ]);
    for mode in Mode::PARALLEL {
        match at_cores(mode) {
            Some(r) => {
                let s = scaling::speedup(base.total(), r.total());
                let e = scaling::efficiency(s, n);
                t.add_row([
                    mode.label().to_owned(),
                    n.to_string(),
                    format!("{s:.2}x"),
                    format!("{:.1}%", 100.0 * e),
                    if e >= 0.95 { "met" } else { "not met" }.to_owned(),
                ]);
            }
            None => {
                t.add_row([mode.label(), "not measured (see --workers)", "", "", ""]);
            }
        }
    }
    println!("{t}");
    println!(
        "Simulated-GIL threads (about 1x) are lesson 01's: cargo run --release -p lesson-01-gil -- gil"
    );

    heading("Python side by side: the same blocks, the same chunks");
    if a.no_python {
        println!("Skipped (--no-python).");
        return Ok(());
    }
    let Some(py) = interpreter::announce(a.python.python_bin.as_deref()) else {
        return Ok(());
    };
    let f = &py.facts;
    let mut modes = vec!["sequential", "threads", "processes"];
    py.offers("free-threaded ThreadPool row", &f.free_threads());
    if py.offers("InterpreterPoolExecutor row", &f.interpreter_pool()) {
        modes.push("interpreters");
    }
    println!(
        "Running the prime count in Python: {} with {n} workers, the fastest of {} runs each...",
        modes.join(", "),
        a.repeat
    );
    let run = match python::run(&py, a.limit, a.blocks, a.chunk, n, a.repeat, &modes) {
        Ok(run) => run,
        Err(e) => {
            println!("The Python run failed, going on without it: {e:#}");
            return Ok(());
        }
    };
    let threads = if run.gil_on {
        format!("{n} threads (Python: ThreadPool, GIL on: one at a time)")
    } else {
        format!("{n} threads (Python: ThreadPool, free-threaded, GIL off)")
    };
    let rows = [
        ("sequential", "one worker".to_owned(), Some(base)),
        ("threads", threads, at_cores(Mode::Threads).copied()),
        (
            "processes",
            format!("{n} processes (Python: multiprocessing.Pool)"),
            at_cores(Mode::Processes).copied(),
        ),
        (
            "interpreters",
            format!("{n} interpreters (Python: InterpreterPoolExecutor; Rust: threads)"),
            at_cores(Mode::Threads).copied(),
        ),
    ];
    let mut t = table([
        "",
        "Rust ms",
        "Python ms",
        "ratio Rust/Python (time)",
        "Rust is faster by",
        "same answer",
    ]);
    for (mode, label, rust) in rows {
        let (Some(rust), Some(py_row)) = (rust, run.rows.get(mode)) else {
            continue;
        };
        t.add_row([
            label,
            format!("{:.1}", rust.ms()),
            format!("{:.1}", py_row.ms),
            format!("{:.4}", rust.ms() / py_row.ms.max(1e-9)),
            ratio(py_row.ms, rust.ms()),
            if rust.primes == py_row.primes {
                "yes"
            } else {
                "NO"
            }
            .to_owned(),
        ]);
    }
    println!("{t}");
    let seq = run.rows["sequential"].ms;
    let speedups: Vec<String> = ["threads", "processes", "interpreters"]
        .into_iter()
        .filter_map(|m| run.rows.get(m).map(|r| format!("{m} {}", ratio(seq, r.ms))))
        .collect();
    println!(
        "Python's own speed-ups over one worker: {} (both sides: the fastest of {} runs).",
        speedups.join(", "),
        a.repeat
    );
    Ok(())
}

fn heading(title: &str) {
    println!("\n## {title}\n");
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

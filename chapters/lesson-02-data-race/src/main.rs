//! `cargo run -p lesson-02-data-race [DEMO]`: with no demo, the guided tour.

use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand};
use course_support::report::{grouped, yes_no};
use course_support::{cores, ratio, table};
use lesson_02_data_race::cost::{self, Method};
use lesson_02_data_race::downloads;
use lesson_02_data_race::fixes;
use lesson_02_data_race::lost_update;

/// Default increments per thread of `cost`: enough that spawning the threads
/// is noise, few enough that a debug build takes about a second.
const COST_INCREMENTS: u64 = 2_500_000;

/// Default threads of `cost`: two per core, so every core stays busy even
/// while one thread is still being woken up, and the contention is real.
fn cost_threads() -> usize {
    2 * cores()
}

/// Defaults of `downloads`: the seed's five URLs.
const PAGES: usize = 5;
const LATENCY_MS: u64 = 100;

/// counter += 1 from many threads: the race Rust refuses to compile, the lost
/// update shown safely, three exact fixes, what each costs, and the download
/// total from the seed article.
#[derive(Debug, Parser)]
#[command(name = "lesson-02-data-race")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// counter += 1 without a lock, done as an atomic load then store: count the lost updates.
    LostUpdates {
        #[command(flatten)]
        size: Size,
        /// How many times to run it.
        #[arg(long, default_value_t = 10, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000))]
        trials: usize,
        /// Yield the CPU between the read and the write, like the interpreter
        /// switching threads in the middle of `+=`.
        #[arg(long)]
        widen: bool,
    },
    /// The three exact fixes: Mutex, fetch_add, per-thread sums.
    Fixes {
        #[command(flatten)]
        size: Size,
    },
    /// Nanoseconds per increment of every way of counting, measured in one run.
    Cost {
        /// Threads for the multi-threaded rows [default: two per core].
        #[arg(long, value_parser = threads())]
        threads: Option<usize>,
        /// Increments per thread (the single-thread rows do threads x this).
        #[arg(long, default_value_t = COST_INCREMENTS, value_parser = RangedU64ValueParser::<u64>::new().range(1..=100_000_000))]
        increments: u64,
    },
    /// The seed's download total: a shared total under a lock vs the sum of join results.
    Downloads {
        /// How many simulated pages to download.
        #[arg(long, default_value_t = PAGES, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000))]
        pages: usize,
        /// How long one download waits, standing for the network, in milliseconds.
        #[arg(long, default_value_t = LATENCY_MS, value_parser = RangedU64ValueParser::<u64>::new().range(0..=10_000))]
        latency_ms: u64,
    },
}

/// The seed's workload: 10 threads x 1,000 increments.
#[derive(Debug, Clone, Copy, Args)]
struct Size {
    /// How many threads increment the counter.
    #[arg(long, default_value_t = 10, value_parser = threads())]
    threads: usize,
    /// How many times each thread adds 1.
    #[arg(long, default_value_t = 1_000, value_parser = RangedU64ValueParser::<u64>::new().range(1..=100_000_000))]
    increments: u64,
}

/// One of the fixes: `(threads, increments) -> count`.
type Counter = fn(usize, u64) -> u64;

fn threads() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::<usize>::new().range(1..=1_024)
}

fn main() {
    quiet_broken_pipe();
    match Cli::parse().demo.unwrap_or(Demo::Tour) {
        Demo::Tour => tour(),
        Demo::LostUpdates {
            size,
            trials,
            widen,
        } => lost_updates(size, trials, widen),
        Demo::Fixes { size } => show_fixes(size),
        Demo::Cost {
            threads,
            increments,
        } => show_cost(threads.unwrap_or_else(cost_threads), increments),
        Demo::Downloads { pages, latency_ms } => {
            show_downloads(pages, Duration::from_millis(latency_ms))
        }
    }
}

/// `cargo run ... | head` closes our stdout early: die quietly like other
/// command-line tools, instead of panicking in `println!`.
fn quiet_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default action of SIGPIPE, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn tour() {
    let seed = Size {
        threads: 10,
        increments: 1_000,
    };
    println!(
        "Lesson 02: counter += 1 from many threads ({} cores here)",
        cores()
    );
    println!("The racy Python version does not compile in Rust: see tests/ui/ and the book.\n");
    heading("1. The lost update, made visible without undefined behaviour");
    lost_updates(seed, 5, false);
    println!();
    lost_updates(seed, 3, true);
    heading("2. Three exact fixes");
    show_fixes(seed);
    heading("3. What an increment costs");
    show_cost(cost_threads(), COST_INCREMENTS);
    heading("4. The download total");
    show_downloads(PAGES, Duration::from_millis(LATENCY_MS));
    println!("\nEach demo is a subcommand with its own flags: see --help.");
}

fn heading(title: &str) {
    println!("\n## {title}\n");
}

fn lost_updates(size: Size, trials: usize, widen: bool) {
    let window = if widen {
        "yield_now() between read and write"
    } else {
        "read and write back to back"
    };
    println!(
        "counter += 1 as load-then-store, {} threads x {} increments, {window}:",
        size.threads,
        grouped(size.increments)
    );
    let runs = lost_update::trials(size.threads, size.increments, widen, trials);
    let mut t = table(["trial", "expected", "counted", "lost", "lost %"]);
    for (i, trial) in runs.iter().enumerate() {
        t.add_row([
            (i + 1).to_string(),
            grouped(trial.expected),
            grouped(trial.counted),
            grouped(trial.lost()),
            format!("{:.1}", trial.lost_percent()),
        ]);
    }
    println!("{t}");
    let lost: u64 = runs.iter().map(|t| t.lost()).sum();
    let with_loss = runs.iter().filter(|t| t.lost() > 0).count();
    println!(
        "{with_loss} of {} trials lost updates, {} increments in all; no trial counted more than it should.",
        runs.len(),
        grouped(lost)
    );
}

fn show_fixes(size: Size) {
    let Size {
        threads,
        increments,
    } = size;
    let expected = threads as u64 * increments;
    println!(
        "{threads} threads x {} increments, all started together:",
        grouped(increments)
    );
    let mut t = table(["fix", "expected", "counted", "exact"]);
    let rows: [(&str, Counter); 3] = [
        ("Mutex<u64>, lock around +=", fixes::mutex_count),
        ("AtomicU64::fetch_add", fixes::atomic_count),
        ("local sums, added at join", fixes::local_sums_count),
    ];
    for (name, count) in rows {
        let counted = count(threads, increments);
        t.add_row([
            name.to_owned(),
            grouped(expected),
            grouped(counted),
            yes_no(counted == expected).to_owned(),
        ]);
    }
    println!("{t}");
}

fn show_cost(threads: usize, increments: u64) {
    let rows = cost::measure(threads, increments);
    println!(
        "Every row does {} increments: {threads} threads x {}, or all of them on 1 thread.",
        grouped(threads as u64 * increments),
        grouped(increments)
    );
    println!(
        "Each row runs {} times in this process: time of the fastest run, count of the worst.",
        cost::REPEATS
    );
    let baseline = rows
        .iter()
        .find(|r| r.method == Method::PlainLoop)
        .map_or(0.0, |r| r.ns_per_increment());
    let mut t = table([
        "method",
        "threads",
        "ns / increment",
        "time vs plain loop",
        "sleeps in kernel",
        "exact",
    ]);
    for row in &rows {
        t.add_row([
            row.method.label().to_owned(),
            row.threads.to_string(),
            format!("{:.2}", row.ns_per_increment()),
            // other / baseline: how many times longer than the plain loop.
            ratio(row.ns_per_increment(), baseline),
            row.sleeps.map_or("n/a".to_owned(), grouped),
            if row.exact() {
                "yes".to_owned()
            } else {
                format!("no, lost {}", grouped(row.increments - row.counted))
            },
        ]);
    }
    println!("{t}");
    println!(
        "ns / increment is wall time divided by increments, so rows with threads on {} cores can beat 1.00x.",
        cores()
    );
}

fn show_downloads(pages: usize, latency: Duration) {
    println!(
        "{pages} simulated downloads of {} ms each (a sleep stands for the network):",
        latency.as_millis()
    );
    let expected = downloads::expected_total(&downloads::pages(pages));
    let runs = downloads::compare(pages, latency);
    let sequential_ms = runs
        .iter()
        .find(|r| r.shape == downloads::Shape::Sequential)
        .map_or(0.0, |r| r.elapsed.as_secs_f64());
    let mut t = table([
        "shape",
        "total bytes",
        "exact",
        "most downloads at once",
        "ms",
        "speed-up",
    ]);
    for run in &runs {
        t.add_row([
            run.shape.label().to_owned(),
            grouped(run.total as u64),
            yes_no(run.total == expected).to_owned(),
            run.peak_in_flight.to_string(),
            format!("{:.0}", run.elapsed.as_secs_f64() * 1e3),
            ratio(sequential_ms, run.elapsed.as_secs_f64()),
        ]);
    }
    println!("{t}");
}

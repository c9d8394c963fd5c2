//! `cargo run -p lesson-01-gil` (no arguments) is the guided tour; each demo
//! is also a subcommand (`--help` lists them).

use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand};
use course_support::{cores, ratio, table, time};
use lesson_01_gil::timeline::Activity;
use lesson_01_gil::workload::{self, Job, Mode, Workload};
use lesson_01_gil::{convoy, no_gil, pillars, timeline, ways};

#[derive(Debug, Parser)]
#[command(
    name = "lesson-01-gil",
    about = "Lesson 01: what Python's GIL does to threads, measured with a simulated interpreter lock",
    long_about = "Lesson 01: what Python's GIL does to threads, measured with a simulated \
                  interpreter lock.\n\nRun without a subcommand for the guided tour."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The guided tour: every section below, in order (the default)
    Tour,
    /// Concurrency vs parallelism, and what a GIL is
    Concepts,
    /// The three pillars: threads vs processes vs async
    Pillars,
    /// Measure sequential vs threads under the interpreter lock vs free threads
    Gil(GilArgs),
    /// Draw which worker ran when: T lanes (one lock) vs P lanes (no shared lock)
    Timeline(TimelineArgs),
    /// The convoy effect: a CPU-bound thread delays every I/O call of another
    Convoy(ConvoyArgs),
    /// Why Rust has no GIL: threads read shared data on every core, checked at compile time
    NoGil(NoGilArgs),
    /// Four ways CPython runs code at once (GIL threads, free-threaded threads,
    /// subinterpreters, processes) and their Rust counterparts; share-nothing workers
    Ways(WaysArgs),
}

fn workers_parser() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(1..=64)
}

fn count_parser() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(1..=10_000)
}

/// A switch interval in milliseconds, as `sys.setswitchinterval` takes seconds.
fn switch_ms(text: &str) -> Result<Duration, String> {
    let ms: f64 = text.parse().map_err(|e| format!("{e}"))?;
    if !(ms > 0.0 && ms <= 1_000.0) {
        return Err("must be more than 0 and at most 1000 ms".into());
    }
    Ok(Duration::from_secs_f64(ms / 1e3))
}

#[derive(Debug, Args)]
struct GilArgs {
    /// cpu: count primes; io: wait for a simulated response, then parse it
    #[arg(long, value_enum, default_value_t = Workload::Cpu)]
    workload: Workload,
    /// Workers [default: cores for cpu, 8 for io: waiting needs no core]
    #[arg(long, value_parser = workers_parser())]
    workers: Option<usize>,
    /// Number of tasks shared by the workers
    #[arg(long, default_value_t = 16, value_parser = count_parser())]
    tasks: usize,
    /// Numbers each cpu task tests for primality
    #[arg(long, default_value_t = 150_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    numbers: u64,
    /// Milliseconds each io task waits
    #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    io_ms: u64,
    /// The lock's switch interval in ms (CPython: 5, `sys.setswitchinterval(0.005)`)
    #[arg(long, default_value = "5", value_parser = switch_ms)]
    switch_ms: Duration,
}

#[derive(Debug, Args)]
struct TimelineArgs {
    /// cpu: count primes; io: wait, then parse
    #[arg(long, value_enum, default_value_t = Workload::Cpu)]
    workload: Workload,
    /// Lanes (workers) per timeline
    #[arg(long, default_value_t = 4, value_parser = workers_parser())]
    workers: usize,
    /// Numbers each cpu task tests for primality (one task per lane)
    #[arg(long, default_value_t = 600_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    numbers: u64,
    /// Width of the bars in characters
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(10..=400))]
    width: u64,
    /// The lock's switch interval in ms
    #[arg(long, default_value = "5", value_parser = switch_ms)]
    switch_ms: Duration,
}

#[derive(Debug, Args)]
struct ConvoyArgs {
    /// Short blocking calls the I/O-bound thread makes
    #[arg(long, default_value_t = 40, value_parser = count_parser())]
    calls: usize,
    /// Microseconds each call blocks
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    io_us: u64,
    /// The lock's switch interval in ms
    #[arg(long, default_value = "5", value_parser = switch_ms)]
    switch_ms: Duration,
}

#[derive(Debug, Args)]
struct NoGilArgs {
    /// How many numbers the threads share
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    numbers: u64,
    /// Threads [default: cores]
    #[arg(long, value_parser = workers_parser())]
    threads: Option<usize>,
}

#[derive(Debug, Args)]
struct WaysArgs {
    /// How many numbers the share-nothing workers receive copies of
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    numbers: u64,
    /// Share-nothing workers
    #[arg(long, default_value_t = 4, value_parser = workers_parser())]
    workers: usize,
    /// Blocks the numbers are cut into, dealt out in turn
    #[arg(long, default_value_t = 8, value_parser = count_parser())]
    blocks: usize,
}

fn main() {
    dispatch(Cli::parse().command.unwrap_or(Command::Tour));
}

fn dispatch(command: Command) {
    match command {
        Command::Tour => tour(),
        Command::Concepts => concepts(),
        Command::Pillars => print!("{}", pillars_section()),
        Command::Gil(args) => gil(&args),
        Command::Timeline(args) => draw_timeline(&args),
        Command::Convoy(args) => convoy_demo(&args),
        Command::NoGil(args) => no_gil_demo(&args),
        Command::Ways(args) => ways_demo(&args),
    }
}

/// Runs one subcommand with its default flags, showing the command that does it.
fn section(title: &str, args: &[&str]) {
    println!("\n== {title} ==\n");
    println!("$ cargo run -p lesson-01-gil -- {}\n", args.join(" "));
    let cli = Cli::parse_from(std::iter::once("lesson-01-gil").chain(args.iter().copied()));
    dispatch(cli.command.expect("the tour runs subcommands"));
}

fn tour() {
    println!(
        "Lesson 01: the GIL, measured. This machine has {} cores.",
        cores()
    );
    concepts();
    section("The three pillars", &["pillars"]);
    section(
        "CPU-bound work under the lock",
        &["gil", "--workload", "cpu"],
    );
    section(
        "I/O-bound work under the lock",
        &["gil", "--workload", "io"],
    );
    section("Timeline: who ran when", &["timeline"]);
    section("Pitfall: the convoy effect", &["convoy"]);
    section("Why Rust has no GIL", &["no-gil"]);
    section("Four ways Python runs code at once", &["ways"]);
    println!("\nEvery section is a subcommand with more flags: see `--help`.");
}

const CONCURRENCY: &str = "\
Concurrency: several tasks are in progress at once; they may take turns on one core.
Parallelism: several tasks execute at the same instant, on different cores.
Threads that share one interpreter lock are concurrent but not parallel.";

const GIL: &str = "\
CPython's global interpreter lock (GIL) is one lock per interpreter. A thread must hold
it to run Python bytecode, so the interpreter's own data (reference counts, dicts,
lists) is never touched by two threads at once. The holder lets go:
  - around a blocking call (sleep, read, socket): other threads run meanwhile;
  - when another thread has waited a whole switch interval: 5 ms by default since
    Python 3.2 (`sys.setswitchinterval`); before 3.2, every 100 bytecodes.
CPython's free-threaded build (`python3.13t`, `python3.14t`) runs without it.
This lesson's InterpreterLock follows the same two rules, and it is fair: threads
get the lock in the order they asked for it.";

fn concepts() {
    println!("\n== Concurrency vs parallelism ==\n\n{CONCURRENCY}");
    println!("\n== What a GIL is ==\n\n{GIL}");
}

fn pillars_section() -> String {
    format!(
        "{}\n\nIn Rust, threads run code in parallel too: there is no interpreter lock.\n",
        pillars::table()
    )
}

fn gil(args: &GilArgs) {
    let workers = args.workers.unwrap_or(match args.workload {
        Workload::Cpu => cores(),
        Workload::Io => 8,
    });
    let job = Job {
        tasks: args.tasks,
        numbers: args.numbers,
        io_wait: Duration::from_millis(args.io_ms),
        switch_interval: args.switch_ms,
        ..Job::new(args.workload, args.tasks)
    };
    match args.workload {
        Workload::Cpu => println!(
            "{} tasks, each counting primes among {} numbers; {workers} workers on {} cores.",
            job.tasks,
            job.numbers,
            cores()
        ),
        Workload::Io => println!(
            "{} tasks, each waiting {} ms then parsing briefly; {workers} workers on {} cores.",
            job.tasks,
            args.io_ms,
            cores()
        ),
    }
    let (runs, table) = workload::compare(&job, workers);
    println!("{table}");
    let expected = job.expected();
    let same = runs.iter().all(|r| r.primes == expected);
    println!(
        "Every mode found {} primes: {}.",
        expected,
        if same { "identical" } else { "MISMATCH" }
    );
    match args.workload {
        Workload::Cpu => println!(
            "Under the lock, threads take turns: no faster than one thread. Free threads use every core."
        ),
        Workload::Io => println!(
            "Under the lock, waits overlap: the lock is released while a thread waits, so I/O scales\n\
             with the number of threads, not the number of cores."
        ),
    }
}

fn draw_timeline(args: &TimelineArgs) {
    let job = Job {
        numbers: args.numbers,
        switch_interval: args.switch_ms,
        ..Job::new(args.workload, args.workers)
    };
    let locked = workload::run(&job, Mode::LockedThreads, args.workers);
    let free = workload::run(&job, Mode::FreeThreads, args.workers);
    // One time axis for both, so the shorter run draws shorter bars.
    let total = timeline::span(&locked.slices).max(timeline::span(&free.slices));
    let width = args.width as usize;
    println!(
        "{} workers, one {} task each; █ running, ░ waiting for I/O, · idle or waiting for the lock.\n",
        args.workers,
        match args.workload {
            Workload::Cpu => "cpu",
            Workload::Io => "io",
        }
    );
    println!(
        "Threads sharing one interpreter lock ({:.0} ms, {} handoffs):",
        locked.elapsed.as_secs_f64() * 1e3,
        locked.handoffs
    );
    print!(
        "{}",
        timeline::render(&locked.slices, args.workers, "T", width, total)
    );
    println!(
        "\nFree workers, no shared lock: stand-ins for processes, each with its own interpreter ({:.0} ms):",
        free.elapsed.as_secs_f64() * 1e3
    );
    print!(
        "{}",
        timeline::render(&free.slices, args.workers, "P", width, total)
    );
    println!();
    for (run, prefix) in [(&locked, "T"), (&free, "P")] {
        let running = timeline::max_at_once(&run.slices, Activity::Running);
        match args.workload {
            Workload::Cpu => println!("{prefix} lanes: at most {running} running at once."),
            Workload::Io => println!(
                "{prefix} lanes: at most {running} running at once, at most {} waiting for I/O at once.",
                timeline::max_at_once(&run.slices, Activity::Waiting)
            ),
        }
    }
    if args.workload == Workload::Cpu && args.workers > cores() {
        println!(
            "{} P lanes on {} cores: the OS shares the cores, so a busy P lane is a task in progress.",
            args.workers,
            cores()
        );
    }
}

fn convoy_demo(args: &ConvoyArgs) {
    let io_wait = Duration::from_micros(args.io_us);
    let shorter = args.switch_ms / 5;
    let rows = [
        ("I/O thread alone", args.switch_ms, false),
        ("next to a CPU-bound thread", args.switch_ms, true),
        ("next to a CPU-bound thread", shorter, true),
    ];
    println!(
        "One simulated Python thread makes {} blocking calls of {} µs each.",
        args.calls, args.io_us
    );
    let mut t = table([
        "I/O thread",
        "switch interval",
        "total ms",
        "ms per call",
        "slowdown",
    ]);
    let mut alone = 0.0;
    for (what, switch, hog) in rows {
        let run = convoy::run(args.calls, io_wait, switch, hog);
        let ms = run.elapsed.as_secs_f64() * 1e3;
        if !hog {
            alone = ms;
        }
        t.add_row([
            what.to_owned(),
            format!("{:.1} ms", switch.as_secs_f64() * 1e3),
            format!("{ms:.1}"),
            format!("{:.2}", ms / args.calls as f64),
            ratio(ms, alone),
        ]);
    }
    println!("{t}");
    println!(
        "After each call the I/O thread queues for the lock behind the CPU-bound thread, which\n\
         keeps it for a whole switch interval. A shorter interval helps the I/O thread and costs\n\
         the CPU-bound one more handoffs."
    );
}

fn no_gil_demo(args: &NoGilArgs) {
    let threads = args.threads.unwrap_or_else(cores);
    let numbers: Vec<u64> = (1_000_000..1_000_000 + args.numbers).collect();
    let one = time(|| no_gil::count_primes_shared(&numbers, 1));
    let many = time(|| no_gil::count_primes_shared(&numbers, threads));
    let mut t = table(["threads", "ms", "speed-up", "primes found"]);
    for (n, run) in [(1, &one), (threads, &many)] {
        t.add_row([
            n.to_string(),
            format!("{:.1}", run.ms()),
            ratio(one.ms(), run.ms()),
            run.value.to_string(),
        ]);
    }
    println!(
        "{threads} threads read one shared Vec of {} numbers with no lock at all:",
        args.numbers
    );
    println!("{t}");
    println!(
        "Rust checks at compile time what the GIL checks at run time. A value may move to\n\
         another thread only if its type is Send, and be shared only if it is Sync; code that\n\
         could race on plain data does not compile (lesson 02 goes deep). So nothing is left\n\
         for a global lock to protect, and every thread can run on its own core.\n\
         CPython is moving the same way: its free-threaded build (PEP 703) runs without a GIL,\n\
         experimental in 3.13 (`python3.13t`), officially supported but still optional since\n\
         3.14 (`python3.14t`, PEP 779). It checks nothing when compiling: built-in dicts\n\
         and lists lock themselves at run time, and your own data still needs your locks. `ways` compares\n\
         the four ways CPython now runs code at once."
    );
}

fn ways_demo(args: &WaysArgs) {
    println!("{}", ways::table());
    println!(
        "GIL threads take turns (this lesson's `gil`). The other three use every core: a\n\
         free-threaded build by dropping the GIL, subinterpreters by giving each its own\n\
         (PEP 684, 3.12; usable from Python since 3.14, PEP 734), processes by giving each its\n\
         own interpreter. In Rust the first two rows are one: threads, with no lock to take.\n"
    );
    let numbers: Vec<u64> = (1_000_000..1_000_000 + args.numbers).collect();
    let reports = ways::count_primes_isolated(&numbers, args.blocks, args.workers);
    let mut t = table([
        "worker",
        "blocks received",
        "numbers copied in",
        "primes found",
    ]);
    for r in &reports {
        t.add_row([
            r.worker.to_string(),
            r.blocks.to_string(),
            course_support::report::grouped(r.numbers),
            r.primes.to_string(),
        ]);
    }
    let copied: usize = reports.iter().map(|r| r.numbers).sum();
    let isolated: u64 = reports.iter().map(|r| r.primes).sum();
    let shared = no_gil::count_primes_shared(&numbers, args.workers);
    println!(
        "Share-nothing workers, the Rust side of subinterpreters: {} threads, each with its own\n\
         inbox, receive copies of {} blocks and send back what they found:",
        args.workers, args.blocks
    );
    println!("{t}");
    println!(
        "{} numbers ({} KiB) copied in, {isolated} primes found: {} threads reading one shared Vec\n\
         found {shared}{}.",
        course_support::report::grouped(copied),
        copied * std::mem::size_of::<u64>() / 1024,
        args.workers,
        if isolated == shared {
            ", the same"
        } else {
            ": MISMATCH"
        },
    );
    println!(
        "The copies cost memory and time that shared threads do not pay; in exchange no worker\n\
         can see another's data. The lab's `isolated` mode measures that price."
    );
}

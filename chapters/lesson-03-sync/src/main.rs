//! `cargo run -p lesson-03-sync` (no arguments) is the guided tour; each demo
//! is also a subcommand (`--help` lists them).

use std::sync::Mutex;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand};
use course_support::report::{grouped, ms, yes_no};
use course_support::{cores, ratio, table};
use lesson_03_sync::bounded::{self, Kind};
use lesson_03_sync::condition::{self, Notify};
use lesson_03_sync::deadlock::{self, Order};
use lesson_03_sync::lock::{self, Ledger};
use lesson_03_sync::reentrant::{self, Cart, NaiveCart, Relock};
use lesson_03_sync::{barrier, channels, event, python_map, scoped, semaphore, triangle};

#[derive(Debug, Parser)]
#[command(
    name = "lesson-03-sync",
    about = "Lesson 03: Lock, RLock, Semaphore, Condition, Event, Barrier and Queue, in Rust",
    long_about = "Lesson 03: Python's synchronisation primitives (Lock, RLock, Semaphore, \
                  Condition, Event, Barrier, queue.Queue) and their Rust counterparts, each \
                  measured; deadlock by lock order, detected and fixed.\n\nRun without a \
                  subcommand for the guided tour."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The guided tour: every demo below with small defaults (the default)
    Tour,
    /// Lock -> Mutex: where the guard ends, poisoning after a panic, recovery
    Lock,
    /// RLock -> why std's Mutex is not re-entrant, and the idiomatic fix
    Rlock,
    /// Semaphore -> Mutex<usize> + Condvar: limit concurrent downloads, measure the peak
    Semaphore(SemaphoreArgs),
    /// Condition -> Condvar: wake-ups that find nothing; notify_one vs notify_all
    Condition(ConditionArgs),
    /// Event -> a flag with Mutex + Condvar: set, clear, wait, wait_timeout
    Event(EventArgs),
    /// Barrier -> std::sync::Barrier: phases, with a leader merging each one
    Barrier(BarrierArgs),
    /// queue.Queue(maxsize) -> a bounded buffer vs crossbeam channels: backpressure and throughput
    Bounded(BoundedArgs),
    /// Deadlock by lock order: detected with deadlines, then fixed with a global order
    Deadlock(DeadlockArgs),
    /// Scoped threads: borrow local data, no Arc
    Scoped(ScopedArgs),
    /// crossbeam channels: a work queue, select! over results, a ticker and a deadline
    Channels(ChannelsArgs),
    /// The Python-to-Rust map of synchronisation primitives
    Map,
    /// Throughput of the bounded buffer vs crossbeam channels at several capacities (use --release)
    Bench(BenchArgs),
}

fn threads_parser() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(1..=256)
}

fn ms_parser() -> RangedU64ValueParser<u64> {
    RangedU64ValueParser::new().range(0..=10_000)
}

fn positive_ms_parser() -> RangedU64ValueParser<u64> {
    RangedU64ValueParser::new().range(1..=10_000)
}

#[derive(Debug, Args)]
struct SemaphoreArgs {
    /// Simulated downloads, one thread each
    #[arg(long, default_value_t = 12, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000))]
    downloads: usize,
    /// Permits: downloads allowed at the same time
    #[arg(long, default_value_t = 3, value_parser = threads_parser())]
    limit: usize,
    /// How long one download takes (a sleep stands for the network), in ms
    #[arg(long, default_value_t = 20, value_parser = ms_parser())]
    latency_ms: u64,
}

#[derive(Debug, Args)]
struct ConditionArgs {
    /// Consumers waiting on one queue
    #[arg(long, default_value_t = 4, value_parser = threads_parser())]
    consumers: usize,
    /// Items the producer pushes, one at a time
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    items: u64,
    /// Threads taking turns
    #[arg(long, default_value_t = 4, value_parser = RangedU64ValueParser::<usize>::new().range(2..=64))]
    threads: usize,
    /// Turns each thread takes
    #[arg(long, default_value_t = 10, value_parser = RangedU64ValueParser::<usize>::new().range(1..=10_000))]
    rounds: usize,
    /// How long a waiting thread sleeps before it looks again by itself, in ms
    #[arg(long, default_value_t = 10, value_parser = positive_ms_parser())]
    patience_ms: u64,
}

#[derive(Debug, Args)]
struct EventArgs {
    /// Threads waiting for the event
    #[arg(long, default_value_t = 8, value_parser = threads_parser())]
    waiters: usize,
    /// Timeout of the wait that nobody ends, in ms
    #[arg(long, default_value_t = 50, value_parser = positive_ms_parser())]
    timeout_ms: u64,
}

#[derive(Debug, Args)]
struct BarrierArgs {
    /// Worker threads (all must reach the barrier)
    #[arg(long, default_value_t = 4, value_parser = threads_parser())]
    workers: usize,
    /// Phases, separated by the barrier
    #[arg(long, default_value_t = 3, value_parser = RangedU64ValueParser::<usize>::new().range(1..=100))]
    phases: usize,
    /// Numbers tested for primality per phase
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    numbers: u64,
}

#[derive(Debug, Args)]
struct BoundedArgs {
    /// Capacity of the bounded queues
    #[arg(long, default_value_t = 8, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    capacity: usize,
    /// Items in the backpressure demo (one fast producer, one slow consumer)
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    items: u64,
    /// Time the slow consumer spends on each item, in microseconds
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(0..=100_000))]
    consume_us: u64,
    /// Producer threads in the throughput run
    #[arg(long, default_value_t = 2, value_parser = threads_parser())]
    producers: usize,
    /// Consumer threads in the throughput run
    #[arg(long, default_value_t = 2, value_parser = threads_parser())]
    consumers: usize,
    /// Items in the throughput run
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    throughput_items: u64,
    /// Capacity in the throughput run
    #[arg(long, default_value_t = 64, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    throughput_capacity: usize,
}

#[derive(Debug, Args)]
struct DeadlockArgs {
    /// How long a transfer waits for its second lock before it declares a deadlock, in ms
    #[arg(long, default_value_t = 100, value_parser = positive_ms_parser())]
    patience_ms: u64,
    /// Threads in the stress run
    #[arg(long, default_value_t = 2, value_parser = threads_parser())]
    threads: usize,
    /// Transfers per thread in the stress run
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    transfers: u64,
    /// Accounts in the stress run
    #[arg(long, default_value_t = 3, value_parser = RangedU64ValueParser::<usize>::new().range(2..=1_000))]
    accounts: usize,
    /// How long a transfer holds its first lock before taking the second, in microseconds
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=100_000))]
    hold_us: u64,
    /// The stress run's patience, in ms
    #[arg(long, default_value_t = 10, value_parser = positive_ms_parser())]
    stress_patience_ms: u64,
}

#[derive(Debug, Args)]
struct ScopedArgs {
    /// How many numbers to add up
    #[arg(long, default_value_t = 1_000_000, value_parser = RangedU64ValueParser::<usize>::new().range(1..=100_000_000))]
    numbers: usize,
    /// Threads [default: cores]
    #[arg(long, value_parser = threads_parser())]
    threads: Option<usize>,
}

#[derive(Debug, Args)]
struct ChannelsArgs {
    /// Worker threads taking jobs from the queue
    #[arg(long, default_value_t = 2, value_parser = threads_parser())]
    workers: usize,
    /// Jobs in the queue
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    jobs: u64,
    /// Numbers each job tests for primality
    #[arg(long, default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    numbers: u64,
    /// Progress tick interval, in ms
    #[arg(long, default_value_t = 5, value_parser = positive_ms_parser())]
    tick_ms: u64,
    /// Give up waiting for results after this long, in ms
    #[arg(long, default_value_t = 5_000, value_parser = positive_ms_parser())]
    deadline_ms: u64,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// Items sent per run (a tenth of them at capacity 1)
    #[arg(long, default_value_t = 500_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    items: u64,
    /// Producer threads
    #[arg(long, default_value_t = 2, value_parser = threads_parser())]
    producers: usize,
    /// Consumer threads
    #[arg(long, default_value_t = 2, value_parser = threads_parser())]
    consumers: usize,
    /// Runs per row; the fastest counts
    #[arg(long, default_value_t = 3, value_parser = RangedU64ValueParser::<usize>::new().range(1..=100))]
    repeats: usize,
}

fn main() {
    dispatch(Cli::parse().command.unwrap_or(Command::Tour));
}

fn dispatch(command: Command) {
    match command {
        Command::Tour => tour(),
        Command::Lock => lock_demo(),
        Command::Rlock => rlock_demo(),
        Command::Semaphore(args) => semaphore_demo(&args),
        Command::Condition(args) => condition_demo(&args),
        Command::Event(args) => event_demo(&args),
        Command::Barrier(args) => barrier_demo(&args),
        Command::Bounded(args) => bounded_demo(&args),
        Command::Deadlock(args) => deadlock_demo(&args),
        Command::Scoped(args) => scoped_demo(&args),
        Command::Channels(args) => channels_demo(&args),
        Command::Map => map(),
        Command::Bench(args) => bench(&args),
    }
}

/// Runs one subcommand with its default flags, showing the command that does it.
fn section(title: &str, args: &[&str]) {
    println!("\n== {title} ==\n");
    println!("$ cargo run -p lesson-03-sync -- {}\n", args.join(" "));
    let cli = Cli::parse_from(std::iter::once("lesson-03-sync").chain(args.iter().copied()));
    dispatch(cli.command.expect("the tour runs subcommands"));
}

fn tour() {
    println!(
        "Lesson 03: Python's synchronisation primitives in Rust, measured ({} cores here).",
        cores()
    );
    section("Lock -> Mutex", &["lock"]);
    section("RLock -> a Mutex is not re-entrant", &["rlock"]);
    section("Semaphore -> Mutex<usize> + Condvar", &["semaphore"]);
    section("Condition -> Condvar", &["condition"]);
    section("Event -> Mutex + Condvar", &["event"]);
    section("Barrier -> std::sync::Barrier", &["barrier"]);
    section(
        "queue.Queue(maxsize) -> bounded buffer vs crossbeam",
        &["bounded"],
    );
    section("Deadlock by lock order", &["deadlock"]);
    section("Scoped threads", &["scoped"]);
    section("crossbeam channels and select!", &["channels"]);
    section("The map", &["map"]);
    println!("\nEvery section is a subcommand with more flags: see `--help`.");
}

/// 12_345_678.9 -> "12.3 M".
fn si(x: f64) -> String {
    match x {
        x if x >= 1e9 => format!("{:.2} G", x / 1e9),
        x if x >= 1e6 => format!("{:.2} M", x / 1e6),
        x if x >= 1e3 => format!("{:.1} k", x / 1e3),
        x => format!("{x:.0}"),
    }
}

fn lock_demo() {
    println!("Where a MutexGuard ends (asked from another thread with try_lock):");
    let shared = Mutex::new(Vec::new());
    let mut t = table(["place", "locked?"]);
    for probe in lock::guard_scope(&shared) {
        t.add_row([probe.place, yes_no(probe.locked)]);
    }
    println!("{t}");

    println!("\nPoisoning: a thread panics half-way through a transfer, holding the guard.");
    let ledger = Mutex::new(Ledger {
        checking: 100,
        savings: 0,
    });
    lock::transfer(&ledger, 10, false);
    let expected = ledger.lock().unwrap().total();
    lock::crash_mid_transfer(&ledger, 25);
    let r = lock::recover(&ledger, expected);
    let mut t = table(["step", "what happened"]);
    t.add_row([
        "after the panic".to_owned(),
        format!("is_poisoned() = {}", r.poisoned_after_crash),
    ]);
    t.add_row([
        "next lock()".to_owned(),
        if r.lock_returned_err {
            "Err(PoisonError): the data may be half-updated".to_owned()
        } else {
            "Ok".to_owned()
        },
    ]);
    t.add_row([
        "PoisonError::into_inner()".to_owned(),
        format!(
            "guard anyway; total is {}, should be {expected}",
            r.total_seen
        ),
    ]);
    t.add_row([
        "repair, then clear_poison()".to_owned(),
        format!(
            "total {}; is_poisoned() = {}",
            r.total_repaired, r.poisoned_after_clear
        ),
    ]);
    println!("{t}");
    println!(
        "Python's `with lock:` releases on an exception too, but nobody is told the data is torn."
    );
}

fn rlock_demo() {
    let mut t = table(["call", "result"]);
    let relock = match reentrant::relock_same_thread(&Mutex::new(0)) {
        Relock::WouldBlock => "WouldBlock: the Mutex is held, by this very thread",
        Relock::Entered => "entered twice (re-entrant)",
    };
    t.add_row(["lock(), then try_lock() on the same thread", relock]);

    let order = [("apples", 3), ("pears", 2), ("apples", 1)];
    let naive = NaiveCart::default();
    let naive_result = match naive.add_all(&order) {
        Ok(()) => "ok".to_owned(),
        Err(e) => format!("refused: {e}"),
    };
    t.add_row([
        "NaiveCart::add_all (the RLock code, ported line by line)",
        &naive_result,
    ]);
    let cart = Cart::default();
    cart.add_all(&order);
    cart.add("plums", 5);
    let fixed = format!(
        "ok: {} units in {} lines, one lock per call",
        cart.units(),
        cart.lines()
    );
    t.add_row(["Cart::add_all + add (lock once, helper takes &mut)", &fixed]);
    println!("{t}");
    println!(
        "With lock() instead of try_lock(), the naive port would hang (or panic) right there."
    );
}

fn semaphore_demo(args: &SemaphoreArgs) {
    let latency = Duration::from_millis(args.latency_ms);
    println!(
        "{} downloads of {} ms, one thread each:",
        args.downloads, args.latency_ms
    );
    let mut t = table(["limit", "max in flight", "ms", "ideal ms"]);
    for limit in [None, Some(args.limit)] {
        let run = semaphore::download_all(args.downloads, limit, latency);
        let waves = args.downloads.div_ceil(limit.unwrap_or(args.downloads)) as u64;
        t.add_row([
            limit.map_or("none".to_owned(), |n| format!("Semaphore({n})")),
            run.max_in_flight.to_string(),
            ms(run.elapsed),
            (waves * args.latency_ms).to_string(),
        ]);
    }
    println!("{t}");
    println!("ideal ms = ceil(downloads / limit) x latency: the limit costs time, and holds.");
}

fn condition_demo(args: &ConditionArgs) {
    println!(
        "1. One producer pushes {} items, one at a time, each once all {} consumers are asleep\n   on the Condvar:",
        grouped(args.items),
        args.consumers
    );
    let mut t = table([
        "notify",
        "items",
        "exact sum",
        "wake-ups",
        "woke to an empty queue",
    ]);
    for notify in [Notify::One, Notify::All] {
        let run = condition::queue_wakeups(args.consumers, args.items, notify);
        t.add_row([
            notify.label().to_owned(),
            grouped(run.items),
            yes_no(run.sum == triangle(run.items)).to_owned(),
            grouped(run.wakeups),
            grouped(run.found_nothing),
        ]);
    }
    println!("{t}");
    println!(
        "Each 'woke to an empty queue' would pop an empty queue if the wait were an `if`: with\n\
         notify_all, the consumers another one beat to the item; with notify_one, spurious\n\
         wake-ups. (Up to {} more wake-ups come from close(), and find the queue closed.)\n",
        args.consumers
    );

    let patience = Duration::from_millis(args.patience_ms);
    println!(
        "2. {} threads take {} turns each, in order; each waits for its own turn:",
        args.threads, args.rounds
    );
    let mut t = table([
        "notify",
        "turns",
        "in order",
        "wake-ups",
        "not my turn",
        "lost wake-ups",
        "ms",
    ]);
    for notify in [Notify::One, Notify::All] {
        let run = condition::take_turns(args.threads, args.rounds, notify, patience);
        t.add_row([
            notify.label().to_owned(),
            run.turns.to_string(),
            yes_no(run.in_order).to_owned(),
            grouped(run.wakeups),
            grouped(run.not_my_turn),
            grouped(run.lost_wakeups),
            ms(run.elapsed),
        ]);
    }
    println!("{t}");
    println!(
        "A lost wake-up: notify_one woke a thread whose turn it wasn't, and the right one slept\n\
         on until its {} ms timeout. Without a timeout, the program would hang there.",
        args.patience_ms
    );
}

fn event_demo(args: &EventArgs) {
    let run = event::starting_gun(args.waiters);
    let last = run.wake_us.last().copied().unwrap_or(0.0);
    let first = run.wake_us.first().copied().unwrap_or(0.0);
    let mut t = table(["what", "result"]);
    t.add_row([
        format!("{} threads in wait(), then one set()", run.waiters),
        format!(
            "{} of {} woke, {:.0} to {:.0} us after set()",
            run.woken, run.waiters, first, last
        ),
    ]);
    let e = event::Event::new();
    let timeout = Duration::from_millis(args.timeout_ms);
    let start = std::time::Instant::now();
    let got = e.wait_timeout(timeout);
    t.add_row([
        format!("wait_timeout({} ms), never set", args.timeout_ms),
        format!("{got} after {} ms", ms(start.elapsed())),
    ]);
    e.set();
    let start = std::time::Instant::now();
    e.wait();
    t.add_row([
        "set() before wait()".to_owned(),
        format!(
            "wait() returned in {:.1} us",
            start.elapsed().as_secs_f64() * 1e6
        ),
    ]);
    e.clear();
    t.add_row([
        "clear(), then wait_timeout(1 ms)".to_owned(),
        format!("{}", e.wait_timeout(Duration::from_millis(1))),
    ]);
    let woken = event::pulse(args.waiters, Duration::from_secs(2));
    t.add_row([
        format!("set() then clear() at once, {} waiting", args.waiters),
        format!("{woken} of {} saw the set (they count sets)", args.waiters),
    ]);
    println!("{t}");
}

fn barrier_demo(args: &BarrierArgs) {
    println!(
        "{} workers count primes in phases of {} numbers; worker w gets a part of size ~(w + 1):",
        args.workers,
        grouped(args.numbers)
    );
    let run = barrier::phases(args.workers, args.phases, args.numbers);
    let mut t = table([
        "phase",
        "numbers",
        "primes",
        "leader",
        "fastest worker ms",
        "slowest worker ms",
    ]);
    for (p, phase) in run.phases.iter().enumerate() {
        let fastest = phase.work.iter().min().copied().unwrap_or_default();
        let slowest = phase.work.iter().max().copied().unwrap_or_default();
        t.add_row([
            p.to_string(),
            format!("{}..{}", phase.numbers.start, phase.numbers.end),
            grouped(phase.primes),
            format!("worker {}", phase.leader),
            ms(fastest),
            ms(slowest),
        ]);
    }
    println!("{t}");
    let total: u64 = run.phases.iter().map(|p| p.primes).sum();
    let expected = course_support::count_primes(0..args.phases as u64 * args.numbers);
    println!(
        "Phases never overlapped: {}. Total {} primes, {}.",
        yes_no(run.phases_kept_apart()),
        grouped(total),
        if total == expected { "exact" } else { "WRONG" }
    );
    println!("The fastest worker of each phase waited at the barrier for the slowest.");
}

fn bounded_demo(args: &BoundedArgs) {
    let per_item = Duration::from_micros(args.consume_us);
    println!(
        "1. Backpressure: one producer pushes {} items as fast as it can; one consumer takes\n   {} us per item.",
        args.items, args.consume_us
    );
    let mut t = table([
        "queue",
        "producer done ms",
        "consumer done ms",
        "most queued",
        "pushes that waited",
        "exact",
    ]);
    for kind in Kind::ALL {
        let run = bounded::backpressure(kind, args.items, args.capacity, per_item);
        t.add_row([
            kind.label(args.capacity),
            ms(run.producer_done),
            ms(run.consumer_done),
            run.peak_len.to_string(),
            run.producer_waits.to_string(),
            yes_no(run.sum == triangle(args.items)).to_owned(),
        ]);
    }
    println!("{t}");
    println!(
        "Bounded: the producer finishes with the consumer, never more than {} queued.\n\
         Unbounded: it finishes at once, and everything waits in memory.\n",
        args.capacity
    );
    println!(
        "2. Throughput: {} producers -> {} consumers, {} items, capacity {}:",
        args.producers,
        args.consumers,
        grouped(args.throughput_items),
        args.throughput_capacity
    );
    throughput_table(
        args.producers,
        args.consumers,
        args.throughput_items,
        &[args.throughput_capacity],
        1,
    );
}

/// Runs the buffer and the crossbeam channel at each capacity and prints
/// items/s; each row is the fastest of `repeats` runs. Capacity 1 hands over
/// every item from thread to thread, so it gets a tenth of the items.
fn throughput_table(
    producers: usize,
    consumers: usize,
    items: u64,
    capacities: &[usize],
    repeats: usize,
) {
    let mut t = table([
        "queue",
        "items",
        "items/s",
        "ms",
        "vs BoundedBuffer",
        "exact sum",
    ]);
    for &capacity in capacities {
        let items = if capacity == 1 && capacities.len() > 1 {
            (items / 10).max(1)
        } else {
            items
        };
        let runs: Vec<_> = [Kind::Buffer, Kind::Bounded]
            .into_iter()
            .map(|kind| {
                (0..repeats.max(1))
                    .map(|_| bounded::throughput(kind, producers, consumers, items, capacity))
                    .min_by_key(|run| run.elapsed)
                    .expect("at least one run")
            })
            .collect();
        let base = runs[0].items_per_sec();
        for run in runs {
            t.add_row([
                run.kind.label(capacity),
                grouped(items),
                si(run.items_per_sec()),
                ms(run.elapsed),
                ratio(run.items_per_sec(), base),
                yes_no(run.sum == triangle(items)).to_owned(),
            ]);
        }
    }
    println!("{t}");
    if cfg!(debug_assertions) {
        println!(
            "(debug build: for real numbers, `cargo run --release -p lesson-03-sync -- bench`)"
        );
    }
}

fn deadlock_demo(args: &DeadlockArgs) {
    let patience = Duration::from_millis(args.patience_ms);
    println!(
        "1. Thread 1 moves 10 from A to B while thread 2 moves 10 from B to A; a lock taken\n   \
         with no success within {} ms counts as a deadlock, and the thread backs off.",
        args.patience_ms
    );
    let mut t = table(["lock order", "transfer", "outcome", "ended at ms", "total"]);
    for order in [Order::AsCalled, Order::ById] {
        let run = deadlock::collide(order, patience);
        for side in &run.sides {
            let name = |id: usize| ["A", "B"][id];
            t.add_row([
                order.label().to_owned(),
                format!("{} -> {}", name(side.from), name(side.to)),
                match side.outcome {
                    Ok(()) => "done".to_owned(),
                    Err(d) => format!("deadlock detected after {} ms", ms(d.waited)),
                },
                ms(side.finished_after),
                format!("{} -> {}", run.total_before, run.total_after),
            ]);
        }
    }
    println!("{t}");
    println!(
        "Both threads were joined: the one that gave up dropped its lock, so the other could finish.\n"
    );
    println!(
        "2. {} threads x {} transfers between {} accounts, first lock held {} us, patience {} ms;\n   \
         a transfer that gives up backs off and retries:",
        args.threads, args.transfers, args.accounts, args.hold_us, args.stress_patience_ms
    );
    let mut t = table([
        "lock order",
        "transfers",
        "deadlocks detected",
        "total before -> after",
        "ms",
    ]);
    for order in [Order::AsCalled, Order::ById] {
        let run = deadlock::stress(
            order,
            args.threads,
            args.transfers,
            args.accounts,
            Duration::from_micros(args.hold_us),
            Duration::from_millis(args.stress_patience_ms),
        );
        t.add_row([
            order.label().to_owned(),
            grouped(run.transfers),
            grouped(run.deadlocks),
            format!("{} -> {}", run.total_before, run.total_after),
            ms(run.elapsed),
        ]);
    }
    println!("{t}");
    println!(
        "With one global order no cycle can form. (A timeout can't tell a deadlock from a slow\n\
         lock holder, so on a very busy machine even the ordered run may count a few.)"
    );
}

fn scoped_demo(args: &ScopedArgs) {
    let threads = args.threads.unwrap_or_else(cores);
    let numbers: Vec<u64> = (1..=args.numbers as u64).collect();
    let expected = triangle(args.numbers as u64);
    let mut t = table(["way", "what the threads get", "sum", "exact"]);
    let arc_sum = scoped::sum_with_arc(std::sync::Arc::new(numbers.clone()), threads);
    t.add_row([
        "thread::spawn",
        "a clone of an Arc<Vec<u64>> ('static)",
        &grouped(arc_sum),
        yes_no(arc_sum == expected),
    ]);
    let scoped_sum = scoped::sum_scoped(&numbers, threads);
    t.add_row([
        "thread::scope",
        "&[u64]: a borrowed chunk of a local Vec",
        &grouped(scoped_sum),
        yes_no(scoped_sum == expected),
    ]);
    let mut doubled = numbers;
    let used = scoped::scale_in_place(&mut doubled, threads, 2);
    let doubled_sum: u64 = doubled.iter().sum();
    t.add_row([
        "thread::scope",
        "&mut [u64]: a disjoint chunk, changed in place",
        &grouped(doubled_sum),
        yes_no(doubled_sum == 2 * expected),
    ]);
    println!("{t}");
    println!(
        "{} numbers, {threads} threads ({used} chunks changed in place, no lock).",
        grouped(args.numbers as u64)
    );
}

fn channels_demo(args: &ChannelsArgs) {
    let run = channels::fan_in(
        args.workers,
        args.jobs,
        args.numbers,
        Duration::from_millis(args.tick_ms),
        Duration::from_millis(args.deadline_ms),
    );
    let expected = course_support::count_primes(0..args.jobs * args.numbers);
    let mut t = table(["what", "value"]);
    t.add_row(["workers".to_owned(), args.workers.to_string()]);
    t.add_row([
        "jobs queued (unbounded channel)".to_owned(),
        grouped(run.jobs),
    ]);
    t.add_row([
        "results received (bounded channel)".to_owned(),
        grouped(run.results),
    ]);
    t.add_row([
        format!("progress ticks handled (every {} ms)", args.tick_ms),
        grouped(run.ticks),
    ]);
    t.add_row([
        format!("deadline ({} ms) passed", args.deadline_ms),
        yes_no(run.deadline_passed).to_owned(),
    ]);
    t.add_row([
        "primes counted".to_owned(),
        if run.deadline_passed {
            format!("{} (partial)", grouped(run.primes))
        } else {
            format!(
                "{} (exact: {})",
                grouped(run.primes),
                yes_no(run.primes == expected)
            )
        },
    ]);
    t.add_row(["ms".to_owned(), ms(run.elapsed)]);
    println!("{t}");
    println!(
        "The loop ended when {}; every worker was joined.",
        if run.deadline_passed {
            "the deadline arm of select! fired"
        } else {
            "the last worker dropped its sender"
        }
    );
}

fn map() {
    let mut t = table(["Python", "Rust", "the difference"]);
    for row in python_map::ROWS {
        t.add_row([row.python, row.rust, row.note]);
    }
    println!("{t}");
}

fn bench(args: &BenchArgs) {
    println!(
        "{} producers -> {} consumers, {} items per run, {} cores:",
        args.producers,
        args.consumers,
        grouped(args.items),
        cores()
    );
    println!("Each row is the fastest of {} runs.", args.repeats);
    throughput_table(
        args.producers,
        args.consumers,
        args.items,
        &[1, 64, 1024],
        args.repeats,
    );
    let unbounded = bounded::throughput(
        Kind::Unbounded,
        args.producers,
        args.consumers,
        args.items,
        0,
    );
    println!(
        "crossbeam unbounded(): {} items/s (no backpressure: the queue may grow without limit).",
        si(unbounded.items_per_sec())
    );
}

//! `cargo run -p lesson-04-ipc [DEMO]`: with no demo, the guided tour.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::builder::RangedU64ValueParser;
use clap::{Parser, Subcommand};
use course_support::child::{ROLE_COMMAND, Spawner, describe, python_exitcode};
use course_support::interpreter::{self, PythonArgs};
use course_support::report::{grouped, ms, yes_no};
use course_support::{cores, ratio, table};
use lesson_04_ipc::joinable::{self, JoinableQueue};
use lesson_04_ipc::queue::{self, Crash, Plan};
use lesson_04_ipc::roles::{self, Role};
use lesson_04_ipc::startup::{self, Kind};
use lesson_04_ipc::writer_reader::{self, Ending};
use lesson_04_ipc::{fork, pipe, process, python, throughput};

/// The tour's sizes: small enough for a debug build to finish in seconds.
const TOUR_MESSAGES: u64 = 20_000;
const BENCH_MESSAGES: u64 = 200_000;

/// Child processes and IPC: Process, Queue, JoinableQueue and Pipe built from
/// real OS processes (this program started again with a role) and
/// ipc-channel; a crashing child; fork vs spawn; what a process costs.
#[derive(Debug, Parser)]
#[command(name = "lesson-04-ipc")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// Start children, print their pids and exit codes, terminate one that loops forever.
    Process {
        /// Exit codes for the children to end with, one child each.
        #[arg(long, value_delimiter = ',', default_values_t = [0, 3, 42], value_parser = clap::value_parser!(i32).range(0..=255))]
        exit_codes: Vec<i32>,
        /// How long to wait for the endless child before terminating it, in ms.
        #[arg(long, default_value_t = 200, value_parser = RangedU64ValueParser::<u64>::new().range(0..=10_000))]
        wait_ms: u64,
    },
    /// Many producer processes put numbered messages on one queue.
    Queue {
        #[arg(long, default_value_t = 4, value_parser = count(1, 64))]
        producers: usize,
        /// Messages per producer.
        #[arg(long, default_value_t = 5_000, value_parser = RangedU64ValueParser::<u64>::new().range(1..=10_000_000))]
        messages: u64,
    },
    /// JoinableQueue: worker processes count primes; task_done and join.
    Joinable {
        #[arg(long, default_value_t = cores().clamp(2, 8), value_parser = count(1, 64))]
        workers: usize,
        #[arg(long, default_value_t = 12, value_parser = RangedU64ValueParser::<u64>::new().range(1..=10_000))]
        tasks: u64,
        /// Count the primes below this number.
        #[arg(long, default_value_t = 200_000, value_parser = RangedU64ValueParser::<u64>::new().range(1..=100_000_000))]
        below: u64,
    },
    /// A duplex pipe: ping-pong with a child process, and with a thread.
    Pipe {
        #[arg(long, default_value_t = 2_000, value_parser = RangedU64ValueParser::<u64>::new().range(1..=10_000_000))]
        rounds: u64,
    },
    /// The seed's writer/reader pair, ended by terminate (as in the seed) or by disconnecting.
    WriterReader {
        #[arg(long, value_enum)]
        ending: Option<Ending>,
        /// The writer's pause after each put, in ms.
        #[arg(long, default_value_t = 20, value_parser = RangedU64ValueParser::<u64>::new().range(0..=5_000))]
        pause_ms: u64,
    },
    /// Producers that crash mid-stream: reported with their exit status, never waited for.
    Crash {
        /// Messages each producer plans to send.
        #[arg(long, default_value_t = 1_000, value_parser = RangedU64ValueParser::<u64>::new().range(1..=10_000_000))]
        messages: u64,
        /// The crashing producers stop after this many messages.
        #[arg(long, default_value_t = 300, value_parser = RangedU64ValueParser::<u64>::new().range(0..=10_000_000))]
        after: u64,
    },
    /// What fork() copies (one thread, and every lock as it was) and Python's start methods.
    Fork,
    /// Start-up cost: threads vs fork vs processes, microseconds each.
    Startup {
        #[arg(long, default_value_t = 500, value_parser = count(1, 1_000_000))]
        threads: usize,
        #[arg(long, default_value_t = 50, value_parser = count(1, 100_000))]
        processes: usize,
    },
    /// Messages per second: mpsc and crossbeam in one process vs ipc-channel between processes.
    Throughput {
        #[arg(long, default_value_t = TOUR_MESSAGES, value_parser = RangedU64ValueParser::<u64>::new().range(2..=100_000_000))]
        messages: u64,
        #[arg(long, default_value_t = cores().clamp(2, 8), value_parser = count(1, 64))]
        producers: usize,
        #[arg(long, default_value_t = 64, value_parser = count(1, 100_000))]
        batch: usize,
    },
    /// The targets (see the book's Targets page) with larger counts, and Python side by side
    /// (meant for `cargo run --release -p lesson-04-ipc -- bench`).
    Bench {
        #[arg(long, default_value_t = BENCH_MESSAGES, value_parser = RangedU64ValueParser::<u64>::new().range(2..=100_000_000))]
        messages: u64,
        #[arg(long, default_value_t = cores().clamp(2, 8), value_parser = count(1, 64))]
        producers: usize,
        #[arg(long, default_value_t = 64, value_parser = count(1, 100_000))]
        batch: usize,
        /// Threads and processes to start for the start-up table.
        #[arg(long, default_value_t = 100, value_parser = count(1, 100_000))]
        starts: usize,
        #[command(flatten)]
        python: PythonArgs,
    },
    /// What a child process runs: `lesson-04-ipc child <ROLE>` (started by this program).
    #[command(name = ROLE_COMMAND, hide = true)]
    Child {
        #[command(subcommand)]
        role: Role,
    },
}

fn count(min: u64, max: u64) -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::<usize>::new().range(min..=max)
}

// ANCHOR: dispatch
fn main() -> ExitCode {
    let demo = Cli::parse().demo.unwrap_or(Demo::Tour);
    // A child started by this program: play the role and exit with its code.
    if let Demo::Child { role } = demo {
        let code = roles::run(role);
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    // ANCHOR_END: dispatch
    match run(demo) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(demo: Demo) -> Result<()> {
    let spawner = Spawner::current_exe()?;
    match demo {
        Demo::Tour => tour(&spawner),
        Demo::Process {
            exit_codes,
            wait_ms,
        } => show_process(&spawner, &exit_codes, Duration::from_millis(wait_ms)),
        Demo::Queue {
            producers,
            messages,
        } => show_queue(&spawner, producers, messages),
        Demo::Joinable {
            workers,
            tasks,
            below,
        } => show_joinable(&spawner, workers, tasks, below),
        Demo::Pipe { rounds } => show_pipe(&spawner, rounds),
        Demo::WriterReader { ending, pause_ms } => {
            let endings = match ending {
                Some(e) => vec![e],
                None => vec![Ending::Terminate, Ending::Disconnect],
            };
            show_writer_reader(&spawner, &endings, Duration::from_millis(pause_ms))
        }
        Demo::Crash { messages, after } => show_crash(&spawner, messages, after),
        Demo::Fork => show_fork(),
        Demo::Startup { threads, processes } => show_startup(&spawner, threads, processes, None),
        Demo::Throughput {
            messages,
            producers,
            batch,
        } => show_throughput(&spawner, messages, producers, batch, None).map(|_| ()),
        Demo::Bench {
            messages,
            producers,
            batch,
            starts,
            python,
        } => bench(&spawner, messages, producers, batch, starts, &python),
        Demo::Child { .. } => unreachable!("handled in main"),
    }
}

fn tour(spawner: &Spawner) -> Result<()> {
    println!(
        "Lesson 04: child processes and IPC. This is pid {} on {} cores.",
        std::process::id(),
        cores()
    );
    println!(
        "Every child below is this same program started again with a role:\n  {} {ROLE_COMMAND} <role> ...",
        spawner.program().display()
    );
    heading("1. Process: start, pid, exit code, terminate");
    show_process(spawner, &[0, 3, 42], Duration::from_millis(200))?;
    heading("2. Queue: 4 producer processes, one consumer");
    show_queue(spawner, 4, 5_000)?;
    heading("3. JoinableQueue: put, task_done, join");
    show_joinable(spawner, cores().clamp(2, 8), 12, 200_000)?;
    heading("4. Pipe: duplex ping-pong");
    show_pipe(spawner, 2_000)?;
    heading("5. The seed's writer and reader");
    show_writer_reader(
        spawner,
        &[Ending::Terminate, Ending::Disconnect],
        Duration::from_millis(20),
    )?;
    heading("6. Producers that crash mid-stream");
    show_crash(spawner, 1_000, 300)?;
    heading("7. fork(), and why Rust spawns instead");
    show_fork()?;
    heading("8. What a process costs");
    show_startup(spawner, 500, 50, None)?;
    println!();
    show_throughput(spawner, TOUR_MESSAGES, cores().clamp(2, 8), 64, None)?;
    println!(
        "\nEach section is a subcommand with flags (see --help). For bigger counts and\n\
         Python side by side: cargo run --release -p lesson-04-ipc -- bench"
    );
    Ok(())
}

fn heading(title: &str) {
    println!("\n## {title}\n");
}

fn show_process(spawner: &Spawner, exit_codes: &[i32], wait: Duration) -> Result<()> {
    let me = std::process::id();
    println!(
        "{} children started before joining any; each prints its pid and parent pid:",
        exit_codes.len()
    );
    let reports = process::start_and_join(spawner, exit_codes)?;
    let mut t = table([
        "child",
        "pid (from spawn)",
        "pid (it printed)",
        "its parent",
        "asked to exit with",
        "ended with",
        "Python's exitcode",
    ]);
    for (i, r) in reports.iter().enumerate() {
        let parent = if r.parent == me {
            format!("{} (us)", r.parent)
        } else {
            r.parent.to_string()
        };
        t.add_row([
            (i + 1).to_string(),
            r.pid.to_string(),
            r.own_pid.to_string(),
            parent,
            r.asked.to_string(),
            describe(r.status),
            python_exitcode(r.status).map_or("?".into(), |c| c.to_string()),
        ]);
    }
    println!("{t}");
    let t = process::terminate_forever(spawner, wait)?;
    println!(
        "A child that loops forever (pid {}): {} after waiting {} ms, so a plain join would never return.",
        t.pid,
        if t.running_after_wait {
            "still running"
        } else {
            "already gone"
        },
        t.waited.as_millis()
    );
    println!(
        "terminate(): {}, Python's exitcode {}; reaped: {}.",
        describe(t.status),
        python_exitcode(t.status).map_or("?".into(), |c| c.to_string()),
        if t.gone {
            "yes, its pid is gone from the process table"
        } else {
            "NO, its pid still exists"
        }
    );
    Ok(())
}

fn show_queue(spawner: &Spawner, producers: usize, messages: u64) -> Result<()> {
    let plans = vec![Plan::ok(messages); producers];
    let run = queue::run(spawner, &plans, Duration::from_secs(60))?;
    println!(
        "{producers} producer processes x {} numbered messages, one ipc-channel queue, this process consumes:",
        grouped(messages)
    );
    producers_table(&run, false);
    println!(
        "{} messages, {}: {} ms from the first to the last, {} messages/s.",
        grouped(run.total),
        if run.exactly_once() {
            "each exactly once, in order per producer"
        } else {
            "SOME LOST OR REPEATED"
        },
        ms(run.first_to_last),
        grouped(run.per_second() as u64)
    );
    println!("The loop ended because recv() returned Disconnected: the last producer had exited.");
    Ok(())
}

fn producers_table(run: &queue::Collected, with_stderr: bool) {
    let mut headers = vec![
        "producer",
        "pid",
        "planned",
        "received",
        "in order, once",
        "ended with",
    ];
    if with_stderr {
        headers.push("its last words (stderr)");
    }
    let mut t = table(headers);
    for p in &run.producers {
        let plan = match p.plan.crash {
            None => grouped(p.plan.messages),
            Some((after, how)) => format!(
                "{}, {} after {}",
                grouped(p.plan.messages),
                match how {
                    Crash::Panic => "panic",
                    Crash::Abort => "abort",
                    Crash::Hang => "hang",
                },
                grouped(after)
            ),
        };
        let mut row = vec![
            p.id.to_string(),
            p.pid.to_string(),
            plan,
            grouped(p.received),
            yes_no(p.in_order && p.received == p.plan.delivers()).into(),
            describe(p.status),
        ];
        if with_stderr {
            row.push(shorten(&p.stderr, 60));
        }
        t.add_row(row);
    }
    println!("{t}");
}

fn show_joinable(spawner: &Spawner, workers: usize, tasks: u64, below: u64) -> Result<()> {
    let mut q = JoinableQueue::start(spawner, workers)?;
    let pids = q.pids();
    for task in joinable::prime_tasks(below, tasks) {
        q.put(task);
    }
    println!(
        "Put {tasks} tasks (count the primes below {} in {tasks} ranges) for {workers} worker processes.",
        grouped(below)
    );
    println!("Right after the puts: {} unfinished.", q.unfinished());
    q.join(Duration::from_secs(120))?;
    let done = q.done();
    println!(
        "join() returned after {} task_done messages for {} puts; unfinished now {}.",
        done.len(),
        q.put_count(),
        q.unfinished()
    );
    let mut t = table(["worker", "pid", "tasks done", "primes found"]);
    for (w, pid) in pids.iter().enumerate() {
        let mine: Vec<_> = done.iter().filter(|d| d.worker == w).collect();
        t.add_row([
            w.to_string(),
            pid.to_string(),
            mine.len().to_string(),
            grouped(mine.iter().map(|d| d.primes).sum::<u64>()),
        ]);
    }
    println!("{t}");
    let total: u64 = done.iter().map(|d| d.primes).sum();
    let check = course_support::count_primes(0..below);
    println!(
        "Primes below {}: {} (counted again in this process: {}, {}).",
        grouped(below),
        grouped(total),
        grouped(check),
        if total == check { "same" } else { "DIFFERENT" }
    );
    let statuses = q.close()?;
    let ended: Vec<String> = statuses.into_iter().map(describe).collect();
    println!(
        "close(): every task channel closed, so each worker's recv failed and it exited: {}.",
        ended.join(", ")
    );
    Ok(())
}

fn show_pipe(spawner: &Spawner, rounds: u64) -> Result<()> {
    let thread = pipe::ping_pong_thread(rounds);
    let child = pipe::ping_pong(spawner, rounds)?;
    println!("Send n, the other end answers n + 1, send that back, {rounds} times:");
    let mut t = table([
        "other end",
        "channels",
        "round trips",
        "last answer",
        "us per round trip",
    ]);
    t.add_row([
        "a thread of this process".to_owned(),
        "2 x std mpsc".to_owned(),
        grouped(thread.rounds),
        grouped(thread.last),
        format!("{:.2}", thread.us_per_round_trip()),
    ]);
    t.add_row([
        format!("child process pid {}", child.pid),
        "2 x ipc-channel".to_owned(),
        grouped(child.rounds),
        grouped(child.last),
        format!("{:.2}", child.us_per_round_trip()),
    ]);
    println!("{t}");
    println!(
        "Process vs thread, per round trip: {}. Either way the other side sleeps in recv()\n\
         and is woken twice per round; waking a sleeper costs about as much as crossing\n\
         into another process, so a chatty protocol is slow even between threads.",
        ratio(child.us_per_round_trip(), thread.us_per_round_trip())
    );
    Ok(())
}

fn show_writer_reader(spawner: &Spawner, endings: &[Ending], pause: Duration) -> Result<()> {
    let mut t = table([
        "ending",
        "writer pid",
        "writer ended with",
        "reader pid",
        "reader got",
        "reader ended with",
    ]);
    for &ending in endings {
        println!(
            "{}:",
            match ending {
                Ending::Terminate =>
                    "As in the seed: the parent keeps the queue, joins the writer, terminates the reader",
                Ending::Disconnect =>
                    "The Rust way: the parent keeps no sender, so the reader sees the end by itself",
            }
        );
        let pair = writer_reader::run(spawner, ending, pause)?;
        t.add_row([
            format!("{ending:?}").to_lowercase(),
            pair.writer_pid.to_string(),
            describe(pair.writer_status),
            pair.reader_pid.to_string(),
            pair.got.join(" "),
            describe(pair.reader_status),
        ]);
    }
    println!("{t}");
    println!(
        "The reader loops on get() forever: while anyone still holds a sender (Python's parent\n\
         holds the queue), more could come, so it never stops by itself and must be terminated.\n\
         Drop every sender instead and recv() returns Disconnected after the last message."
    );
    Ok(())
}

fn show_crash(spawner: &Spawner, messages: u64, after: u64) -> Result<()> {
    let plans = [
        Plan::ok(messages),
        Plan::crash(messages, after, Crash::Panic),
        Plan::crash(messages, after, Crash::Abort),
        Plan::ok(messages),
    ];
    let run = queue::run(spawner, &plans, Duration::from_secs(60))?;
    println!("4 producers; two of them crash partway through their stream:");
    producers_table(&run, true);
    let crashed = run.producers.iter().filter(|p| !p.status.success()).count();
    println!(
        "No hang: {crashed} producers crashed, and recv() returned Disconnected as soon as the last\n\
         producer was gone. Everything a producer sent before it died arrived ({}).",
        if run.exactly_once() {
            "checked: every message, once, in order"
        } else {
            "NOT ALL OF IT"
        }
    );
    Ok(())
}

fn show_fork() -> Result<()> {
    match fork::held_lock_after_fork() {
        Ok(f) => {
            println!(
                "This process had {} threads, one of them holding a Mutex, when it called fork().",
                f.parent_threads
            );
            println!(
                "The child (pid {}) had {} thread{}, and the Mutex was {}.",
                f.pid,
                f.child_threads,
                if f.child_threads == 1 { "" } else { "s" },
                if f.child_saw_lock_held {
                    "locked (try_lock: WouldBlock),\n\
                     held by a thread that does not exist there: lock() would have waited forever"
                } else {
                    "free"
                }
            );
        }
        Err(e) => println!("(fork demo skipped: {e})"),
    }
    println!(
        "So std::process::Command starts a new program (posix_spawn, or fork + exec at once),\n\
         and this lesson re-executes itself. Only an unsafe CommandExt::pre_exec closure runs\n\
         in the forked copy, before exec, and it may make async-signal-safe calls only."
    );
    let mut t = table(["where", "multiprocessing's default start method"]);
    for (place, method) in [
        ("Linux, Python up to 3.13", "fork"),
        (
            "Linux and other POSIX systems but macOS, Python 3.14+",
            "forkserver",
        ),
        ("macOS, Python 3.8+", "spawn"),
        ("Windows", "spawn (there is no fork)"),
        (
            "Rust std::process::Command",
            "always a fresh program (spawn)",
        ),
    ] {
        t.add_row([place, method]);
    }
    println!("{t}");
    match fork::python_start_methods() {
        Some(p) => println!(
            "Your python3 {} uses '{}' (available: {}).",
            p.version,
            p.default,
            p.available.join(", ")
        ),
        None => println!("{}", course_support::python::MISSING),
    }
    Ok(())
}

fn show_startup(
    spawner: &Spawner,
    threads: usize,
    processes: usize,
    py: Option<&python::PythonRun>,
) -> Result<()> {
    let rows = startup::measure(spawner, threads, processes)?;
    let thread_us = rows
        .iter()
        .find(|r| r.what == Kind::Thread)
        .map_or(0.0, |r| r.us_each());
    println!(
        "Start one, wait for it to end, repeat; time per start (fastest of {} rounds):",
        startup::ROUNDS
    );
    let mut t = table(["what", "started", "us each", "vs a thread"]);
    for r in &rows {
        t.add_row([
            r.what.label().to_owned(),
            grouped(r.count as u64),
            format!("{:.1}", r.us_each()),
            ratio(r.us_each(), thread_us),
        ]);
    }
    if let Some(py) = py {
        // The thread first, then the start methods in the order Python lists them.
        let mut kinds: Vec<&String> = py.start_us.keys().collect();
        kinds.sort_by_key(|k| *k != "thread");
        for what in kinds {
            let label = if what == "thread" {
                "Python threading.Thread start + join".to_owned()
            } else {
                format!("Python Process ('{what}') start + join")
            };
            let us = py.start_us[what];
            t.add_row([
                label,
                grouped(py.starts as u64),
                format!("{us:.1}"),
                ratio(us, thread_us),
            ]);
        }
    }
    println!("{t}");
    let process_us = rows
        .iter()
        .find(|r| r.what == Kind::Process)
        .map_or(0.0, |r| r.us_each());
    println!(
        "Starting a process costs {} starting a thread: a new address space, loading the\n\
         program, and its runtime starting up. Use processes for work that dwarfs that.",
        ratio(process_us, thread_us)
    );
    Ok(())
}

/// The rows the targets compare: one producer process, one message per
/// send, and the same in batches.
#[derive(Debug, Clone, Copy, Default)]
struct IpcRates {
    one_by_one: f64,
    batched: f64,
    buffered: f64,
}

/// Prints the throughput table.
fn show_throughput(
    spawner: &Spawner,
    messages: u64,
    producers: usize,
    batch: usize,
    py: Option<&python::PythonRun>,
) -> Result<IpcRates> {
    let rows = throughput::measure(spawner, messages, producers, batch)?;
    let rate_of = |kind: throughput::Kind| {
        rows.iter()
            .find(|r| r.kind == kind)
            .map_or(0.0, |r| r.per_second())
    };
    let base = rate_of(throughput::Kind::Mpsc);
    println!(
        "{} small messages per row, timed from the first received to the last (fastest of {} runs):",
        grouped(messages),
        throughput::ROUNDS
    );
    let mut headers = vec![
        "channel",
        "messages/s",
        "ns per message",
        "time vs std mpsc",
    ];
    if py.is_some() {
        headers.extend(["vs Python Queue (idiomatic)", "vs like-for-like Python"]);
    }
    let mut t = table(headers);
    let mut add = |label: &str, rate: f64, like: Option<(&str, f64)>| {
        let mut row = vec![
            label.to_owned(),
            grouped(rate as u64),
            format!("{:.0}", 1e9 / rate.max(1e-9)),
            ratio(base, rate),
        ];
        if let Some(py) = py {
            row.push(ratio(rate, py.queue));
            row.push(like.map_or("-".to_owned(), |(what, py_rate)| {
                format!("{} ({what})", ratio(rate, py_rate))
            }));
        }
        t.add_row(row);
    };
    for r in &rows {
        add(
            &r.label,
            r.per_second(),
            py.and_then(|py| like_for_like(r.kind, py)),
        );
    }
    if let Some(py) = py {
        add("Python multiprocessing.Queue, 1 process", py.queue, None);
        add("Python multiprocessing.Pipe, 1 process", py.pipe, None);
        add(
            &format!("Python Queue, 1 process, lists of {batch}"),
            py.queue_batched,
            None,
        );
        add(
            &format!("Python Pipe, 1 process, lists of {batch}"),
            py.pipe_batched,
            None,
        );
        add(
            "Python byte pipe + BufferedWriter + struct, 1 process",
            py.byte_pipe,
            None,
        );
    }
    println!("{t}");
    Ok(IpcRates {
        one_by_one: rate_of(throughput::Kind::IpcOneProcess),
        batched: rate_of(throughput::Kind::IpcBatched),
        buffered: rate_of(throughput::Kind::StreamOneProcess),
    })
}

/// The Python row that does what a Rust row does, the same way: one pickled
/// message per call through a pipe, lists through a pipe, or frames through a
/// buffered byte pipe. `None` for the rows Python has no counterpart run for.
fn like_for_like(kind: throughput::Kind, py: &python::PythonRun) -> Option<(&'static str, f64)> {
    use throughput::Kind;
    match kind {
        Kind::IpcOneProcess => Some(("Pipe", py.pipe)),
        Kind::IpcBatched => Some(("Pipe, lists", py.pipe_batched)),
        Kind::StreamOneProcess => Some(("byte pipe", py.byte_pipe)),
        _ => None,
    }
}

fn bench(
    spawner: &Spawner,
    messages: u64,
    producers: usize,
    batch: usize,
    starts: usize,
    python: &PythonArgs,
) -> Result<()> {
    println!(
        "Lesson 04 bench: {} messages per row, {starts} starts per start-up row, {} cores.",
        grouped(messages),
        cores()
    );
    if cfg!(debug_assertions) {
        println!("(debug build: use --release for numbers worth comparing)");
    }
    let py = match interpreter::announce(python.python_bin.as_deref()) {
        None => None,
        Some(interp) => {
            println!(
                "Running the same work in Python (multiprocessing, start method {})...",
                interp.facts.start_method
            );
            match python::run(&interp, messages, starts.min(20), batch) {
                Ok(run) => Some(run),
                Err(e) => {
                    println!("The Python run failed, going on without it: {e:#}");
                    None
                }
            }
        }
    };
    heading("Start-up: threads vs processes");
    show_startup(spawner, starts * 10, starts, py.as_ref())?;
    heading("Throughput: messages per second");
    let ipc = show_throughput(spawner, messages, producers, batch, py.as_ref())?;
    heading("Targets (see the book's Targets page)");
    let Some(py) = &py else {
        println!("IPC >= 5x Python's Queue: not measured (no python3).");
        return Ok(());
    };
    println!(
        "IPC messages/s >= 5x Python, 1 producer process each. Each Rust way is judged against\n\
         the Python that does the same thing the same way (like-for-like); the ratio to\n\
         multiprocessing.Queue, what most Python code uses, is shown beside it."
    );
    let mut t = table([
        "Rust",
        "like-for-like Python",
        "ratio",
        "target 5x",
        "vs Queue (idiomatic)",
    ]);
    for (rust, rust_rate, python, py_rate) in [
        (
            "ipc-channel, one message per send",
            ipc.one_by_one,
            "Pipe, one per send",
            py.pipe,
        ),
        (
            "byte pipe + BufWriter, one message per write",
            ipc.buffered,
            "byte pipe + BufferedWriter, one per write",
            py.byte_pipe,
        ),
        (
            &*format!("ipc-channel, batches of {batch}"),
            ipc.batched,
            &*format!("Pipe, lists of {batch}"),
            py.pipe_batched,
        ),
    ] {
        let r = rust_rate / py_rate.max(1e-9);
        t.add_row([
            format!("{rust}: {}/s", grouped(rust_rate as u64)),
            format!("{python}: {}/s", grouped(py_rate as u64)),
            format!("{r:.2}x"),
            if r >= 5.0 { "met" } else { "not met" }.to_owned(),
            ratio(rust_rate, py.queue),
        ]);
    }
    println!("{t}");
    Ok(())
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max - 3).collect();
    format!("{cut}...")
}

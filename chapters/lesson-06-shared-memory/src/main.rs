//! `cargo run -p lesson-06-shared-memory [DEMO]`: with no demo, the guided tour.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand};
use course_support::child::{ROLE_COMMAND, Spawner, exists};
use course_support::report::{grouped, yes_no};
use course_support::{cores, ratio, table};
use lesson_06_shared_memory::compare::{self, Kind, Setup};
use lesson_06_shared_memory::counter::{self, Increment};
use lesson_06_shared_memory::matrix::MAX_BANDS;
use lesson_06_shared_memory::roles::{self, Role};
use lesson_06_shared_memory::segment::{self, shm_path};
use lesson_06_shared_memory::transform;
use lesson_06_shared_memory::workers::{Mode, PanicAt};
use lesson_06_shared_memory::{interrupt, named};

/// A 1000 x 1000 f64 matrix in a named shared-memory segment, transformed in
/// place by child processes and measured against memcpy and pipes; Value and
/// Array analogs; no leaked segments, even when a child panics or Ctrl-C
/// arrives.
#[derive(Debug, Parser)]
#[command(name = "lesson-06-shared-memory")]
struct Cli {
    #[command(subcommand)]
    demo: Option<Demo>,
}

#[derive(Debug, Subcommand)]
enum Demo {
    /// Every demo below with small defaults (what runs without a subcommand).
    Tour,
    /// Create a named segment, have a child write into it by name, read it, unlink it.
    Segment {
        /// Size of the segment in bytes.
        #[arg(long, default_value_t = 4096, value_parser = RangedU64ValueParser::<usize>::new().range(4096..=1 << 30))]
        size: usize,
        /// Keep the segment this many seconds before removing it (look at
        /// /dev/shm meanwhile, or press Ctrl-C).
        #[arg(long, default_value_t = 0, value_parser = RangedU64ValueParser::<u64>::new().range(0..=3_600))]
        hold_secs: u64,
    },
    /// Worker processes multiply a shared matrix in place, one band of rows each.
    Transform {
        #[command(flatten)]
        shape: Shape,
        #[arg(long, default_value_t = 2.0, value_parser = finite)]
        factor: f64,
        /// Unlink the segment's name as soon as every worker has mapped it.
        #[arg(long)]
        unlink_early: bool,
    },
    /// A worker panics halfway through its band: what the parent reports and what is left.
    Crash {
        #[command(flatten)]
        shape: Shape,
        /// Where the numbers travel [default: each mode in turn].
        #[arg(long, value_enum)]
        mode: Option<Mode>,
        /// The worker (band) that panics.
        #[arg(long, default_value_t = 1, value_parser = RangedU64ValueParser::<usize>::new().range(0..MAX_BANDS as u64))]
        band: usize,
        /// It panics after this many rows of its band [default: half of them].
        #[arg(long, value_parser = RangedU64ValueParser::<usize>::new().range(0..=1_000_000))]
        after_rows: Option<usize>,
    },
    /// Value: K processes add 1 to one counter in shared memory, atomically and not.
    Counter {
        #[arg(long, default_value_t = 4, value_parser = RangedU64ValueParser::<usize>::new().range(1..=64))]
        processes: usize,
        /// Increments per process (a tenth of them for `load-yield-store`, which is slow).
        #[arg(long, default_value_t = 1_000_000, value_parser = RangedU64ValueParser::<u64>::new().range(1..=100_000_000))]
        increments: u64,
        /// How to add 1 [default: each way in turn].
        #[arg(long, value_enum)]
        how: Option<Increment>,
    },
    /// In place in shared memory vs through pipes (raw bytes, JSON) vs threads vs memcpy.
    Compare {
        #[command(flatten)]
        shape: Shape,
        #[command(flatten)]
        rounds: Rounds,
        /// Only these modes [default: all of them].
        #[arg(long, value_enum, value_delimiter = ',')]
        modes: Vec<Kind>,
    },
    /// The targets (see the book's Targets page) as ratios measured in one run
    /// (meant for `cargo run --release -p lesson-06-shared-memory -- bench`).
    Bench {
        #[command(flatten)]
        shape: Shape,
        #[arg(long, default_value_t = 30, value_parser = RangedU64ValueParser::<usize>::new().range(1..=10_000))]
        rounds: usize,
        #[arg(long, default_value_t = 3, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000))]
        json_rounds: usize,
    },
    /// What a child process runs: `lesson-06-shared-memory child <ROLE>` (started by this program).
    #[command(name = ROLE_COMMAND, hide = true)]
    Child {
        #[command(subcommand)]
        role: Role,
    },
}

/// The matrix and how many workers share it.
#[derive(Debug, Clone, Copy, Args)]
struct Shape {
    #[arg(long, default_value_t = 1000, value_parser = RangedU64ValueParser::<usize>::new().range(1..=5_000))]
    rows: usize,
    #[arg(long, default_value_t = 1000, value_parser = RangedU64ValueParser::<usize>::new().range(1..=5_000))]
    cols: usize,
    /// Worker processes, one band of rows each [default: the cores, 2 to 8].
    #[arg(long, value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_BANDS as u64))]
    workers: Option<usize>,
}

impl Shape {
    fn workers(&self) -> usize {
        self.workers.unwrap_or_else(default_workers)
    }

    /// Refuses more workers than rows, in words.
    fn checked(self) -> Result<Self> {
        let w = self.workers();
        anyhow::ensure!(
            w <= self.rows,
            "--workers {w} is more than --rows {}: each worker needs at least one row",
            self.rows
        );
        Ok(self)
    }
}

#[derive(Debug, Clone, Copy, Args)]
struct Rounds {
    /// Timed rounds after the first.
    #[arg(long, default_value_t = 10, value_parser = RangedU64ValueParser::<usize>::new().range(1..=10_000))]
    rounds: usize,
    /// Timed rounds after the first, for JSON (slow).
    #[arg(long, default_value_t = 1, value_parser = RangedU64ValueParser::<usize>::new().range(1..=1_000))]
    json_rounds: usize,
    #[arg(long, default_value_t = 2.0, value_parser = finite)]
    factor: f64,
}

fn default_workers() -> usize {
    cores().clamp(2, 8)
}

fn finite(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(format!("{s:?} is not a finite number")),
    }
}

fn main() -> ExitCode {
    let demo = Cli::parse().demo.unwrap_or(Demo::Tour);
    if let Demo::Child { role } = demo {
        let code = roles::run(role);
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    if let Err(e) = interrupt::install() {
        eprintln!("warning: no Ctrl-C handler ({e}); Ctrl-C may leave a segment in /dev/shm");
    }
    match run(demo) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if interrupt::interrupted() || e.is::<interrupt::Interrupted>() => {
            // Unwinding to here dropped every guard: children reaped, segments unlinked.
            eprintln!(
                "interrupted: children reaped; segments of ours left in {}: {}",
                segment::SHM_DIR,
                segment::leftovers_of(std::process::id()).len()
            );
            ExitCode::from(interrupt::EXIT_CODE)
        }
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
        Demo::Segment { size, hold_secs } => show_segment(&spawner, size, hold_secs),
        Demo::Transform {
            shape,
            factor,
            unlink_early,
        } => {
            let s = shape.checked()?;
            show_transform(&spawner, s.rows, s.cols, s.workers(), factor, unlink_early)
        }
        Demo::Crash {
            shape,
            mode,
            band,
            after_rows,
        } => {
            let s = shape.checked()?;
            let modes = mode.map_or(vec![Mode::Shm, Mode::PipeRaw, Mode::PipeJson], |m| vec![m]);
            show_crash(&spawner, s, &modes, band, after_rows)
        }
        Demo::Counter {
            processes,
            increments,
            how,
        } => {
            let hows = how.map_or(
                vec![
                    Increment::FetchAdd,
                    Increment::LoadStore,
                    Increment::LoadYieldStore,
                ],
                |h| vec![h],
            );
            show_counter(&spawner, processes, increments, &hows)
        }
        Demo::Compare {
            shape,
            rounds,
            modes,
        } => {
            let s = shape.checked()?;
            let modes = if modes.is_empty() {
                Kind::ALL.to_vec()
            } else {
                modes
            };
            let setup = setup(s, rounds.rounds, rounds.json_rounds, rounds.factor);
            show_compare(&spawner, setup, &modes).map(|_| ())
        }
        Demo::Bench {
            shape,
            rounds,
            json_rounds,
        } => bench(&spawner, setup(shape.checked()?, rounds, json_rounds, 2.0)),
        Demo::Child { .. } => unreachable!("handled in main"),
    }
}

fn setup(s: Shape, rounds: usize, json_rounds: usize, factor: f64) -> Setup {
    Setup {
        rows: s.rows,
        cols: s.cols,
        workers: s.workers(),
        rounds,
        json_rounds,
        factor,
    }
}

fn tour(spawner: &Spawner) -> Result<()> {
    println!(
        "Lesson 06: shared memory. This is pid {} on {} cores; Ctrl-C at any point\n\
         removes every segment we created before exiting.",
        std::process::id(),
        cores()
    );
    let w = default_workers();
    heading("1. A named segment: SharedMemory(create=True, name=..., size=...)");
    show_segment(spawner, 4096, 0)?;
    heading(&format!(
        "2. A 1000 x 1000 matrix, transformed in place by {w} processes"
    ));
    show_transform(spawner, 1000, 1000, w, 2.0, false)?;
    println!();
    show_transform(spawner, 1000, 1000, w, 2.0, true)?;
    heading("3. In place vs through a pipe vs memcpy");
    show_compare(
        spawner,
        Setup {
            rows: 1000,
            cols: 1000,
            workers: w,
            rounds: 3,
            json_rounds: 1,
            factor: 2.0,
        },
        &Kind::ALL,
    )?;
    heading("4. Value: one counter in shared memory, 4 processes");
    show_counter(
        spawner,
        4,
        200_000,
        &[
            Increment::FetchAdd,
            Increment::LoadStore,
            Increment::LoadYieldStore,
        ],
    )?;
    heading("5. A worker panics halfway through its band");
    let shape = Shape {
        rows: 1000,
        cols: 1000,
        workers: Some(w),
    };
    show_crash(spawner, shape, &[Mode::Shm, Mode::PipeRaw], 1, None)?;
    println!(
        "\nEach section is a subcommand with flags (see --help). The targets, measured:\n  \
         cargo run --release -p lesson-06-shared-memory -- bench"
    );
    Ok(())
}

fn heading(title: &str) {
    println!("\n## {title}\n");
}

fn show_segment(spawner: &Spawner, size: usize, hold_secs: u64) -> Result<()> {
    let g = named::greet(spawner, size, |seg| {
        println!(
            "created {} ({} bytes), listed in {}: {}",
            shm_path(seg.name()).display(),
            grouped(seg.len() as u64),
            segment::SHM_DIR,
            yes_no(segment::exists(seg.name()))
        );
        if hold_secs > 0 {
            println!(
                "holding it for {hold_secs} s: try `ls -l {}` in another terminal, or press Ctrl-C",
                segment::SHM_DIR
            );
            named::hold_for(hold_secs)?;
        }
        Ok(())
    })?;
    println!(
        "a child process (pid {}, {}) opened it by its name {} and wrote into it;\nthe parent read: {:?}",
        g.child_pid, g.child_ended, g.name, g.message
    );
    println!(
        "the owner dropped it: shm_unlink ran, {} listed now: {}",
        shm_path(&g.name).display(),
        yes_no(g.listed_after_drop)
    );
    Ok(())
}

fn show_transform(
    spawner: &Spawner,
    rows: usize,
    cols: usize,
    workers: usize,
    factor: f64,
    unlink_early: bool,
) -> Result<()> {
    let r = transform::in_place(spawner, rows, cols, workers, factor, unlink_early)?;
    if unlink_early {
        println!(
            "Again, but the parent unlinked {} as soon as every worker had mapped it:",
            r.segment
        );
    } else {
        println!(
            "{} filled a {rows} x {cols} f64 matrix ({} bytes) in {}, started {workers} workers with\n\
             only the segment's name, and told each to multiply its band of rows by {factor}:",
            std::process::id(),
            grouped((rows * cols * 8) as u64),
            r.segment
        );
    }
    let mut t = table([
        "band",
        "rows",
        "worker pid",
        "pid recorded in the segment",
        &format!("every cell x {factor}"),
    ]);
    for (i, b) in r.bands.iter().enumerate() {
        t.add_row([
            i.to_string(),
            format!("{}..{}", b.rows.start, b.rows.end),
            b.worker_pid.to_string(),
            b.recorded_pid.to_string(),
            yes_no(b.correct).to_owned(),
        ]);
    }
    println!("{t}");
    println!(
        "{}.\nFrom the first worker's start to the last one's exit: {:.1} ms; they ended with {}.",
        if r.all_correct() {
            "Every number is right, and each band was written by its own worker"
        } else {
            "SOME BANDS ARE WRONG"
        },
        r.elapsed.as_secs_f64() * 1e3,
        summarize(&r.statuses)
    );
    if unlink_early {
        println!(
            "The name is only a rendezvous: without it the workers still wrote into the same\n\
             memory, and now nothing can leak, even if the parent is killed with SIGKILL."
        );
    } else {
        println!(
            "No number went through a pipe: the parent read results its children wrote into its\n\
             own memory. The pipes carried only `scale {factor}` and `done`."
        );
    }
    println!(
        "{} listed after the owner dropped it: {}",
        shm_path(&r.segment).display(),
        yes_no(r.listed_after)
    );
    Ok(())
}

/// "exit code 0 (x4)" or the list.
fn summarize(statuses: &[String]) -> String {
    match statuses.first() {
        Some(first) if statuses.iter().all(|s| s == first) => {
            format!("{first} (x{})", statuses.len())
        }
        _ => statuses.join(", "),
    }
}

/// Prints the comparison table; returns the rows for `bench`.
fn show_compare(spawner: &Spawner, s: Setup, kinds: &[Kind]) -> Result<Vec<compare::Row>> {
    let rows = compare::run(spawner, s, kinds)?;
    let memcpy = rows
        .iter()
        .find(|r| r.kind == Kind::Memcpy)
        .map_or(0.0, |r| r.best.as_secs_f64());
    println!(
        "A {} x {} f64 matrix ({} MB), x {} per round; workers started once, then {} timed rounds\n\
         ({} for JSON) after a first one; times in ms, measured by the parent:",
        s.rows,
        s.cols,
        fmt_mb(s.bytes()),
        s.factor,
        s.rounds,
        s.json_rounds
    );
    let mut t = table([
        "mode",
        "processes",
        "start-up",
        "first round",
        "best round",
        "median",
        "best vs memcpy",
        "MB through pipes per round",
        "same bits as 1 thread",
    ]);
    for r in &rows {
        t.add_row([
            r.kind.label().to_owned(),
            if matches!(r.kind, Kind::Shm | Kind::PipeRaw | Kind::PipeJson) {
                format!("1 + {}", r.workers)
            } else {
                "1".to_owned()
            },
            r.startup.map_or("".into(), ms),
            ms(r.first),
            ms(r.best),
            ms(r.median),
            if memcpy > 0.0 {
                ratio(r.best.as_secs_f64(), memcpy)
            } else {
                "".into()
            },
            if r.pipe_bytes > 0 {
                fmt_mb(r.pipe_bytes)
            } else {
                "0".into()
            },
            r.identical.map_or("n/a".into(), |b| yes_no(b).to_owned()),
        ]);
    }
    println!("{t}");
    Ok(rows)
}

fn show_counter(
    spawner: &Spawner,
    processes: usize,
    increments: u64,
    hows: &[Increment],
) -> Result<()> {
    println!(
        "{processes} processes add 1 to one u64 in a shared segment, {} times each ({} with\n\
         a yield, which is slow), all released at once:",
        grouped(increments),
        grouped(yield_increments(increments))
    );
    let mut t = table([
        "increment",
        "per process",
        "expected",
        "counted",
        "lost",
        "segment left behind",
    ]);
    for &how in hows {
        let n = if how == Increment::LoadYieldStore {
            yield_increments(increments)
        } else {
            increments
        };
        let r = counter::run(spawner, processes, n, how)?;
        t.add_row([
            how.label().to_owned(),
            grouped(n),
            grouped(r.expected),
            grouped(r.counted),
            grouped(r.lost()),
            yes_no(segment::exists(&r.segment)).to_owned(),
        ]);
    }
    println!("{t}");
    println!(
        "fetch_add is one indivisible instruction, so it is exact across processes exactly as\n\
         across threads. load-then-store is two steps: another process's adds between them are\n\
         overwritten. Python's `v.value += 1` on a Value is that second kind, lock or no lock."
    );
    Ok(())
}

fn show_crash(
    spawner: &Spawner,
    s: Shape,
    modes: &[Mode],
    band: usize,
    after_rows: Option<usize>,
) -> Result<()> {
    let workers = s.workers();
    anyhow::ensure!(
        band < workers,
        "--band {band}: there are only {workers} workers (0..{workers})"
    );
    let rows_in_band = lesson_06_shared_memory::matrix::band(s.rows, band, workers).len();
    let after_rows = after_rows.unwrap_or(rows_in_band / 2);
    println!(
        "{workers} workers, x 2 in place; worker {band} panics after {after_rows} of its {rows_in_band} rows:"
    );
    let mut t = table([
        "mode",
        "failed worker",
        "ended with",
        "its last words (stderr)",
        "rows of its band changed",
        "rows changed in all",
        "processes left",
        "segment left",
    ]);
    for &mode in modes {
        let c = transform::crash(
            spawner,
            mode,
            s.rows,
            s.cols,
            workers,
            PanicAt { band, after_rows },
        )?;
        let running = c.pids.iter().filter(|&&p| exists(p)).count();
        t.add_row([
            mode.label().to_owned(),
            format!("{} (pid {})", c.failure.index, c.failure.pid),
            c.failure.ended.clone(),
            c.failure.last_words.clone(),
            format!("{} of {}", c.crashed_band_rows_changed, c.crashed_band_rows),
            format!("{} of {}", c.rows_changed, c.rows),
            running.to_string(),
            c.segment.map_or("(none made)".into(), |(_, listed)| {
                yes_no(listed).to_owned()
            }),
        ]);
    }
    println!("{t}");
    println!(
        "In shared memory the crash is visible: half a band written, the other bands done or\n\
         not depending on timing; the matrix is neither before nor after. Through a pipe the\n\
         parent's copy is untouched until every answer is complete. Either way the parent\n\
         reported the failure, the other workers were killed and reaped, and the owner\n\
         unlinked the segment."
    );
    Ok(())
}

fn bench(spawner: &Spawner, s: Setup) -> Result<()> {
    println!(
        "Lesson 06 bench: {} cores, {} workers, {} timed rounds ({} for JSON).",
        cores(),
        s.workers,
        s.rounds,
        s.json_rounds
    );
    if cfg!(debug_assertions) {
        println!("(debug build: use --release for numbers worth comparing)");
    }
    println!();
    let rows = show_compare(spawner, s, &Kind::ALL)?;
    let best = |k: Kind| {
        rows.iter()
            .find(|r| r.kind == k)
            .map_or(f64::NAN, |r| r.best.as_secs_f64())
    };
    let (memcpy, shm, raw, json) = (
        best(Kind::Memcpy),
        best(Kind::Shm),
        best(Kind::PipeRaw),
        best(Kind::PipeJson),
    );
    heading("Targets (see the book's Targets page), best rounds of this run");
    let mut t = table(["target", "measured", "ratio", "verdict"]);
    let shm_vs_memcpy = shm / memcpy;
    t.add_row([
        "in place via shm within 1.5x of memcpy".to_owned(),
        format!("shm {} ms, memcpy {} ms", ms_f(shm), ms_f(memcpy)),
        format!("{shm_vs_memcpy:.2}x the time of memcpy"),
        met(shm_vs_memcpy <= 1.5),
    ]);
    let json_vs_shm = json / shm;
    t.add_row([
        ">= 20x faster than serialising through a pipe".to_owned(),
        format!("JSON pipe {} ms, shm {} ms", ms_f(json), ms_f(shm)),
        format!("shm {json_vs_shm:.1}x faster"),
        met(json_vs_shm >= 20.0),
    ]);
    let raw_vs_shm = raw / shm;
    t.add_row([
        "(no target) raw bytes through a pipe".to_owned(),
        format!("raw pipe {} ms, shm {} ms", ms_f(raw), ms_f(shm)),
        format!("shm {raw_vs_shm:.1}x faster"),
        "-".to_owned(),
    ]);
    println!("{t}");
    let all_same = rows.iter().all(|r| r.identical != Some(false));
    println!(
        "Every mode produced the same bits: {}.",
        if all_same { "yes" } else { "NO" }
    );
    Ok(())
}

/// The yielding variant makes a system call per increment: a tenth as many.
fn yield_increments(increments: u64) -> u64 {
    (increments / 10).max(1)
}

fn met(ok: bool) -> String {
    if ok { "met" } else { "not met" }.to_owned()
}

fn ms(d: Duration) -> String {
    ms_f(d.as_secs_f64())
}

fn ms_f(secs: f64) -> String {
    let ms = secs * 1e3;
    if ms < 10.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.1}")
    }
}

fn fmt_mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

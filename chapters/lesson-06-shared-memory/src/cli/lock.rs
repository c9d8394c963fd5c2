//! `lock`: a robust process-shared mutex: exact counts under it, the time
//! per lock and unlock beside `multiprocessing.Lock`, and a holder killed
//! while holding it.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::{u64_in, usize_in};
use course_support::interpreter::{self, PythonArgs};
use course_support::report::grouped;
use course_support::{table, tour};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 4, value_parser = usize_in(1..=64))]
    pub(crate) processes: usize,
    /// Lock, add 1, unlock: this many times per process.
    #[arg(long, default_value_t = 200_000, value_parser = u64_in(1..=100_000_000))]
    pub(crate) rounds: u64,
    /// Rounds per process for Python (slower, so fewer).
    #[arg(long, default_value_t = 20_000, value_parser = u64_in(1..=100_000_000))]
    pub(crate) python_rounds: u64,
    #[command(flatten)]
    pub(crate) python: PythonArgs,
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn run(_spawner: &Spawner, _args: Args) -> Result<()> {
    anyhow::bail!("the process lock demo uses robust pthread mutexes, which need Linux")
}

#[cfg(target_os = "linux")]
pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    show(spawner, &args)
}

#[cfg(target_os = "linux")]
pub(crate) fn show(spawner: &Spawner, a: &Args) -> Result<()> {
    use lesson_06_shared_memory::plock::{self, OnOwnerDead};
    use lesson_06_shared_memory::python;

    if cfg!(debug_assertions) {
        println!("(debug build: use --release for numbers worth comparing)");
    }
    let py = match interpreter::announce(a.python.python_bin.as_deref()) {
        None => {
            println!("skipped: the Python rows (no interpreter)");
            None
        }
        Some(interp) => match python::lock(&interp, a.processes, a.python_rounds) {
            Ok(p) => Some(p),
            Err(e) => {
                println!("skipped: the Python rows: the Python run failed: {e:#}");
                None
            }
        },
    };
    tour::section(&format!(
        "{} processes: lock, add 1 to a shared count, unlock; released together",
        a.processes
    ));
    let mut t = table([
        "lock",
        "per process",
        "expected",
        "counted",
        "lost",
        "µs per lock + add + unlock (all processes)",
    ]);
    for locked in [true, false] {
        // Without a lock, the read and the write are pulled apart by a yield
        // (as in `counter`), so that the processes do meet in between even
        // on a busy machine; a yield is slow, so a tenth as many rounds.
        let rounds = if locked {
            a.rounds
        } else {
            (a.rounds / 10).max(1)
        };
        let r = plock::count(spawner, a.processes, rounds, locked, !locked)?;
        t.add_row([
            if locked {
                "Rust: robust process-shared pthread mutex".to_owned()
            } else {
                "Rust: no lock (load, yield, store)".to_owned()
            },
            grouped(r.rounds),
            grouped(r.expected),
            grouped(r.counted),
            grouped(r.expected.saturating_sub(r.counted)),
            format!("{:.3}", r.per_round().as_secs_f64() * 1e6),
        ]);
    }
    match &py {
        Some(p) => {
            let expected = a.processes as u64 * a.python_rounds;
            let counted = p.number("lock_counted")? as u64;
            t.add_row([
                "Python: multiprocessing.Lock around a Value".to_owned(),
                grouped(a.python_rounds),
                grouped(expected),
                grouped(counted),
                grouped(expected.saturating_sub(counted)),
                format!(
                    "{:.3}",
                    p.number("lock_secs")? * 1e6 / expected.max(1) as f64
                ),
            ]);
        }
        None => {
            t.add_row(["Python: skipped (see above)", "", "", "", "", ""]);
        }
    }
    println!("{t}");
    tour::section("A holder is killed (SIGKILL) while it holds the lock");
    let mut t = table([
        "the next taker",
        "holder",
        "first lock after the kill",
        "it waited",
        "the lock after that",
    ]);
    let mut as_told = true;
    for on_dead in [OnOwnerDead::Recover, OnOwnerDead::Forget] {
        let d = plock::dead_holder(spawner, on_dead)?;
        let owner_died = matches!(d.first, Ok(plock::Taken::OwnerDied { .. }));
        as_told &= owner_died
            && match on_dead {
                OnOwnerDead::Recover => d.second == Ok(plock::Taken::Clean),
                OnOwnerDead::Forget => d.second.is_err(),
            };
        let taken = |r: &Result<plock::Taken, String>| match r {
            Ok(plock::Taken::Clean) => "taken, clean".to_owned(),
            Ok(plock::Taken::OwnerDied { pid, dirty }) => format!(
                "taken with EOWNERDEAD: pid {pid} died holding it{}",
                if *dirty { ", data half updated" } else { "" }
            ),
            Err(e) => format!("error: {e}"),
        };
        t.add_row([
            match on_dead {
                OnOwnerDead::Recover => "repairs, pthread_mutex_consistent".to_owned(),
                OnOwnerDead::Forget => "unlocks without consistent".to_owned(),
            },
            format!("pid {}, {}", d.holder_pid, d.holder_ended),
            taken(&d.first),
            wait(d.first_wait.as_secs_f64()),
            taken(&d.second),
        ]);
    }
    if let Some(p) = &py {
        t.add_row([
            "Python: lock.acquire(timeout=1.0)".to_owned(),
            "a Process killed while holding a multiprocessing.Lock".to_owned(),
            format!("acquire returned {}", p.text("dead_holder_acquired")?),
            wait(p.number("dead_holder_waited_ms")? / 1e3),
            "never: nobody will release it".to_owned(),
        ]);
    }
    println!("{t}");
    if as_told {
        println!(
            "The kernel hands a robust mutex whose owner died to the next taker at once, with\n\
             EOWNERDEAD: it holds the lock and must repair what the lock protects. Forgetting\n\
             pthread_mutex_consistent makes the lock unusable for every process."
        );
    } else {
        println!("The robust mutex did NOT behave as documented in this run: see the rows above.");
    }
    Ok(())
}

/// `3.2 µs`, `1,000 ms`.
#[cfg(target_os = "linux")]
fn wait(secs: f64) -> String {
    if secs < 1e-3 {
        format!("{:.1} µs", secs * 1e6)
    } else {
        format!("{} ms", grouped(format!("{:.0}", secs * 1e3)))
    }
}

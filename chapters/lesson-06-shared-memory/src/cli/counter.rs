//! `counter`: Value analogs: an atomic counter in a segment, and lost updates without one.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::u64_in;
use course_support::cli::usize_in;
use course_support::report::{grouped, yes_no};
use course_support::table;
use lesson_06_shared_memory::counter::{self, Increment};
use lesson_06_shared_memory::segment;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 4, value_parser = usize_in(1..=64))]
    pub(crate) processes: usize,
    /// Increments per process (a tenth of them for `load-yield-store`, which is slow).
    #[arg(long, default_value_t = 1_000_000, value_parser = u64_in(1..=100_000_000))]
    pub(crate) increments: u64,
    /// How to add 1 [default: each way in turn].
    #[arg(long, value_enum)]
    pub(crate) how: Option<Increment>,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args {
        processes,
        increments,
        how,
    } = args;
    let hows = how.map_or(
        vec![
            Increment::FetchAdd,
            Increment::LoadStore,
            Increment::LoadYieldStore,
        ],
        |h| vec![h],
    );
    show(spawner, processes, increments, &hows)
}

pub(crate) fn show(
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

/// The yielding variant makes a system call per increment: a tenth as many.
pub(crate) fn yield_increments(increments: u64) -> u64 {
    (increments / 10).max(1)
}

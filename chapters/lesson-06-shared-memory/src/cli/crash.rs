//! `crash`: a child that dies mid-band, in every mode.

use anyhow::Result;
use course_support::child::{Spawner, exists};
use course_support::cli::usize_in;
use course_support::report::yes_no;
use course_support::table;
use lesson_06_shared_memory::matrix::MAX_BANDS;
use lesson_06_shared_memory::transform;
use lesson_06_shared_memory::workers::{Mode, PanicAt};

use super::shape::Shape;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) shape: super::shape::Shape,
    /// Where the numbers travel [default: each mode in turn].
    #[arg(long, value_enum)]
    pub(crate) mode: Option<Mode>,
    /// The worker (band) that panics.
    #[arg(long, default_value_t = 1, value_parser = usize_in(0..=MAX_BANDS as u64 - 1))]
    pub(crate) band: usize,
    /// It panics after this many rows of its band [default: half of them].
    #[arg(long, value_parser = usize_in(0..=1_000_000))]
    pub(crate) after_rows: Option<usize>,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args {
        shape,
        mode,
        band,
        after_rows,
    } = args;
    let s = shape.checked()?;
    let modes = mode.map_or(vec![Mode::Shm, Mode::PipeRaw, Mode::PipeJson], |m| vec![m]);
    show(spawner, s, &modes, band, after_rows)
}

pub(crate) fn show(
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
    let (mut left_running, mut left_listed) = (0, 0);
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
        left_running += running;
        left_listed += usize::from(c.segment.as_ref().is_some_and(|(_, listed)| *listed));
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
         parent's copy is untouched until every answer is complete."
    );
    if left_running == 0 && left_listed == 0 {
        println!(
            "Either way the parent reported the failure, the other workers were killed and reaped,\n\
             and the owner unlinked the segment."
        );
    } else {
        println!(
            "The parent reported the failure, but {left_running} processes were still running and \
             {left_listed} segments still listed afterwards: a LEAK."
        );
    }
    Ok(())
}

//! `transform`: child processes transform the array in place.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::finite;
use course_support::report::{grouped, yes_no};
use course_support::table;
use lesson_06_shared_memory::segment::shm_path;
use lesson_06_shared_memory::transform;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) shape: super::shape::Shape,
    #[arg(long, default_value_t = 2.0, value_parser = finite)]
    pub(crate) factor: f64,
    /// Unlink the segment's name as soon as every worker has mapped it.
    #[arg(long)]
    pub(crate) unlink_early: bool,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args {
        shape,
        factor,
        unlink_early,
    } = args;
    let s = shape.checked()?;
    show(spawner, s.rows, s.cols, s.workers(), factor, unlink_early)
}

pub(crate) fn show(
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
pub(crate) fn summarize(statuses: &[String]) -> String {
    match statuses.first() {
        Some(first) if statuses.iter().all(|s| s == first) => {
            format!("{first} (x{})", statuses.len())
        }
        _ => statuses.join(", "),
    }
}

//! `segment`: create a named segment, see it in /dev/shm, and unlink it.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::u64_in;
use course_support::cli::usize_in;
use course_support::report::{grouped, yes_no};
use lesson_06_shared_memory::named;
use lesson_06_shared_memory::segment::{self, shm_path};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Size of the segment in bytes.
    #[arg(long, default_value_t = 4096, value_parser = usize_in(4096..=1 << 30))]
    pub(crate) size: usize,
    /// Keep the segment this many seconds before removing it (look at
    /// /dev/shm meanwhile, or press Ctrl-C).
    #[arg(long, default_value_t = 0, value_parser = u64_in(0..=3_600))]
    pub(crate) hold_secs: u64,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args { size, hold_secs } = args;
    show(spawner, size, hold_secs)
}

pub(crate) fn show(spawner: &Spawner, size: usize, hold_secs: u64) -> Result<()> {
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

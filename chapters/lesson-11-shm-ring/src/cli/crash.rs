//! `crash`: the producer kills itself halfway through writing a message.

use anyhow::{Result, ensure};
use course_support::child::Spawner;
use course_support::cli::u64_in;
use lesson_11_shm_ring::ring::Wait;
use lesson_11_shm_ring::shm;
use lesson_11_shm_ring::transfer;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The message the producer dies in.
    #[arg(long, default_value_t = 1000, value_parser = u64_in(0..=1_000_000))]
    pub(crate) at: u64,
    #[arg(long, value_enum, default_value_t = Wait::Futex)]
    pub(crate) wait: Wait,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let slots = (args.at + 1).next_power_of_two().max(2);
    ensure!(args.at < slots);
    println!(
        "The producer writes half of message {} into its slot, then sends itself SIGKILL\n\
         (no destructor, no clean-up runs). The consumer waits by {}.",
        args.at,
        args.wait.name()
    );
    let report = transfer::crash(spawner, args.wait, args.at, slots)?;
    println!(
        "Producer {} {}.\nThe consumer noticed {:.0} ms after its last message:\n  {}.{}\n\
         Segments of ours left in {}: {}.",
        report.pid,
        report.status,
        report.detected_after.as_secs_f64() * 1e3,
        report.died,
        if report.died.mid_write.is_some() {
            "\nThe half-written slot was never published, so it was never read."
        } else {
            ""
        },
        shm::SHM_DIR,
        shm::leftovers_of(std::process::id()).len()
    );
    Ok(())
}

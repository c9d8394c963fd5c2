//! `ring`: one producer process, the parent consumes and checks each message.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::u64_in;
use course_support::report::grouped;
use lesson_11_shm_ring::ring::Wait;
use lesson_11_shm_ring::shm;
use lesson_11_shm_ring::transfer::{self, ProducerPlan, SLOTS};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 100_000, value_parser = u64_in(2..=1_000_000_000))]
    pub(crate) messages: u64,
    /// Slots in the ring (a power of two).
    #[arg(long, default_value_t = SLOTS, value_parser = slots)]
    pub(crate) slots: u64,
    #[arg(long, value_enum, default_value_t = Wait::Yield)]
    pub(crate) wait: Wait,
}

/// A power of two from 2 to 2^20.
pub(crate) fn slots(s: &str) -> Result<u64, String> {
    let n: u64 = s.parse().map_err(|e| format!("{e}"))?;
    if n.is_power_of_two() && (2..=1 << 20).contains(&n) {
        Ok(n)
    } else {
        Err(format!("{n} is not a power of two from 2 to 1048576"))
    }
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let plan = ProducerPlan {
        messages: args.messages,
        slots: args.slots,
        wait: args.wait,
        crash_mid_write: None,
    };
    println!(
        "A producer process publishes {} messages of 56 bytes into a ring of {} slots in\n\
         /dev/shm; this process (pid {}) takes them, waiting by {}.",
        grouped(args.messages),
        args.slots,
        std::process::id(),
        args.wait.name()
    );
    let run = transfer::spsc(spawner, &plan)?;
    println!(
        "Received all {} in order, each message whole (every word checked).\n\
         {} messages/s, {:.0} ns per message (first to last received).\n\
         Segments of ours left in {}: {}.",
        grouped(run.messages),
        grouped(run.per_second() as u64),
        run.ns_per_message(),
        shm::SHM_DIR,
        shm::leftovers_of(std::process::id()).len()
    );
    if cfg!(debug_assertions) {
        println!("(debug build: use --release for numbers worth comparing)");
    }
    Ok(())
}

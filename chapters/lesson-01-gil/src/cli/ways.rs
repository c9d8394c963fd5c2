//! `ways`: four ways CPython runs code at once, and share-nothing workers.

use course_support::cli::usize_in;
use course_support::table;
use lesson_01_gil::{no_gil, ways};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How many numbers the share-nothing workers receive copies of
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub(crate) numbers: u64,
    /// Share-nothing workers
    #[arg(long, default_value_t = 4, value_parser = usize_in(1..=64))]
    pub(crate) workers: usize,
    /// Blocks the numbers are cut into, dealt out in turn
    #[arg(long, default_value_t = 8, value_parser = usize_in(1..=10_000))]
    pub(crate) blocks: usize,
}

pub(crate) fn run(args: &Args) {
    println!("{}", ways::table());
    println!(
        "GIL threads take turns (this lesson's `gil`). The other three use every core: a\n\
         free-threaded build by dropping the GIL, subinterpreters by giving each its own\n\
         (PEP 684, 3.12; usable from Python since 3.14, PEP 734), processes by giving each its\n\
         own interpreter. In Rust the first two rows are one: threads, with no lock to take.\n"
    );
    let numbers: Vec<u64> = (1_000_000..1_000_000 + args.numbers).collect();
    let reports = ways::count_primes_isolated(&numbers, args.blocks, args.workers);
    let mut t = table([
        "worker",
        "blocks received",
        "numbers copied in",
        "primes found",
    ]);
    for r in &reports {
        t.add_row([
            r.worker.to_string(),
            r.blocks.to_string(),
            course_support::report::grouped(r.numbers),
            r.primes.to_string(),
        ]);
    }
    let copied: usize = reports.iter().map(|r| r.numbers).sum();
    let isolated: u64 = reports.iter().map(|r| r.primes).sum();
    let shared = no_gil::count_primes_shared(&numbers, args.workers);
    println!(
        "Share-nothing workers, the Rust side of subinterpreters: {} threads, each with its own\n\
         inbox, receive copies of {} blocks and send back what they found:",
        args.workers, args.blocks
    );
    println!("{t}");
    println!(
        "{} numbers ({} KiB) copied in, {isolated} primes found: {} threads reading one shared Vec\n\
         found {shared}{}.",
        course_support::report::grouped(copied),
        copied * std::mem::size_of::<u64>() / 1024,
        args.workers,
        if isolated == shared {
            ", the same"
        } else {
            ": MISMATCH"
        },
    );
    println!(
        "The copies cost memory and time that shared threads do not pay; in exchange no worker\n\
         can see another's data. The lab's `isolated` mode measures that price."
    );
}

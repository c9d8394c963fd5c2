//! `no-gil`: threads read shared data on every core, checked at compile time.

use course_support::cli::usize_in;
use course_support::{cores, ratio, table, time};
use lesson_01_gil::no_gil;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How many numbers the threads share
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub(crate) numbers: u64,
    /// Threads [default: cores]
    #[arg(long, value_parser = usize_in(1..=64))]
    pub(crate) threads: Option<usize>,
}

pub(crate) fn run(args: &Args) {
    let threads = args.threads.unwrap_or_else(cores);
    let numbers: Vec<u64> = (1_000_000..1_000_000 + args.numbers).collect();
    let one = time(|| no_gil::count_primes_shared(&numbers, 1));
    let many = time(|| no_gil::count_primes_shared(&numbers, threads));
    let mut t = table(["threads", "ms", "speed-up", "primes found"]);
    for (n, run) in [(1, &one), (threads, &many)] {
        t.add_row([
            n.to_string(),
            format!("{:.1}", run.ms()),
            ratio(one.ms(), run.ms()),
            run.value.to_string(),
        ]);
    }
    println!(
        "{threads} threads read one shared Vec of {} numbers with no lock at all:",
        args.numbers
    );
    println!("{t}");
    let speed_up = one.ms() / many.ms();
    let usable = threads.min(cores()) as f64;
    if usable >= 2.0 && speed_up >= 0.75 * usable {
        println!("{threads} threads ran {speed_up:.2}x faster than one: each on its own core.");
    } else if usable >= 2.0 {
        println!(
            "{threads} threads ran only {speed_up:.2}x faster than one on {} cores: other programs were\n\
             using the cores.",
            cores()
        );
    } else {
        println!("One core (or one thread): {speed_up:.2}x; nothing runs in parallel here.");
    }
    println!(
        "Rust checks at compile time what the GIL checks at run time. A value may move to\n\
         another thread only if its type is Send, and be shared only if it is Sync; code that\n\
         could race on plain data does not compile (lesson 02 goes deep). So nothing is left\n\
         for a global lock to protect, and every thread may run on its own core.\n\
         CPython is moving the same way: its free-threaded build (PEP 703) runs without a GIL,\n\
         experimental in 3.13 (`python3.13t`), officially supported but still optional since\n\
         3.14 (`python3.14t`, PEP 779). It checks nothing when compiling: built-in dicts\n\
         and lists lock themselves at run time, and your own data still needs your locks. `ways` compares\n\
         the four ways CPython now runs code at once."
    );
}

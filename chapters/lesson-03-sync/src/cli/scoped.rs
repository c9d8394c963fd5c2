//! `scoped`: scoped threads borrow local data.

use course_support::cli::usize_in;
use course_support::report::{grouped, yes_no};
use course_support::{cores, table};
use lesson_03_sync::{scoped, triangle};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How many numbers to add up
    #[arg(long, default_value_t = 1_000_000, value_parser = usize_in(1..=100_000_000))]
    pub(crate) numbers: usize,
    /// Threads [default: cores]
    #[arg(long, value_parser = usize_in(1..=256))]
    pub(crate) threads: Option<usize>,
}

pub(crate) fn run(args: &Args) {
    let threads = args.threads.unwrap_or_else(cores);
    let numbers: Vec<u64> = (1..=args.numbers as u64).collect();
    let expected = triangle(args.numbers as u64);
    let mut t = table(["way", "what the threads get", "sum", "exact"]);
    let arc_sum = scoped::sum_with_arc(std::sync::Arc::new(numbers.clone()), threads);
    t.add_row([
        "thread::spawn",
        "a clone of an Arc<Vec<u64>> ('static)",
        &grouped(arc_sum),
        yes_no(arc_sum == expected),
    ]);
    let scoped_sum = scoped::sum_scoped(&numbers, threads);
    t.add_row([
        "thread::scope",
        "&[u64]: a borrowed chunk of a local Vec",
        &grouped(scoped_sum),
        yes_no(scoped_sum == expected),
    ]);
    let mut doubled = numbers;
    let used = scoped::scale_in_place(&mut doubled, threads, 2);
    let doubled_sum: u64 = doubled.iter().sum();
    t.add_row([
        "thread::scope",
        "&mut [u64]: a disjoint chunk, changed in place",
        &grouped(doubled_sum),
        yes_no(doubled_sum == 2 * expected),
    ]);
    println!("{t}");
    println!(
        "{} numbers, {threads} threads ({used} chunks changed in place, no lock).",
        grouped(args.numbers as u64)
    );
}

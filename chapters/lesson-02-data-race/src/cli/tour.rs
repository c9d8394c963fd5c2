//! The guided tour: every demo with small defaults.

use std::time::Duration;

use course_support::{cores, tour};

use crate::{COST_INCREMENTS, LATENCY_MS, PAGES, Size, cost_threads};

pub(crate) fn run() {
    let seed = Size {
        threads: 10,
        increments: 1_000,
    };
    println!(
        "Lesson 02: counter += 1 from many threads ({} cores here)",
        cores()
    );
    println!("The racy Python version does not compile in Rust: see tests/ui/ and the book.\n");
    tour::section("1. The lost update, made visible without undefined behaviour");
    super::lost_updates::show(seed, 5, false);
    println!();
    super::lost_updates::show(seed, 3, true);
    tour::section("2. Three exact fixes");
    super::fixes::show(seed);
    tour::section("3. What an increment costs");
    super::cost::show(cost_threads(), COST_INCREMENTS);
    tour::section("4. The download total");
    super::downloads::show(PAGES, Duration::from_millis(LATENCY_MS));
    println!("\nEach demo is a subcommand with its own flags: see --help.");
}

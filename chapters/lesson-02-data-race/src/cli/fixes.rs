//! `fixes`: three exact fixes, each checked against the expected count.

use course_support::report::{grouped, yes_no};
use course_support::table;
use lesson_02_data_race::fixes;

use crate::Size;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) size: Size,
}

pub(crate) fn run(args: Args) {
    let Args { size } = args;
    show(size)
}

/// One of the fixes: `(threads, increments) -> count`.
pub(crate) type Counter = fn(usize, u64) -> u64;

pub(crate) fn show(size: Size) {
    let Size {
        threads,
        increments,
    } = size;
    let expected = threads as u64 * increments;
    println!(
        "{threads} threads x {} increments, all started together:",
        grouped(increments)
    );
    let mut t = table(["fix", "expected", "counted", "exact"]);
    let rows: [(&str, Counter); 3] = [
        ("Mutex<u64>, lock around +=", fixes::mutex_count),
        ("AtomicU64::fetch_add", fixes::atomic_count),
        ("local sums, added at join", fixes::local_sums_count),
    ];
    for (name, count) in rows {
        let counted = count(threads, increments);
        t.add_row([
            name.to_owned(),
            grouped(expected),
            grouped(counted),
            yes_no(counted == expected).to_owned(),
        ]);
    }
    println!("{t}");
}

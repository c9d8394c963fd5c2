//! `lost-updates`: counter += 1 as load-then-store, counted.

use course_support::cli::usize_in;
use course_support::report::grouped;
use course_support::table;
use lesson_02_data_race::lost_update;

use crate::Size;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) size: Size,
    /// How many times to run it.
    #[arg(long, default_value_t = 10, value_parser = usize_in(1..=1_000))]
    pub(crate) trials: usize,
    /// Yield the CPU between the read and the write, like the interpreter
    /// switching threads in the middle of `+=`.
    #[arg(long)]
    pub(crate) widen: bool,
}

pub(crate) fn run(args: Args) {
    let Args {
        size,
        trials,
        widen,
    } = args;
    show(size, trials, widen)
}

pub(crate) fn show(size: Size, trials: usize, widen: bool) {
    let window = if widen {
        "yield_now() between read and write"
    } else {
        "read and write back to back"
    };
    println!(
        "counter += 1 as load-then-store, {} threads x {} increments, {window}:",
        size.threads,
        grouped(size.increments)
    );
    let runs = lost_update::trials(size.threads, size.increments, widen, trials);
    let mut t = table(["trial", "expected", "counted", "lost", "lost %"]);
    for (i, trial) in runs.iter().enumerate() {
        t.add_row([
            (i + 1).to_string(),
            grouped(trial.expected),
            grouped(trial.counted),
            grouped(trial.lost()),
            format!("{:.1}", trial.lost_percent()),
        ]);
    }
    println!("{t}");
    let lost: u64 = runs.iter().map(|t| t.lost()).sum();
    let with_loss = runs.iter().filter(|t| t.lost() > 0).count();
    let over = runs.iter().filter(|t| t.counted > t.expected).count();
    println!(
        "{with_loss} of {} trials lost updates, {} increments in all; {}.",
        runs.len(),
        grouped(lost),
        if over == 0 {
            "no trial counted more than it should".to_owned()
        } else {
            format!("{over} trials counted MORE than they should")
        }
    );
}

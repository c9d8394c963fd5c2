//! `convoy`: a CPU-bound thread delays every I/O call of another.

use std::time::Duration;

use course_support::cli::{positive_ms, usize_in};
use course_support::{ratio, table};
use lesson_01_gil::convoy;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Short blocking calls the I/O-bound thread makes
    #[arg(long, default_value_t = 40, value_parser = usize_in(1..=10_000))]
    pub(crate) calls: usize,
    /// Microseconds each call blocks
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) io_us: u64,
    /// The lock's switch interval in ms
    #[arg(long, default_value = "5", value_parser = positive_ms(1_000.0))]
    pub(crate) switch_ms: Duration,
}

pub(crate) fn run(args: &Args) {
    let io_wait = Duration::from_micros(args.io_us);
    let shorter = args.switch_ms / 5;
    let rows = [
        ("I/O thread alone", args.switch_ms, false),
        ("next to a CPU-bound thread", args.switch_ms, true),
        ("next to a CPU-bound thread", shorter, true),
    ];
    println!(
        "One simulated Python thread makes {} blocking calls of {} µs each.",
        args.calls, args.io_us
    );
    let mut t = table([
        "I/O thread",
        "switch interval",
        "total ms",
        "ms per call",
        "slowdown",
    ]);
    let mut alone = 0.0;
    let mut totals = Vec::new();
    for (what, switch, hog) in rows {
        let run = convoy::run(args.calls, io_wait, switch, hog);
        let ms = run.elapsed.as_secs_f64() * 1e3;
        if !hog {
            alone = ms;
        }
        totals.push(ms);
        t.add_row([
            what.to_owned(),
            format!("{:.1} ms", switch.as_secs_f64() * 1e3),
            format!("{ms:.1}"),
            format!("{:.2}", ms / args.calls as f64),
            ratio(ms, alone),
        ]);
    }
    println!("{t}");
    let (next_to_hog, shorter_interval) = (totals[1], totals[2]);
    if next_to_hog > 1.5 * alone {
        println!(
            "Next to a CPU-bound thread the calls took {} as long: after each call the I/O thread\n\
             queues for the lock behind the CPU-bound thread, which keeps it for a whole switch interval.",
            ratio(next_to_hog, alone)
        );
    } else {
        println!(
            "Next to a CPU-bound thread the calls took {} as long: no convoy this run.",
            ratio(next_to_hog, alone)
        );
    }
    if shorter_interval < next_to_hog {
        println!(
            "A shorter interval helped the I/O thread ({} instead of {}) and costs the CPU-bound one\n\
             more handoffs.",
            ratio(shorter_interval, alone),
            ratio(next_to_hog, alone)
        );
    } else {
        println!(
            "A shorter interval did not help the I/O thread this run ({} instead of {}).",
            ratio(shorter_interval, alone),
            ratio(next_to_hog, alone)
        );
    }
}

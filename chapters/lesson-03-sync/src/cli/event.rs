//! `event`: one thread tells the others to go.

use std::time::Duration;

use course_support::cli::{u64_in, usize_in};
use course_support::report::ms;
use course_support::table;
use lesson_03_sync::event;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Threads waiting for the event
    #[arg(long, default_value_t = 8, value_parser = usize_in(1..=256))]
    pub(crate) waiters: usize,
    /// Timeout of the wait that nobody ends, in ms
    #[arg(long, default_value_t = 50, value_parser = u64_in(1..=10_000))]
    pub(crate) timeout_ms: u64,
}

pub(crate) fn run(args: &Args) {
    let run = event::starting_gun(args.waiters);
    let last = run.wake_us.last().copied().unwrap_or(0.0);
    let first = run.wake_us.first().copied().unwrap_or(0.0);
    let mut t = table(["what", "result"]);
    t.add_row([
        format!("{} threads in wait(), then one set()", run.waiters),
        format!(
            "{} of {} woke, {:.0} to {:.0} us after set()",
            run.woken, run.waiters, first, last
        ),
    ]);
    let e = event::Event::new();
    let timeout = Duration::from_millis(args.timeout_ms);
    let start = std::time::Instant::now();
    let got = e.wait_timeout(timeout);
    t.add_row([
        format!("wait_timeout({} ms), never set", args.timeout_ms),
        format!("{got} after {} ms", ms(start.elapsed())),
    ]);
    e.set();
    let start = std::time::Instant::now();
    e.wait();
    t.add_row([
        "set() before wait()".to_owned(),
        format!(
            "wait() returned in {:.1} us",
            start.elapsed().as_secs_f64() * 1e6
        ),
    ]);
    e.clear();
    t.add_row([
        "clear(), then wait_timeout(1 ms)".to_owned(),
        format!("{}", e.wait_timeout(Duration::from_millis(1))),
    ]);
    let woken = event::pulse(args.waiters, Duration::from_secs(2));
    t.add_row([
        format!("set() then clear() at once, {} waiting", args.waiters),
        format!("{woken} of {} saw the set (they count sets)", args.waiters),
    ]);
    println!("{t}");
}

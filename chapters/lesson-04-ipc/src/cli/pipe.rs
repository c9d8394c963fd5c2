//! `pipe`: a duplex pipe, ping-pong.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::u64_in;
use course_support::report::grouped;
use course_support::{ratio, table};
use lesson_04_ipc::pipe;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 2_000, value_parser = u64_in(1..=10_000_000))]
    pub(crate) rounds: u64,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args { rounds } = args;
    show(spawner, rounds)
}

pub(crate) fn show(spawner: &Spawner, rounds: u64) -> Result<()> {
    let thread = pipe::ping_pong_thread(rounds);
    let child = pipe::ping_pong(spawner, rounds)?;
    println!("Send n, the other end answers n + 1, send that back, {rounds} times:");
    let mut t = table([
        "other end",
        "channels",
        "round trips",
        "last answer",
        "us per round trip",
    ]);
    t.add_row([
        "a thread of this process".to_owned(),
        "2 x std mpsc".to_owned(),
        grouped(thread.rounds),
        grouped(thread.last),
        format!("{:.2}", thread.us_per_round_trip()),
    ]);
    t.add_row([
        format!("child process pid {}", child.pid),
        "2 x ipc-channel".to_owned(),
        grouped(child.rounds),
        grouped(child.last),
        format!("{:.2}", child.us_per_round_trip()),
    ]);
    println!("{t}");
    let process_vs_thread = child.us_per_round_trip() / thread.us_per_round_trip();
    println!(
        "Process vs thread, per round trip: {}. Either way the other side sleeps in recv()\n\
         and is woken twice per round{}",
        ratio(child.us_per_round_trip(), thread.us_per_round_trip()),
        if (0.5..=2.0).contains(&process_vs_thread) {
            "; waking a sleeper costs about as much as crossing\n\
             into another process, so a chatty protocol is slow even between threads."
        } else if process_vs_thread > 2.0 {
            ": here crossing into another process cost more than\n\
             waking a thread, and a chatty protocol between threads is cheaper."
        } else {
            ": here the threads' round trips cost more than the\n\
             processes' (a busy machine delays waking a thread)."
        }
    );
    Ok(())
}

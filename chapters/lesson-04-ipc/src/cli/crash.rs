//! `crash`: producers that die mid-stream.

use std::time::Duration;

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::u64_in;
use lesson_04_ipc::queue::{self, Crash, Plan};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Messages each producer plans to send.
    #[arg(long, default_value_t = 1_000, value_parser = u64_in(1..=10_000_000))]
    pub(crate) messages: u64,
    /// The crashing producers stop after this many messages.
    #[arg(long, default_value_t = 300, value_parser = u64_in(0..=10_000_000))]
    pub(crate) after: u64,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args { messages, after } = args;
    show(spawner, messages, after)
}

pub(crate) fn show(spawner: &Spawner, messages: u64, after: u64) -> Result<()> {
    let plans = [
        Plan::ok(messages),
        Plan::crash(messages, after, Crash::Panic),
        Plan::crash(messages, after, Crash::Abort),
        Plan::ok(messages),
    ];
    let run = queue::run(spawner, &plans, Duration::from_secs(60))?;
    println!("4 producers; two of them crash partway through their stream:");
    super::queue::producers_table(&run, true);
    let crashed = run.producers.iter().filter(|p| !p.status.success()).count();
    println!(
        "No hang: {crashed} producers crashed, and recv() returned Disconnected as soon as the last\n\
         producer was gone. Everything a producer sent before it died arrived ({}).",
        if run.exactly_once() {
            "checked: every message, once, in order"
        } else {
            "NOT ALL OF IT"
        }
    );
    Ok(())
}

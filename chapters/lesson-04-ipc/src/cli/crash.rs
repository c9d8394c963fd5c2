//! `crash`: producers that die mid-stream.

use std::time::Duration;

use anyhow::Result;
use course_support::child::Spawner;
use lesson_04_ipc::queue::{self, Crash, Plan};

pub(crate) fn run(spawner: &Spawner, messages: u64, after: u64) -> Result<()> {
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

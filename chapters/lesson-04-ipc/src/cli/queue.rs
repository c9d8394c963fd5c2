//! `queue`: producer processes and one consumer, and the per-producer table `crash` shares.

use std::time::Duration;

use anyhow::Result;
use course_support::child::{Spawner, describe};
use course_support::cli::u64_in;
use course_support::cli::usize_in;
use course_support::report::{grouped, ms, yes_no};
use course_support::table;
use lesson_04_ipc::queue::{self, Crash, Plan};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 4, value_parser = usize_in(1..=64))]
    pub(crate) producers: usize,
    /// Messages per producer.
    #[arg(long, default_value_t = 5_000, value_parser = u64_in(1..=10_000_000))]
    pub(crate) messages: u64,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args {
        producers,
        messages,
    } = args;
    show(spawner, producers, messages)
}

pub(crate) fn show(spawner: &Spawner, producers: usize, messages: u64) -> Result<()> {
    let plans = vec![Plan::ok(messages); producers];
    let run = queue::run(spawner, &plans, Duration::from_secs(60))?;
    println!(
        "{producers} producer processes x {} numbered messages, one ipc-channel queue, this process consumes:",
        grouped(messages)
    );
    producers_table(&run, false);
    println!(
        "{} messages, {}: {} ms from the first to the last, {} messages/s.",
        grouped(run.total),
        run.verdict(),
        ms(run.first_to_last),
        grouped(run.per_second() as u64)
    );
    println!("The loop ended because recv() returned Disconnected: the last producer had exited.");
    Ok(())
}

pub(crate) fn producers_table(run: &queue::Collected, with_stderr: bool) {
    let mut headers = vec![
        "producer",
        "pid",
        "planned",
        "received",
        "in order, once",
        "ended with",
    ];
    if with_stderr {
        headers.push("its last words (stderr)");
    }
    let mut t = table(headers);
    for p in &run.producers {
        let plan = match p.plan.crash {
            None => grouped(p.plan.messages),
            Some((after, how)) => format!(
                "{}, {} after {}",
                grouped(p.plan.messages),
                match how {
                    Crash::Panic => "panic",
                    Crash::Abort => "abort",
                    Crash::Hang => "hang",
                },
                grouped(after)
            ),
        };
        let mut row = vec![
            p.id.to_string(),
            p.pid.to_string(),
            plan,
            grouped(p.received),
            yes_no(p.in_order && p.received == p.plan.delivers()).into(),
            describe(p.status),
        ];
        if with_stderr {
            row.push(shorten(&p.stderr, 60));
        }
        t.add_row(row);
    }
    println!("{t}");
}

pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let cut: String = s.chars().take(max - 3).collect();
    format!("{cut}...")
}

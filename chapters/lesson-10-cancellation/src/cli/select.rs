//! `select`: a reader that loses bytes when select! drops it, and a safe one.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use course_support::report::table;
use lesson_10_cancellation::select_safety::{BufferedReader, ExactReader, Trial, trial};

#[derive(Debug, clap::Parser)]
pub struct Args {
    /// Records of 8 bytes to send.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    records: u64,
    /// The pause between the two halves of a record, milliseconds.
    #[arg(long, default_value_t = 6)]
    pause_ms: u64,
    /// The heartbeat beside the reader, milliseconds.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..))]
    heartbeat_ms: u64,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let pause = Duration::from_millis(args.pause_ms);
    let beat = Duration::from_millis(args.heartbeat_ms);
    let (exact, buffered) = super::event_loop()?.block_on(async {
        let exact = trial(args.records, pause, beat, ExactReader).await?;
        let buffered = trial(args.records, pause, beat, BufferedReader::new).await?;
        anyhow::Ok((exact, buffered))
    })?;
    println!(
        "{} records of 8 bytes, each sent in two halves {} ms apart; the reader sits in a select! with a heartbeat every {} ms.",
        args.records, args.pause_ms, args.heartbeat_ms
    );
    let mut t = table([
        "reader",
        "heartbeats",
        "records read",
        "intact",
        "bytes sent",
        "bytes lost",
    ]);
    let rows: [(&str, &Trial); 2] = [
        ("read_exact (not cancel safe)", &exact),
        ("own buffer + read (cancel safe)", &buffered),
    ];
    for (name, trial) in rows {
        t.add_row([
            name.to_owned(),
            trial.received.heartbeats.to_string(),
            trial.received.records.len().to_string(),
            trial.received.intact().to_string(),
            (trial.sent * 8).to_string(),
            trial.lost_bytes().to_string(),
        ]);
    }
    println!("{t}");
    println!(
        "Each heartbeat that won while read_exact had half a record dropped those bytes, and every later record was read from the wrong offset."
    );
    Ok(ExitCode::SUCCESS)
}

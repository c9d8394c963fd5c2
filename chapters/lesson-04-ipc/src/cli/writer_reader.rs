//! `writer-reader`: the seed article's writer and reader processes.

use std::time::Duration;

use anyhow::Result;
use course_support::child::{Spawner, describe};
use course_support::cli::u64_in;
use course_support::table;
use lesson_04_ipc::writer_reader::{self, Ending};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, value_enum)]
    pub(crate) ending: Option<Ending>,
    /// The writer's pause after each put, in ms.
    #[arg(long, default_value_t = 20, value_parser = u64_in(0..=5_000))]
    pub(crate) pause_ms: u64,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args { ending, pause_ms } = args;
    let endings = match ending {
        Some(e) => vec![e],
        None => vec![Ending::Terminate, Ending::Disconnect],
    };
    show(spawner, &endings, Duration::from_millis(pause_ms))
}

pub(crate) fn show(spawner: &Spawner, endings: &[Ending], pause: Duration) -> Result<()> {
    let mut t = table([
        "ending",
        "writer pid",
        "writer ended with",
        "reader pid",
        "reader got",
        "reader ended with",
    ]);
    for &ending in endings {
        println!(
            "{}:",
            match ending {
                Ending::Terminate =>
                    "As in the seed: the parent keeps the queue, joins the writer, terminates the reader",
                Ending::Disconnect =>
                    "The Rust way: the parent keeps no sender, so the reader sees the end by itself",
            }
        );
        let pair = writer_reader::run(spawner, ending, pause)?;
        t.add_row([
            format!("{ending:?}").to_lowercase(),
            pair.writer_pid.to_string(),
            describe(pair.writer_status),
            pair.reader_pid.to_string(),
            pair.got.join(" "),
            describe(pair.reader_status),
        ]);
    }
    println!("{t}");
    println!(
        "The reader loops on get() forever: while anyone still holds a sender (Python's parent\n\
         holds the queue), more could come, so it never stops by itself and must be terminated.\n\
         Drop every sender instead and recv() returns Disconnected after the last message."
    );
    Ok(())
}

//! `compare`: shared memory vs memcpy vs pipes, and the number formats the bench shares.

use std::time::Duration;

use anyhow::Result;
use course_support::child::Spawner;
use course_support::report::yes_no;
use course_support::{ratio, table};
use lesson_06_shared_memory::compare::{self, Kind, Setup};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) shape: super::shape::Shape,
    #[command(flatten)]
    pub(crate) rounds: super::shape::Rounds,
    /// Only these modes [default: all of them].
    #[arg(long, value_enum, value_delimiter = ',')]
    pub(crate) modes: Vec<Kind>,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args {
        shape,
        rounds,
        modes,
    } = args;
    let s = shape.checked()?;
    let modes = if modes.is_empty() {
        Kind::ALL.to_vec()
    } else {
        modes
    };
    let setup = super::shape::setup(s, rounds.rounds, rounds.json_rounds, rounds.factor);
    show(spawner, setup, &modes).map(|_| ())
}

/// Prints the comparison table; returns the rows for `bench`.
pub(crate) fn show(spawner: &Spawner, s: Setup, kinds: &[Kind]) -> Result<Vec<compare::Row>> {
    let rows = compare::run(spawner, s, kinds)?;
    let memcpy = rows
        .iter()
        .find(|r| r.kind == Kind::Memcpy)
        .map_or(0.0, |r| r.best.as_secs_f64());
    println!(
        "A {} x {} f64 matrix ({} MB), x {} per round; workers started once, then {} timed rounds\n\
         ({} for JSON) after a first one; times in ms, measured by the parent:",
        s.rows,
        s.cols,
        fmt_mb(s.bytes()),
        s.factor,
        s.rounds,
        s.json_rounds
    );
    let mut t = table([
        "mode",
        "processes",
        "start-up",
        "first round",
        "best round",
        "median",
        "best vs memcpy",
        "MB through pipes per round",
        "same bits as 1 thread",
    ]);
    for r in &rows {
        t.add_row([
            r.kind.label().to_owned(),
            if matches!(r.kind, Kind::Shm | Kind::PipeRaw | Kind::PipeJson) {
                format!("1 + {}", r.workers)
            } else {
                "1".to_owned()
            },
            r.startup.map_or("".into(), ms),
            ms(r.first),
            ms(r.best),
            ms(r.median),
            if memcpy > 0.0 {
                ratio(r.best.as_secs_f64(), memcpy)
            } else {
                "".into()
            },
            if r.pipe_bytes > 0 {
                fmt_mb(r.pipe_bytes)
            } else {
                "0".into()
            },
            r.identical.map_or("n/a".into(), |b| yes_no(b).to_owned()),
        ]);
    }
    println!("{t}");
    Ok(rows)
}

pub(crate) fn ms(d: Duration) -> String {
    ms_f(d.as_secs_f64())
}

pub(crate) fn ms_f(secs: f64) -> String {
    let ms = secs * 1e3;
    if ms < 10.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.1}")
    }
}

pub(crate) fn fmt_mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

//! `bench`: the comparison at bench sizes, with the targets.

use anyhow::Result;
use course_support::chart;
use course_support::child::Spawner;
use course_support::cli::usize_in;
use course_support::report::met;
use course_support::tour;
use course_support::{cores, table};
use lesson_06_shared_memory::compare::{Kind, Setup};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    pub(crate) shape: super::shape::Shape,
    #[arg(long, default_value_t = 30, value_parser = usize_in(1..=10_000))]
    pub(crate) rounds: usize,
    #[arg(long, default_value_t = 3, value_parser = usize_in(1..=1_000))]
    pub(crate) json_rounds: usize,
    /// Also draw each mode's best round (shared memory vs pipes vs memcpy) into this SVG file
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<std::path::PathBuf>,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args {
        shape,
        rounds,
        json_rounds,
        svg,
    } = args;
    show(
        spawner,
        super::shape::setup(shape.checked()?, rounds, json_rounds, 2.0),
        svg.as_deref(),
    )
}

pub(crate) fn show(spawner: &Spawner, s: Setup, svg: Option<&std::path::Path>) -> Result<()> {
    println!(
        "Lesson 06 bench: {} cores, {} workers, {} timed rounds ({} for JSON).",
        cores(),
        s.workers,
        s.rounds,
        s.json_rounds
    );
    if cfg!(debug_assertions) {
        println!("(debug build: use --release for numbers worth comparing)");
    }
    println!();
    let rows = super::compare::show(spawner, s, &Kind::ALL)?;
    let best = |k: Kind| {
        rows.iter()
            .find(|r| r.kind == k)
            .map_or(f64::NAN, |r| r.best.as_secs_f64())
    };
    let (memcpy, shm, raw, json) = (
        best(Kind::Memcpy),
        best(Kind::Shm),
        best(Kind::PipeRaw),
        best(Kind::PipeJson),
    );
    if let Some(path) = svg {
        let mut panel = chart::BarPanel::new(
            format!(
                "A {} x {} f64 matrix, x {} per round: best round",
                s.rows, s.cols, s.factor
            ),
            "milliseconds per round (log scale, shorter is faster)",
            "ms",
        )
        .log();
        for r in &rows {
            let ms = r.best.as_secs_f64() * 1e3;
            let color = match r.kind {
                Kind::Memcpy => chart::BASELINE,
                Kind::Shm => 2,
                Kind::PipeRaw | Kind::PipeJson => 3,
                _ => 4,
            };
            panel = panel.bar(
                chart::Bar::new(r.kind.label(), ms, color)
                    .note(format!("{:.2}x memcpy", r.best.as_secs_f64() / memcpy)),
            );
        }
        chart::bars(
            path,
            &[panel],
            &chart::Caption::this_run(env!("CARGO_PKG_NAME")),
        )?;
        println!("Wrote the chart to {}.", path.display());
    }
    tour::section("Targets (see the book's Targets page), best rounds of this run");
    let mut t = table(["target", "measured", "ratio", "verdict"]);
    let shm_vs_memcpy = shm / memcpy;
    t.add_row([
        "in place via shm within 1.5x of memcpy".to_owned(),
        format!(
            "shm {} ms, memcpy {} ms",
            super::compare::ms_f(shm),
            super::compare::ms_f(memcpy)
        ),
        format!("{shm_vs_memcpy:.2}x the time of memcpy"),
        met(shm_vs_memcpy <= 1.5).to_owned(),
    ]);
    let json_vs_shm = json / shm;
    t.add_row([
        ">= 20x faster than serialising through a pipe".to_owned(),
        format!(
            "JSON pipe {} ms, shm {} ms",
            super::compare::ms_f(json),
            super::compare::ms_f(shm)
        ),
        format!("shm {json_vs_shm:.1}x faster"),
        met(json_vs_shm >= 20.0).to_owned(),
    ]);
    let raw_vs_shm = raw / shm;
    t.add_row([
        "(no target) raw bytes through a pipe".to_owned(),
        format!(
            "raw pipe {} ms, shm {} ms",
            super::compare::ms_f(raw),
            super::compare::ms_f(shm)
        ),
        format!("shm {raw_vs_shm:.1}x faster"),
        "-".to_owned(),
    ]);
    println!("{t}");
    let all_same = rows.iter().all(|r| r.identical != Some(false));
    println!(
        "Every mode produced the same bits: {}.",
        if all_same { "yes" } else { "NO" }
    );
    Ok(())
}

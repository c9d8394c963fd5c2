//! `words`: a word count over generated files on every engine, one table.

use anyhow::{Context, Result};
use course_support::child::Spawner;
use course_support::cli::usize_in;
use course_support::report::grouped;
use course_support::{cores, time};
use lesson_12_distributed::cluster::{self, JobSpec};
use lesson_12_distributed::jobs::generate_corpus;
use lesson_12_distributed::python::{self, Answer, PyJob};
use lesson_12_distributed::single;

use super::primes::python_line;
use super::shared::{CLUSTER_LIMIT, Line, PythonSide, Shapes, print_lines};

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// Files to generate
    #[arg(long, default_value_t = 16, value_parser = usize_in(1..=10_000))]
    pub(crate) files: usize,
    /// Words in each file
    #[arg(long, default_value_t = 20_000, value_parser = usize_in(1..=10_000_000))]
    pub(crate) words: usize,
    #[command(flatten)]
    pub(crate) shapes: Shapes,
    #[command(flatten)]
    pub(crate) python: PythonSide,
}

pub(crate) fn run(spawner: &Spawner, a: &Args) -> Result<Vec<Line>> {
    // Removed when `dir` drops: on success, on error, and on a panic.
    let dir = tempfile::Builder::new()
        .prefix("lesson-12-words-")
        .tempdir()
        .context("a temporary folder")?;
    let files = generate_corpus(dir.path(), a.files, a.words)?;
    let bytes: u64 = files
        .iter()
        .filter_map(|f| f.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "{} files of {} words ({} bytes) in {}, {} cores.",
        a.files,
        grouped(a.words),
        grouped(bytes),
        dir.path().display(),
        cores()
    );
    let base = time(|| single::words_loop(&files));
    let base_ms = base.ms();
    let expected = base.value?;
    let mut lines = vec![Line::local("loop", 1, base_ms, true)];
    let r = time(|| single::words_rayon(&files));
    lines.push(Line::local("rayon", cores(), r.ms(), r.value? == expected));
    for shape in a.shapes.all() {
        let job = JobSpec::Words {
            dir: dir.path().to_owned(),
        };
        let run = cluster::run(spawner, shape, &job, CLUSTER_LIMIT)?;
        lines.push(Line::timely(&run, run.words == expected));
    }
    if let Some(py) = a.python.find() {
        let run = python::jobs(
            &py,
            &PyJob::Words { dir: dir.path() },
            cores(),
            &["pool", "dask"],
        )?;
        lines.extend(
            run.rows
                .iter()
                .map(|r| python_line(r, r.answer == Answer::Words(expected.clone()))),
        );
        if let Some(line) = run.skipped {
            println!("{line}");
        }
    }
    let top: Vec<String> = expected
        .top
        .iter()
        .map(|(w, c)| format!("{w} {}", grouped(c)))
        .collect();
    println!(
        "{} words, {} distinct; most frequent: {}",
        grouped(expected.total),
        grouped(expected.distinct),
        top.join(", ")
    );
    print_lines(&lines);
    println!(
        "Each timely worker counts its files' words and sends every (word, count) to the worker\n\
         that owns the word (a shuffle): those are the bytes sent. dask sends each file's counts\n\
         to the one worker that merges them."
    );
    Ok(lines)
}

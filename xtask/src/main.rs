//! Course tooling, run as `cargo xtask <command>` (matklad's xtask pattern):
//! the exercise grader, the book build, output capture and CI, all in Rust.

mod book;
mod browser;
mod canonical;
mod capture;
mod cargo;
mod ci;
mod claims;
mod class;
mod course;
mod grade;
mod hint;
mod python_check;
mod reaper;
mod report;
mod reset;
mod runner;
mod schedule;
mod scratch;
mod solutions;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    about = "Concurrency Mastery course tooling",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Grade your exercises (`check exercises [ID...]`).
    Check {
        #[command(subcommand)]
        what: CheckWhat,
    },
    /// Show the next hint for an exercise (or all of them with --all).
    Hint {
        /// Exercise id, e.g. `run-together`.
        exercise: String,
        /// Show every hint at once.
        #[arg(long)]
        all: bool,
    },
    /// List the exercises, lesson by lesson, with your progress.
    List,
    /// Start an exercise again from its starter (your code is backed up first).
    Reset {
        /// Exercise id, e.g. `run-together`.
        exercise: String,
    },
    /// Instructors: summarise learners' JSON reports (files or folders).
    Class {
        #[arg(required = true, value_name = "REPORT")]
        reports: Vec<std::path::PathBuf>,
    },
    /// Build the book into book/build; a missing include or anchor is an error.
    Book {
        /// Open the built book in a browser.
        #[arg(long, conflicts_with = "serve")]
        open: bool,
        /// Serve the built book on http://127.0.0.1:PORT until Ctrl-C.
        #[arg(long)]
        serve: bool,
        /// Port for --serve.
        #[arg(long, default_value_t = 3000, requires = "serve")]
        port: u16,
        /// Also open every page in headless Chromium and click through the flowchart.
        #[arg(long, conflicts_with_all = ["open", "serve"])]
        browser_test: bool,
    },
    /// Maintainers of the course: their own commands (`cargo xtask maint --help`).
    Maint {
        #[command(subcommand)]
        what: Maint,
    },
    // The maintainers' commands also answer at the top level (the README and
    // .ci/run call `cargo xtask ci`), hidden from the learner's list.
    #[command(hide = true)]
    Capture { crates: Vec<String> },
    #[command(hide = true)]
    Bless {
        #[arg(long = "starter", value_name = "ID")]
        starters: Vec<String>,
    },
    #[command(hide = true)]
    Ci,
    #[command(hide = true)]
    PythonCheck,
    #[command(hide = true)]
    Claims,
    #[command(hide = true)]
    Schedule {
        #[arg(long)]
        check: bool,
    },
}

/// `cargo xtask maint ...`: the course's maintainers' commands.
#[derive(Debug, Subcommand)]
enum Maint {
    /// Record the hashes of the exercises' canonical tests, manifests and
    /// starters. Refuses unless every exercise holds its starter, and every
    /// test it records anew fails on that starter.
    Bless {
        /// An exercise whose starter you changed on purpose (repeatable).
        #[arg(long = "starter", value_name = "ID")]
        starters: Vec<String>,
    },
    /// Re-run the lesson commands whose outputs the book shows.
    Capture {
        /// Lesson crates to capture (default: all); `crate/name` captures one output.
        crates: Vec<String>,
    },
    /// Compile every .py under chapters/ and run each chapters/*/python/*.py.
    PythonCheck,
    /// Every measured number in the book's prose has its source.
    Claims,
    /// Check the book's minutes and write the schedules made from them.
    Schedule {
        /// Write nothing; fail if a total disagrees with its parts or a generated file is stale.
        #[arg(long)]
        check: bool,
    },
    /// Everything CI runs: fmt, clippy, tests, solutions, book, Python files, claims, schedule.
    Ci,
    /// In a scratch copy: every solution passes, every test fails on its starter.
    CheckSolutions,
}

#[derive(Debug, Subcommand)]
enum CheckWhat {
    /// Build and grade exercises (all, or the ids given).
    Exercises {
        /// Exercise ids (see `cargo xtask list`).
        names: Vec<String>,
        /// Time limit per test in seconds (default: each exercise's own, else 10).
        #[arg(long)]
        timeout: Option<u64>,
        /// Also write the results as JSON to this file.
        #[arg(long, value_name = "FILE")]
        json: Option<std::path::PathBuf>,
        /// Grade again every time you save a change (Ctrl-C to stop).
        #[arg(long)]
        watch: bool,
        /// Run only this test (of the one exercise named).
        #[arg(long, value_name = "NAME")]
        test: Option<String>,
        /// Tests to run at once (default: the number of cores).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// With --test NAME of a model-checked test: replay the interleaving
        /// that failed in its last run, printing each thread's steps.
        #[arg(long, requires = "test")]
        replay: bool,
    },
    /// Maintainers: `cargo xtask maint check-solutions`.
    #[command(hide = true)]
    Solutions,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs one command; `Ok(false)` means it ran but found failures.
fn run(command: Command) -> anyhow::Result<bool> {
    let course = course::Course::locate()?;
    match command {
        Command::Check { what } => match what {
            CheckWhat::Exercises {
                names,
                timeout,
                json,
                watch,
                test,
                jobs,
                replay,
            } => {
                let opts = grade::Options {
                    timeout,
                    test,
                    jobs,
                    replay,
                };
                let run = || grade::check_exercises(&course, &names, &opts, json.as_deref());
                if watch {
                    grade::watch(&course, &names, run)
                } else {
                    run()
                }
            }
            CheckWhat::Solutions => solutions::check_solutions(&course),
        },
        Command::Hint { exercise, all } => hint::show(&course, &exercise, all).map(|()| true),
        Command::List => hint::list(&course).map(|()| true),
        Command::Reset { exercise } => reset::reset(&course, &exercise).map(|()| true),
        Command::Class { reports } => class::summary(&reports).map(|()| true),
        Command::Book {
            open,
            serve,
            port,
            browser_test,
        } => {
            if browser_test {
                browser::run(&book::build(&course)?)
            } else {
                book::run(&course, open, serve.then_some(port))
            }
        }
        Command::Maint { what } => match what {
            Maint::Bless { starters } => solutions::bless(&course, &starters),
            Maint::Capture { crates } => capture::run(&course, &crates),
            Maint::Ci => ci::run(&course),
            Maint::CheckSolutions => solutions::check_solutions(&course),
            Maint::PythonCheck => python_check::run(&course),
            Maint::Claims => claims::run(&course),
            Maint::Schedule { check } => schedule::run(&course, check),
        },
        Command::Capture { crates } => capture::run(&course, &crates),
        Command::Bless { starters } => solutions::bless(&course, &starters),
        Command::PythonCheck => python_check::run(&course),
        Command::Claims => claims::run(&course),
        Command::Schedule { check } => schedule::run(&course, check),
        Command::Ci => ci::run(&course),
    }
}

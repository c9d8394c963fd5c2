//! `startup`: what starting a thread and a process costs.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::usize_in;
use course_support::report::grouped;
use course_support::{ratio, table};
use lesson_04_ipc::python;
use lesson_04_ipc::startup::{self, Kind};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[arg(long, default_value_t = 500, value_parser = usize_in(1..=1_000_000))]
    pub(crate) threads: usize,
    #[arg(long, default_value_t = 50, value_parser = usize_in(1..=100_000))]
    pub(crate) processes: usize,
}

pub(crate) fn run(spawner: &Spawner, args: Args) -> Result<()> {
    let Args { threads, processes } = args;
    show(spawner, threads, processes, None)
}

pub(crate) fn show(
    spawner: &Spawner,
    threads: usize,
    processes: usize,
    py: Option<&python::PythonRun>,
) -> Result<()> {
    let rows = startup::measure(spawner, threads, processes)?;
    let thread_us = rows
        .iter()
        .find(|r| r.what == Kind::Thread)
        .map_or(0.0, |r| r.us_each());
    println!(
        "Start one, wait for it to end, repeat; time per start (fastest of {} rounds):",
        startup::ROUNDS
    );
    let mut t = table(["what", "started", "us each", "vs a thread"]);
    for r in &rows {
        t.add_row([
            r.what.label().to_owned(),
            grouped(r.count as u64),
            format!("{:.1}", r.us_each()),
            ratio(r.us_each(), thread_us),
        ]);
    }
    if let Some(py) = py {
        // The thread first, then the start methods in the order Python lists them.
        let mut kinds: Vec<&String> = py.start_us.keys().collect();
        kinds.sort_by_key(|k| *k != "thread");
        for what in kinds {
            let label = if what == "thread" {
                "Python threading.Thread start + join".to_owned()
            } else {
                format!("Python Process ('{what}') start + join")
            };
            let us = py.start_us[what];
            t.add_row([
                label,
                grouped(py.starts as u64),
                format!("{us:.1}"),
                ratio(us, thread_us),
            ]);
        }
    }
    println!("{t}");
    let process_us = rows
        .iter()
        .find(|r| r.what == Kind::Process)
        .map_or(0.0, |r| r.us_each());
    if process_us > thread_us {
        println!(
            "Starting a process costs {} starting a thread: a new address space, loading the\n\
             program, and its runtime starting up. Use processes for work that dwarfs that.",
            ratio(process_us, thread_us)
        );
    } else {
        println!(
            "Starting a process cost no more than starting a thread this run ({}): not what a new\n\
             address space and program load usually cost.",
            ratio(process_us, thread_us)
        );
    }
    Ok(())
}

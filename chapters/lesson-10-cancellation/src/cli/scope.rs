//! `scope`: asyncio.TaskGroup and JoinSet; gather(return_exceptions=True).

use std::process::ExitCode;

use anyhow::{Result, ensure};
use course_support::report::{ms, table};
use lesson_10_cancellation::probe::Census;
use lesson_10_cancellation::scope::{demo_jobs, gather_all, task_group};

#[derive(Debug, clap::Parser)]
pub struct Args {
    /// How many jobs; job k waits (k + 1) * --step-ms.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(2..=1000))]
    jobs: u16,
    /// The wait step, milliseconds.
    #[arg(long, default_value_t = 40)]
    step_ms: u64,
    /// The job that fails (counted from 0).
    #[arg(long, default_value_t = 1)]
    fail: usize,
    /// When it fails, milliseconds.
    #[arg(long, default_value_t = 50)]
    fail_ms: u64,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let jobs = demo_jobs(args.jobs as usize, args.step_ms, args.fail, args.fail_ms);
    ensure!(args.fail < jobs.len(), "--fail must be below --jobs");
    let census = Census::new();
    let (group, gathered) = super::runtime()?.block_on(async {
        (
            task_group(&jobs, &census).await,
            gather_all(&jobs, &census).await,
        )
    });
    let mut t = table([
        "job",
        "waits (ms)",
        "TaskGroup / JoinSet",
        "gather(return_exceptions=True)",
    ]);
    for (job, (a, b)) in jobs.iter().zip(group.fates.iter().zip(&gathered.fates)) {
        t.add_row([
            job.id.to_string(),
            format!("{}{}", job.ms, if job.fails { ", then fails" } else { "" }),
            a.describe(),
            b.describe(),
        ]);
    }
    println!("{t}");
    for (name, end) in [
        ("TaskGroup / JoinSet", &group),
        ("gather(return_exceptions=True)", &gathered),
    ] {
        println!(
            "{name}: ended after {} ms; first error: {}; tasks still alive after it: {}",
            ms(end.elapsed),
            end.first_error.as_deref().unwrap_or("none"),
            end.alive_after
        );
    }
    println!(
        "The group stops at the first error and cancels the others; gather waits for all and keeps every error."
    );
    Ok(ExitCode::SUCCESS)
}

//! `deadline`: a timeout per step vs one deadline for the whole.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use course_support::report::{ms, table};
use lesson_10_cancellation::deadline::{Steps, deadline_for_all, timeout_each, timeout_whole};

#[derive(Debug, clap::Parser)]
pub struct Args {
    /// How many steps.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=1000))]
    steps: u16,
    /// Each step takes this long, milliseconds.
    #[arg(long, default_value_t = 60)]
    step_ms: u64,
    /// The time limit, milliseconds: per step, or for all of them.
    #[arg(long, default_value_t = 100)]
    limit_ms: u64,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let steps = vec![args.step_ms; args.steps as usize];
    let limit = Duration::from_millis(args.limit_ms);
    let (each, shared, whole) = super::event_loop()?.block_on(async {
        let each = timeout_each(&steps, limit).await;
        let shared = deadline_for_all(&steps, tokio::time::Instant::now() + limit).await;
        let whole = timeout_whole(&steps, limit).await;
        (each, shared, whole)
    });
    println!(
        "{} steps of {} ms; a limit of {} ms:",
        args.steps, args.step_ms, args.limit_ms
    );
    let mut t = table(["limit", "Python", "steps done", "cut at step", "ms"]);
    let rows: [(&str, &str, &Steps); 3] = [
        (
            "timeout() on each step",
            "asyncio.timeout() inside the loop",
            &each,
        ),
        (
            "timeout_at(one deadline) on each step",
            "asyncio.timeout_at(when) per step",
            &shared,
        ),
        (
            "timeout() around the whole loop",
            "asyncio.timeout() around the loop",
            &whole,
        ),
    ];
    for (name, python, s) in rows {
        t.add_row([
            name.to_owned(),
            python.to_owned(),
            format!("{}/{}", s.done, steps.len()),
            s.cut.map_or("-".to_owned(), |c| c.to_string()),
            ms(s.elapsed),
        ]);
    }
    println!("{t}");
    println!("A timeout per step bounds each step, not the job; a deadline bounds the job.");
    Ok(ExitCode::SUCCESS)
}

//! `blocking`: blocking the event loop, measured, and spawn_blocking.

use std::time::Duration;

use anyhow::Result;
use course_support::cli::{u64_in, usize_in};
use course_support::table;
use lesson_08_async_fetch::blocking::{
    Flavor, Placement, Sleeper, busy_for, heartbeat_during, sleep_tasks,
};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// How many tasks sleep.
    #[arg(long, default_value_t = 10, value_parser = usize_in(1..=1_000))]
    pub(crate) tasks: usize,
    /// How long each sleeps, milliseconds.
    #[arg(long, default_value_t = 50, value_parser = u64_in(1..=600_000))]
    pub(crate) sleep_ms: u64,
    /// CPU work beside a heartbeat, milliseconds.
    #[arg(long, default_value_t = 200, value_parser = u64_in(1..=600_000))]
    pub(crate) cpu_ms: u64,
}

pub(crate) fn run(args: Args) -> Result<()> {
    let Args {
        tasks,
        sleep_ms,
        cpu_ms,
    } = args;
    show(
        tasks,
        super::shared::ms(sleep_ms),
        super::shared::ms(cpu_ms),
    );
    Ok(())
}

pub(crate) fn show(tasks: usize, each: Duration, cpu: Duration) {
    println!(
        "{tasks} tasks each wait {} ms; the runtime's threads run them all.",
        each.as_millis()
    );
    let mut t = table([
        "runtime",
        "how each task waits",
        "ms",
        "ms if serial",
        "most asleep at once",
    ]);
    let runs = [
        (Flavor::CurrentThread, Sleeper::ThreadSleep),
        (Flavor::CurrentThread, Sleeper::TokioSleep),
        (Flavor::CurrentThread, Sleeper::SpawnBlocking),
        (Flavor::MultiThread(2), Sleeper::ThreadSleep),
    ];
    let mut elapsed = Vec::new();
    for (flavor, sleeper) in runs {
        let run = sleep_tasks(sleeper, flavor, tasks, each);
        elapsed.push(run.elapsed);
        t.add_row([
            flavor.label(),
            sleeper.label().to_owned(),
            super::shared::millis_of(run.elapsed),
            super::shared::millis_of(each * tasks as u32),
            run.peak_sleeping.to_string(),
        ]);
    }
    println!("{t}");
    // Rows 0 and 3: thread::sleep on one thread, and on two worker threads.
    let serial = (each * tasks as u32).as_secs_f64();
    let (one, two) = (elapsed[0].as_secs_f64(), elapsed[3].as_secs_f64());
    if one >= 0.8 * serial {
        println!("A blocking sleep holds the thread, so tasks on it wait their turn.");
    } else {
        println!(
            "The blocking sleeps took {:.0}% of their serial time on one thread: they overlapped, which a \
             blocking sleep should not do.",
            one / serial * 100.0
        );
    }
    if two >= 0.8 * serial / 2.0 && two < 0.8 * serial {
        println!("Two workers only divided the damage: about half the serial time, still blocked.");
    } else {
        println!(
            "Two workers took {:.0}% of the serial time (half would be 50%).",
            two / serial * 100.0
        );
    }
    println!();
    println!(
        "CPU work of {} ms beside a heartbeat task that ticks every 10 ms (current_thread runtime):",
        cpu.as_millis()
    );
    let mut t = table([
        "where the work runs",
        "work ms",
        "heartbeats during the work",
        "longest gap between heartbeats, ms",
    ]);
    for placement in [Placement::Inline, Placement::SpawnBlocking] {
        let run = heartbeat_during(placement, super::shared::ms(10), move |_| {
            busy_for(cpu);
        });
        t.add_row([
            placement.label().to_owned(),
            super::shared::millis_of(run.work),
            run.ticks_during.to_string(),
            super::shared::millis_of(run.max_gap),
        ]);
    }
    println!("{t}");
}

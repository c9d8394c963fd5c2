//! The guided tour: every demo with small defaults, in order.

use std::time::Duration;

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cores;
use course_support::tour;
use lesson_07_executors::interpreter_demo;

use crate::{TOUR_LIMIT, TOUR_PROCESS_TASKS, TOUR_TASKS};

pub(crate) fn run(spawner: &Spawner) -> Result<()> {
    println!(
        "Lesson 07: executors (Python's concurrent.futures) on std threads and child processes, {} cores here.",
        cores()
    );
    tour::section("1. The seed's example: ThreadPoolExecutor(max_workers=1)");
    super::seed::run()?;
    tour::section("2. A future: done(), running(), result(timeout)");
    super::submit::show(Duration::from_millis(300), Duration::from_millis(50))?;
    tour::section("3. map(): input order");
    super::map::show(6, 3, Duration::from_millis(20))?;
    tour::section("4. as_completed(): completion order");
    super::as_completed::show(&[300, 100, 200, 50], 4)?;
    tour::section("5. wait(): FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED");
    super::wait::run()?;
    tour::section("6. cancel(): only what has not started");
    super::cancel::show(6)?;
    tour::section("7. shutdown(wait=true) and shutdown(wait=false)");
    super::shutdown::show(5, Duration::from_millis(200))?;
    tour::section("8. The robust pattern: every result, every (task, error)");
    super::robust::show(2, Duration::from_millis(300), 600)?;
    tour::section("9. ProcessPoolExecutor: the same API, tasks in worker processes");
    super::processes::show(spawner, 2)?;
    tour::section("10. InterpreterPoolExecutor: workers that share nothing, in this process");
    interpreter_demo::show(spawner, 2, 4)?;
    tour::section("11. What a task costs: thread pool, process pool, interpreter pool");
    super::overhead::show(spawner, cores(), TOUR_TASKS, TOUR_PROCESS_TASKS)?;
    tour::section("12. A CPU-bound batch on every pool");
    super::cpu::show(spawner, TOUR_LIMIT, 4 * cores(), cores(), 1)?;
    println!(
        "\nEach section is a subcommand with flags (see --help). Bigger counts and Python side by side:\n  \
         cargo run --release -p lesson-07-executors -- bench"
    );
    Ok(())
}

//! The guided tour: every demo with small defaults, in order.

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cores;
use course_support::tour;
use lesson_06_shared_memory::compare::{Kind, Setup};
use lesson_06_shared_memory::counter::Increment;
use lesson_06_shared_memory::workers::Mode;

use super::shape::{Shape, default_workers};

pub(crate) fn run(spawner: &Spawner) -> Result<()> {
    println!(
        "Lesson 06: shared memory. This is pid {} on {} cores; Ctrl-C at any point\n\
         removes every segment we created before exiting.",
        std::process::id(),
        cores()
    );
    let w = default_workers();
    tour::section("1. A named segment: SharedMemory(create=True, name=..., size=...)");
    super::segment::show(spawner, 4096, 0)?;
    tour::section(&format!(
        "2. A 1000 x 1000 matrix, transformed in place by {w} processes"
    ));
    super::transform::show(spawner, 1000, 1000, w, 2.0, false)?;
    println!();
    super::transform::show(spawner, 1000, 1000, w, 2.0, true)?;
    tour::section("3. In place vs through a pipe vs memcpy");
    super::compare::show(
        spawner,
        Setup {
            rows: 1000,
            cols: 1000,
            workers: w,
            rounds: 3,
            json_rounds: 1,
            factor: 2.0,
        },
        &Kind::ALL,
    )?;
    tour::section("4. Value: one counter in shared memory, 4 processes");
    super::counter::show(
        spawner,
        4,
        200_000,
        &[
            Increment::FetchAdd,
            Increment::LoadStore,
            Increment::LoadYieldStore,
        ],
    )?;
    tour::section("5. A worker panics halfway through its band");
    let shape = Shape {
        rows: 1000,
        cols: 1000,
        workers: Some(w),
    };
    super::crash::show(spawner, shape, &[Mode::Shm, Mode::PipeRaw], 1, None)?;
    tour::section("6. Manager(): a server process owns the dict; every call is a round trip");
    super::manager::show(
        spawner,
        &super::manager::Args {
            processes: 4,
            increments: 500,
            shm_increments: 200_000,
            calls: 2_000,
            python: Default::default(),
        },
    )?;
    tour::section("7. multiprocessing.Lock: a robust mutex shared by processes");
    super::lock::run(
        spawner,
        super::lock::Args {
            processes: 4,
            rounds: 20_000,
            python_rounds: 5_000,
            python: Default::default(),
        },
    )?;
    println!(
        "\nEach section is a subcommand with flags (see --help). The targets, measured:\n  \
         cargo run --release -p lesson-06-shared-memory -- bench"
    );
    Ok(())
}

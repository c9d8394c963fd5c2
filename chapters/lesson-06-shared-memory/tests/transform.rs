//! Children transform the parent's memory in place; every mode gives the
//! same bits; a panicking child is reported and leaves nothing behind.

mod common;

use std::time::Duration;

use common::{assert_all_gone, listed, spawner, within};
use lesson_06_shared_memory::compare::{self, Kind, Setup};
use lesson_06_shared_memory::matrix::{self, SharedMatrix, band, identical, initial_value};
use lesson_06_shared_memory::transform;
use lesson_06_shared_memory::workers::{Mode, PanicAt, PipePool, ShmPool};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn children_write_the_parents_memory_in_place() {
    let report = within("in-place transform", || {
        transform::in_place(&spawner(), 1000, 1000, 3, 2.0, false).unwrap()
    });
    assert_eq!(report.bands.len(), 3);
    for (i, b) in report.bands.iter().enumerate() {
        assert!(
            b.correct,
            "band {i} ({:?}) does not hold initial x 2",
            b.rows
        );
        assert_eq!(
            b.recorded_pid, b.worker_pid,
            "band {i} was not written by the worker process started for it"
        );
        assert_ne!(b.worker_pid, std::process::id());
    }
    assert!(
        report.statuses.iter().all(|s| s == "exit code 0"),
        "{:?}",
        report.statuses
    );
    assert!(!report.listed_after, "{} leaked", report.segment);
    assert_all_gone(
        &report
            .bands
            .iter()
            .map(|b| b.worker_pid)
            .collect::<Vec<_>>(),
    );
}

/// The parent's own mapping changes while the parent does nothing but wait
/// on a pipe that carries a few words: the numbers never went through it.
#[test]
fn the_parent_reads_what_the_children_wrote() {
    within("two rounds in place", || {
        let (rows, cols) = (64, 50);
        let mut m = SharedMatrix::create(rows, cols).unwrap();
        matrix::fill(m.data_mut(), cols);
        let before = m.data().to_vec();
        let mut pool = ShmPool::start(&spawner(), &mut m, 4, None, LIMIT).unwrap();
        pool.round(3.0).unwrap();
        pool.round(0.5).unwrap();
        let pids = pool.pids();
        let statuses = pool.close().unwrap();
        assert!(statuses.iter().all(|s| s.success()));
        for (i, x) in m.data().iter().enumerate() {
            assert_eq!(*x, before[i] * 3.0 * 0.5, "cell {i}");
        }
        for (i, &pid) in pids.iter().enumerate() {
            assert_eq!(
                m.header().band_writer[i].load(std::sync::atomic::Ordering::Relaxed),
                pid,
                "band {i} was written by its worker"
            );
        }
        assert_eq!(
            m.header()
                .bands_done
                .load(std::sync::atomic::Ordering::Acquire),
            8,
            "4 workers x 2 rounds reported done"
        );
    });
}

#[test]
fn unlinking_early_still_works_and_leaves_no_name() {
    let report = within("unlink early", || {
        transform::in_place(&spawner(), 100, 20, 2, 2.0, true).unwrap()
    });
    assert!(report.all_correct());
    assert!(!report.listed_after);
}

#[test]
fn every_mode_gives_the_same_bits() {
    let rows = within("all modes", || {
        let setup = Setup {
            rows: 48,
            cols: 33,
            workers: 3,
            rounds: 3,
            json_rounds: 3,
            factor: 2.0,
        };
        let kinds = [
            Kind::Memcpy,
            Kind::OneThread,
            Kind::Threads,
            Kind::Shm,
            Kind::PipeRaw,
            Kind::PipeJson,
        ];
        compare::run(&spawner(), setup, &kinds).unwrap()
    });
    assert_eq!(rows.len(), 6);
    for r in &rows {
        if r.kind == Kind::Memcpy {
            assert_eq!(r.identical, None);
        } else {
            assert_eq!(
                r.identical,
                Some(true),
                "{:?} differs from the in-process result",
                r.kind
            );
        }
    }
    let bytes = |k: Kind| rows.iter().find(|r| r.kind == k).unwrap().pipe_bytes;
    assert_eq!(
        bytes(Kind::Shm),
        0,
        "no data through pipes in shared-memory mode"
    );
    assert_eq!(
        bytes(Kind::PipeRaw),
        2 * 48 * 33 * 8,
        "raw: the matrix both ways"
    );
    assert!(bytes(Kind::PipeJson) > 0);
}

#[test]
fn pipe_modes_match_the_shared_one_directly() {
    within("pipes vs shm", || {
        let (rows, cols) = (30, 7);
        let want = matrix::reference(rows, cols, 2.0, 2);
        for mode in [Mode::PipeRaw, Mode::PipeJson] {
            let mut data = vec![0.0; rows * cols];
            matrix::fill(&mut data, cols);
            let mut pool = PipePool::start(&spawner(), mode, rows, cols, 2, None, LIMIT).unwrap();
            pool.round(&mut data, 2.0).unwrap();
            pool.round(&mut data, 2.0).unwrap();
            pool.close().unwrap();
            assert!(identical(&data, &want), "{mode:?}");
        }
    });
}

#[test]
fn a_panicking_child_is_reported_and_leaves_nothing_behind() {
    let crash = within("crash in shm", || {
        transform::crash(
            &spawner(),
            Mode::Shm,
            40,
            10,
            4,
            PanicAt {
                band: 2,
                after_rows: 4,
            },
        )
        .unwrap()
    });
    assert_eq!(
        crash.failure.index, 2,
        "the failure names the worker that panicked"
    );
    assert_eq!(crash.failure.pid, crash.pids[2]);
    assert_eq!(
        crash.failure.ended, "exit code 101",
        "a Rust panic exits with 101"
    );
    assert!(
        crash.failure.last_words.contains("panics after 4 rows"),
        "the report carries the panic message: {:?}",
        crash.failure.last_words
    );
    // In shared memory, the work done before the panic is visible.
    assert_eq!(crash.crashed_band_rows_changed, 4);
    assert_eq!(crash.crashed_band_rows, band(40, 2, 4).len());
    let (name, listed_after) = crash.segment.clone().unwrap();
    assert!(
        !listed_after && !listed(&name),
        "{name} leaked after a crash"
    );
    assert_all_gone(&crash.pids);
}

#[test]
fn through_a_pipe_a_crash_leaves_the_parents_data_untouched() {
    for mode in [Mode::PipeRaw, Mode::PipeJson] {
        let crash = within("crash in a pipe", move || {
            transform::crash(
                &spawner(),
                mode,
                40,
                10,
                2,
                PanicAt {
                    band: 0,
                    after_rows: 5,
                },
            )
            .unwrap()
        });
        assert_eq!(crash.failure.index, 0);
        assert!(
            crash.failure.last_words.contains("panicked"),
            "{mode:?}: {:?}",
            crash.failure
        );
        assert_eq!(
            crash.rows_changed, 0,
            "{mode:?}: a failed round must not change the data"
        );
        assert_all_gone(&crash.pids);
    }
}

#[test]
fn too_many_workers_is_an_error() {
    let mut m = SharedMatrix::create(3, 3).unwrap();
    let err = ShmPool::start(&spawner(), &mut m, 4, None, LIMIT).unwrap_err();
    assert!(
        format!("{err}").contains("at most one worker per row"),
        "{err}"
    );
}

#[test]
fn bands_and_values_are_what_the_book_says() {
    assert_eq!(band(1000, 0, 3), 0..333);
    assert_eq!(band(1000, 2, 3), 666..1000);
    assert_eq!(initial_value(0, 0), -64.0);
    assert_eq!(initial_value(0, 1), 17.0 / 8.0 - 64.0);
}

/// The parent panics while its workers have the segment mapped: unwinding
/// kills and reaps the workers and unlinks the name.
#[test]
fn a_panicking_parent_leaves_no_worker_and_no_segment() {
    let (tx, rx) = std::sync::mpsc::channel();
    let result = std::thread::spawn(move || {
        let mut m = SharedMatrix::create(20, 5).unwrap();
        let name = m.name().to_owned();
        let pool = ShmPool::start(&spawner(), &mut m, 2, None, LIMIT).unwrap();
        tx.send((name, pool.pids())).unwrap();
        panic!("the parent fails with workers running");
    })
    .join();
    assert!(result.is_err(), "the thread was meant to panic");
    let (name, pids) = rx.recv().unwrap();
    assert!(!listed(&name), "{name} leaked when the parent panicked");
    assert_all_gone(&pids);
}

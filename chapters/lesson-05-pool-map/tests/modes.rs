//! Every way of running the prime count finds the same number of primes.

mod common;

use common::{spawner, within};
use lesson_05_pool_map::scaling::{self, Job, Mode};

#[test]
fn results_are_identical_in_every_mode() {
    let expected = course_support::count_primes(0..80_000);
    let runs = within("every mode", || {
        let job = Job {
            limit: 80_000,
            blocks: 17,
            chunk: 3,
            prefetch: 2,
        };
        let mut runs = vec![scaling::run(&spawner(), &job, Mode::Sequential, 1).unwrap()];
        for mode in Mode::PARALLEL {
            for workers in [1, 2, 3] {
                runs.push(scaling::run(&spawner(), &job, mode, workers).unwrap());
            }
        }
        runs
    });
    assert_eq!(runs.len(), 10);
    for r in runs {
        assert_eq!(
            r.primes, expected,
            "{:?} with {} workers",
            r.mode, r.workers
        );
    }
}

#[test]
fn worker_counts_go_past_the_cores() {
    assert_eq!(scaling::worker_counts(1), [1, 2]);
    assert_eq!(scaling::worker_counts(2), [1, 2, 3, 4]);
    assert_eq!(scaling::worker_counts(4), [1, 2, 3, 4, 5, 8]);
    assert_eq!(scaling::worker_counts(12), [1, 2, 4, 8, 12, 13, 24]);
}

#[test]
fn efficiency_is_speed_up_per_worker() {
    assert!((scaling::efficiency(1.9, 2) - 0.95).abs() < 1e-12);
    let s = scaling::speedup(
        std::time::Duration::from_millis(200),
        std::time::Duration::from_millis(100),
    );
    assert!((s - 2.0).abs() < 1e-12);
}

//! The timely cluster gives the single machine's answers with any number of
//! processes and threads, leaves no process behind, and a killed worker ends
//! the job (clearly, within its limit) instead of hanging it.

use std::time::Duration;

use course_support::child::Spawner;
use course_support::count_primes;
use course_support::testing::{assert_all_gone, within};
use lesson_12_distributed::cluster::{self, Cluster, JobSpec, Shape};
use lesson_12_distributed::dataflow::{self, Job, Place};
use lesson_12_distributed::jobs::{generate_corpus, prime_tasks};
use lesson_12_distributed::single;

fn spawner() -> Spawner {
    Spawner::new(env!("CARGO_BIN_EXE_lesson-12-distributed"))
}

const SHAPES: [(usize, usize); 4] = [(1, 1), (1, 2), (2, 1), (2, 2)];
const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn threads_in_one_process_give_the_loops_answers() {
    let tasks = prime_tasks(50_000, 13);
    for threads in [1, 3] {
        let r = dataflow::run(&Place::alone(threads), Job::Primes(tasks.clone()), || {}).unwrap();
        assert_eq!(r.primes, count_primes(0..50_000));
        assert_eq!(
            r.tasks_per_worker.iter().sum::<u64>(),
            13,
            "every task mapped once"
        );
        assert_eq!(r.bytes_sent, 0, "threads of one process serialise nothing");
    }
}

#[test]
fn every_shape_counts_the_same_primes_and_leaves_no_process() {
    let expected = single::primes_loop(&prime_tasks(100_000, 16));
    assert_eq!(expected, count_primes(0..100_000));
    for (processes, threads) in SHAPES {
        let shape = Shape { processes, threads };
        let job = JobSpec::Primes {
            limit: 100_000,
            tasks: 16,
        };
        let run = within("a cluster run", LIMIT, move || {
            cluster::run(&spawner(), shape, &job, LIMIT).unwrap()
        });
        assert_eq!(run.primes, expected, "{}", shape.label());
        assert_eq!(run.tasks_per_worker.len(), shape.workers());
        assert_eq!(run.tasks_per_worker.iter().sum::<u64>(), 16);
        // Task i goes to worker i % workers: everyone gets a share.
        assert!(
            run.tasks_per_worker.iter().all(|&n| n > 0),
            "{:?}",
            run.tasks_per_worker
        );
        if processes > 1 {
            assert!(
                run.bytes_sent > 0,
                "tasks crossed between processes: bytes were counted"
            );
        } else {
            assert_eq!(run.bytes_sent, 0);
        }
        assert_all_gone(&run.pids);
    }
}

#[test]
fn every_shape_counts_the_same_words() {
    let dir = tempfile::tempdir().unwrap();
    let files = generate_corpus(dir.path(), 7, 3_000).unwrap();
    let expected = single::words_loop(&files).unwrap();
    assert_eq!(expected.total, 21_000);
    assert_eq!(single::words_rayon(&files).unwrap(), expected);
    for (processes, threads) in SHAPES {
        let shape = Shape { processes, threads };
        let job = JobSpec::Words {
            dir: dir.path().to_owned(),
        };
        let run = within("a cluster run", LIMIT, move || {
            cluster::run(&spawner(), shape, &job, LIMIT).unwrap()
        });
        assert_eq!(run.words, expected, "{}", shape.label());
        assert_eq!(
            run.tasks_per_worker.iter().sum::<u64>(),
            7,
            "every file read once"
        );
        assert_all_gone(&run.pids);
    }
}

#[test]
fn a_killed_process_ends_the_job_on_every_process_without_a_hang() {
    let endings = within("the kill demo", LIMIT, || {
        let job = JobSpec::Primes {
            limit: 30_000_000,
            tasks: 64,
        };
        let mut c = Cluster::start(
            &spawner(),
            Shape {
                processes: 2,
                threads: 1,
            },
            &job,
        )
        .unwrap();
        assert!(
            c.wait_running(Duration::from_secs(20)),
            "the cluster started"
        );
        std::thread::sleep(Duration::from_millis(100));
        c.kill(1).unwrap();
        c.endings(Duration::from_secs(20))
    });
    assert_eq!(endings.len(), 2);
    assert!(endings[1].status.contains("SIGKILL"), "{:?}", endings[1]);
    let survivor = &endings[0];
    assert!(!survivor.hung, "the survivor ended by itself: {survivor:?}");
    assert!(survivor.report.is_none(), "and gave no answer");
    assert_ne!(survivor.status, "exit code 0", "{survivor:?}");
    assert!(
        survivor.stderr.contains("timely communication error"),
        "{}",
        survivor.stderr
    );
    assert_all_gone(&endings.iter().map(|e| e.pid).collect::<Vec<_>>());
}

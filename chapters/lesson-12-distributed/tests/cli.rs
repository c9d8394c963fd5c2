//! The command line: bad flags are usage errors; the demos run with small
//! flags and every engine agrees.

use course_support::testing::Cli;

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_lesson-12-distributed"))
}

#[test]
fn bad_flags_are_rejected() {
    for args in [
        &["primes", "--tasks", "0"][..],
        &["primes", "--processes", "0"],
        &["words", "--files", "0"],
        &["overhead", "--tasks", "x"],
        &["kill-worker", "--deadline", "0"],
        &["no-such-demo"],
    ] {
        cli().assert_usage_error(args);
    }
}

#[test]
fn primes_and_words_agree_on_every_engine() {
    for args in [
        &["primes", "--no-python", "--limit", "20000", "--tasks", "8"][..],
        &["words", "--no-python", "--files", "3", "--words", "500"],
    ] {
        let out = cli().stdout_of(args);
        assert!(out.contains("| timely | 2 proc x 2 thr"), "{out}");
        assert!(!out.contains("DIFFERENT"), "{out}");
    }
}

#[test]
fn the_sweep_fits_a_cost_per_task() {
    let out = cli().stdout_of(&[
        "overhead",
        "--no-python",
        "--limit",
        "20000",
        "--tasks",
        "2,32",
    ]);
    assert!(out.contains("each extra task adds"), "{out}");
    assert!(!out.contains("needs two task counts"), "{out}");
}

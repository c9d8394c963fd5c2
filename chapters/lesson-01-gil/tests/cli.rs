//! The command line: subcommands run, bad flags get clear errors.

use std::process::Output;

use course_support::testing::{Cli, stderr, stdout};

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_lesson-01-gil"))
}

fn lesson(args: &[&str]) -> Output {
    cli().run(args)
}

#[test]
fn pillars_prints_the_three_models() {
    let o = lesson(&["pillars"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for model in ["| threads", "| processes", "| async"] {
        assert!(text.contains(model), "missing {model}:\n{text}");
    }
}

#[test]
fn unknown_workload_is_rejected_with_the_choices() {
    let err = cli().assert_usage_error(&["gil", "--workload", "gpu"]);
    assert!(
        err.contains("invalid value 'gpu'") && err.contains("cpu") && err.contains("io"),
        "{err}"
    );
}

#[test]
fn zero_workers_and_bad_intervals_are_rejected() {
    for args in [
        &["gil", "--workers", "0"][..],
        &["gil", "--switch-ms", "0"],
        &["gil", "--switch-ms", "fast"],
        &["timeline", "--width", "3"],
        &["no-such-demo"],
    ] {
        cli().assert_usage_error(args);
    }
}

#[test]
fn gil_prints_a_table_with_identical_results() {
    let o = lesson(&[
        "gil",
        "--workload",
        "cpu",
        "--tasks",
        "4",
        "--numbers",
        "5000",
        "--workers",
        "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for row in [
        "| sequential",
        "| threads + interpreter lock",
        "| free threads",
    ] {
        assert!(text.contains(row), "missing {row}:\n{text}");
    }
    assert!(text.contains("identical"), "{text}");
}

#[test]
fn timeline_draws_t_and_p_lanes() {
    let o = lesson(&[
        "timeline",
        "--numbers",
        "5000",
        "--width",
        "30",
        "--workers",
        "3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for lane in [" T1 ", " T3 ", " P1 ", " P3 "] {
        let line = text.lines().find(|l| l.starts_with(lane));
        let line = line.unwrap_or_else(|| panic!("no lane {lane}:\n{text}"));
        assert_eq!(line.chars().count(), 4 + 30, "{line:?}");
    }
    assert!(!text.contains(" T4 "), "3 workers draw 3 lanes:\n{text}");
}

#[test]
fn concepts_convoy_and_no_gil_run() {
    for (args, expect) in [
        (&["concepts"][..], "Concurrency vs parallelism"),
        (
            &["convoy", "--calls", "5", "--io-us", "100"],
            "next to a CPU-bound thread",
        ),
        (&["no-gil", "--numbers", "10000"], "python3.14t"),
    ] {
        let o = lesson(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(
            stdout(&o).contains(expect),
            "{args:?} printed:\n{}",
            stdout(&o)
        );
    }
}

#[test]
fn ways_prints_four_ways_and_the_isolated_workers_agree() {
    let o = lesson(&[
        "ways",
        "--numbers",
        "20000",
        "--workers",
        "3",
        "--blocks",
        "6",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for row in [
        "| GIL threads",
        "| free-threaded threads",
        "| subinterpreters",
        "| processes",
    ] {
        assert!(text.contains(row), "missing {row}:\n{text}");
    }
    assert!(text.contains("20,000 numbers"), "{text}");
    assert!(text.contains(", the same."), "{text}");
    assert!(!text.contains("MISMATCH"), "{text}");
}

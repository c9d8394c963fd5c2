//! The command line: every demo runs with small flags, bad flags and a bad
//! worker input get clear errors.

use std::process::Output;

use course_support::testing::{Cli, stderr, stdout};

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_lesson-05-pool-map"))
}

fn lesson(args: &[&str]) -> Output {
    cli().run(args)
}

#[test]
fn bad_flags_are_rejected() {
    for args in [
        &["scaling", "--workers", "0"][..],
        &["scaling", "--chunk", "0"],
        &["chunks", "--sizes", "0"],
        &["chunks", "--sizes", "ten"],
        &["order", "--items", "1"],
        &["crash", "--workers", "1000"],
        &["no-such-demo"],
    ] {
        cli().assert_usage_error(args);
    }
}

#[test]
fn each_demo_runs_with_small_flags() {
    for (args, expect) in [
        (&["seed", "--items", "20"][..], "in input order: yes"),
        (
            &["order", "--items", "4", "--slow-ms", "50", "--fast-ms", "1"],
            "imap_unordered",
        ),
        (
            &[
                "chunks",
                "--limit",
                "20000",
                "--items",
                "40",
                "--sizes",
                "1,10,40",
                "--workers",
                "2",
            ],
            "identical",
        ),
        (
            &[
                "scaling",
                "--limit",
                "20000",
                "--blocks",
                "10",
                "--workers",
                "1,2",
            ],
            "identical",
        ),
        (
            &["amdahl", "--count", "20000", "--workers", "1,2"],
            "Karp-Flatt",
        ),
        (&["crash"], "gone"),
        (
            &[
                "bench",
                "--limit",
                "20000",
                "--blocks",
                "10",
                "--repeat",
                "1",
                "--workers",
                "1,2",
                "--no-python",
            ],
            "parallel efficiency >= 97%",
        ),
    ] {
        let o = lesson(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let text = stdout(&o);
        assert!(text.contains(expect), "{args:?} printed:\n{text}");
        assert!(!text.contains("MISMATCH"), "{args:?}:\n{text}");
        assert!(!text.contains("STILL RUNNING"), "{args:?}:\n{text}");
    }
}

#[test]
fn a_worker_given_garbage_exits_with_a_clear_error() {
    let o = cli().run_with_input(&["child", "worker"], b"not json\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("Ready"), "{}", stdout(&o));
    assert!(stderr(&o).contains("malformed request"), "{}", stderr(&o));
}

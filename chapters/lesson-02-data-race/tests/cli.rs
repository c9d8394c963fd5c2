//! The command line: every demo runs with small settings, bad flags are
//! refused by clap with a usage error.

use course_support::testing::Cli;

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_lesson-02-data-race"))
}

fn stdout_of(args: &[&str]) -> String {
    cli().stdout_of(args)
}

#[test]
fn lost_updates_subcommand() {
    let text = stdout_of(&[
        "lost-updates",
        "--threads",
        "3",
        "--increments",
        "50",
        "--trials",
        "2",
        "--widen",
    ]);
    assert!(text.contains("| trial"), "{text}");
    assert!(text.contains("150"), "{text}");
}

#[test]
fn fixes_subcommand_reports_exact_counts() {
    let text = stdout_of(&["fixes", "--threads", "4", "--increments", "500"]);
    assert_eq!(text.matches("| yes").count(), 3, "{text}");
    assert!(!text.contains("| no"), "{text}");
}

#[test]
fn cost_subcommand_prints_the_table() {
    let text = stdout_of(&["cost", "--threads", "2", "--increments", "1000"]);
    for label in [
        "plain loop",
        "Mutex<u64>",
        "fetch_add",
        "local sums",
        "1.00x",
    ] {
        assert!(text.contains(label), "missing {label}: {text}");
    }
}

#[test]
fn downloads_subcommand() {
    let text = stdout_of(&["downloads", "--pages", "3", "--latency-ms", "1"]);
    assert!(text.contains("sum of join results"), "{text}");
    assert!(!text.contains("| no"), "{text}");
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["lost-updates", "--threads", "0"][..],
        &["lost-updates", "--threads", "ten"],
        &["fixes", "--bogus"],
        &["cost", "--increments", "-5"],
        &["no-such-demo"],
    ] {
        cli().assert_usage_error(args);
    }
}

//! The command line: the tour shows every idea in seconds; flags are checked.

use course_support::testing::Cli;

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_lesson-10-cancellation"))
}

#[test]
fn the_tour_shows_every_section_and_exits_0() {
    let text = cli().stdout_of(&["tour"]);
    for section in [
        "TaskGroup / JoinSet",
        "timeout_at(one deadline)",
        "drop a JoinHandle",
        "read_exact (not cancel safe)",
        "tokio::sync::Mutex held across .await",
        "spawn_blocking",
        "tokio::time::sleep",
        "Report (flushed at exit)",
        "still running: 0",
    ] {
        assert!(text.contains(section), "missing {section:?}:\n{text}");
    }
}

#[test]
fn the_safe_reader_loses_nothing_in_the_demo() {
    let text = cli().stdout_of(&["select", "--records", "10"]);
    let lost = |reader: &str| -> usize {
        let row = text.lines().find(|l| l.contains(reader)).unwrap();
        let cells: Vec<&str> = row
            .split('|')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        cells.last().unwrap().parse().unwrap()
    };
    assert_eq!(lost("(cancel safe)"), 0, "{text}");
    assert!(lost("(not cancel safe)") > 0, "{text}");
}

#[test]
fn bad_flags_are_usage_errors() {
    cli().assert_usage_error(&["scope", "--jobs", "1"]);
    cli().assert_usage_error(&["select", "--records", "0"]);
    cli().assert_usage_error(&["shutdown", "--concurrency", "0"]);
}

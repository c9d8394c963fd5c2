//! The command line: bench, history, advise, matrix, timeline; Python absent;
//! bad flags get clear errors.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use course_support::testing::{Cli, stderr, stdout};

fn lab(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let cli = Cli::new(env!("CARGO_BIN_EXE_lab"))
        .env_remove("LAB_PYTHON")
        .env_remove("LAB_HISTORY")
        .limit(Duration::from_secs(180));
    envs.iter().fold(cli, |cli, (k, v)| cli.env(k, v)).run(args)
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "failed:\n{}\n{}", stdout(o), stderr(o));
    stdout(o)
}

fn tiny_bench<'a>(workload: &'a str, history: &'a str, svg: &'a str) -> Vec<&'a str> {
    vec![
        "bench",
        "--workload",
        workload,
        "--tasks",
        "12",
        "--workers",
        "2",
        "--numbers",
        "300",
        "--history",
        history,
        "--svg",
        svg,
    ]
}

#[test]
fn bench_prints_every_mode_writes_a_chart_and_tracks_history() {
    let dir = common::scratch("cli-bench");
    let history = dir.join("h.jsonl");
    let svg = dir.join("img/bench.svg");
    let (h, s) = (history.to_str().unwrap(), svg.to_str().unwrap());
    let first = ok(&lab(&tiny_bench("io", h, s), &[]));
    for label in [
        "| sequential",
        "| threads + simulated GIL",
        "| free threads (Rust)",
        "| processes",
        "| async (tokio, 1 thread)",
        "speed-up",
        "efficiency",
        "identical",
        "worker pids",
    ] {
        assert!(first.contains(label), "missing {label}:\n{first}");
    }
    assert!(first.contains("this is the first"), "{first}");
    assert!(
        !first.contains('\u{1b}'),
        "no progress bar escapes when stdout is a pipe"
    );
    let chart = std::fs::read_to_string(&svg).expect("the chart is written");
    assert!(chart.contains("<svg") && chart.contains("free threads (Rust)"));

    let second = ok(&lab(&tiny_bench("io", h, s), &[]));
    assert!(second.contains("Since the last comparable run"), "{second}");
    assert!(second.contains("2 comparable run(s)"), "{second}");
    // A different workload is not comparable.
    let other = ok(&lab(&tiny_bench("cpu", h, s), &[]));
    assert!(other.contains("this is the first"), "{other}");
    assert!(!other.contains("| async"), "cpu runs no async:\n{other}");

    let hist_svg = dir.join("history.svg");
    let listed = ok(&lab(
        &[
            "history",
            "--history",
            h,
            "--workload",
            "io",
            "--svg",
            hist_svg.to_str().unwrap(),
        ],
        &[],
    ));
    assert!(
        listed.contains("2 run(s)") && listed.contains("| io"),
        "{listed}"
    );
    assert!(
        std::fs::read_to_string(&hist_svg)
            .unwrap()
            .contains("sequential")
    );
}

#[test]
fn no_history_touches_no_file() {
    let dir = common::scratch("cli-nohist");
    let history = dir.join("h.jsonl");
    let svg = dir.join("b.svg");
    let mut args = tiny_bench("cpu", history.to_str().unwrap(), svg.to_str().unwrap());
    args.push("--no-history");
    let out = ok(&lab(&args, &[]));
    assert!(!Path::new(&history).exists(), "{out}");
}

#[test]
fn python_missing_is_said_clearly() {
    let dir = common::scratch("cli-nopy");
    let svg = dir.join("b.svg");
    let base = [
        "bench",
        "--workload",
        "cpu",
        "--tasks",
        "4",
        "--workers",
        "2",
        "--no-history",
        "--svg",
        svg.to_str().unwrap(),
        "--python",
    ];
    let mut args = base.to_vec();
    args.extend(["--python-bin", "/nonexistent/python3"]);
    let out = ok(&lab(&args, &[]));
    assert!(
        out.contains("/nonexistent/python3 (--python-bin) could not be run"),
        "{out}"
    );
    assert!(out.contains("to compare with Python"), "{out}");
    let out = ok(&lab(&base, &[("PYTHON", "/nonexistent/python3")]));
    assert!(out.contains("($PYTHON) could not be run"), "{out}");
    // Without Python on PATH at all: the standard line.
    let out = ok(&lab(&base, &[("PATH", "/nonexistent")]));
    assert!(
        out.contains("python3 not found: install it to compare with Python"),
        "{out}"
    );
}

#[test]
fn python_side_by_side_when_present() {
    let Ok(python) = course_support::interpreter::find(None) else {
        eprintln!("no Python on PATH: skipping the side-by-side run");
        return;
    };
    let dir = common::scratch("cli-py");
    let svg = dir.join("b.svg");
    let out = ok(&lab(
        &[
            "bench",
            "--workload",
            "mixed",
            "--tasks",
            "8",
            "--workers",
            "2",
            "--numbers",
            "200",
            "--no-history",
            "--svg",
            svg.to_str().unwrap(),
            "--python",
        ],
        &[],
    ));
    assert!(out.contains("Python ms"), "{out}");
    // It names the interpreter, its build and its GIL, and says which rows it
    // skipped: free threads without a free-threaded build.
    assert!(out.contains(&python.describe()), "{out}");
    assert_eq!(
        out.contains("skipped: free threads (Python)"),
        !python.facts.free_threads().is_yes(),
        "{out}"
    );
    assert!(
        out.contains("equal to Rust's count"),
        "Python and Rust count the same primes:\n{out}"
    );
}

#[test]
fn advise_recommends_with_reasons() {
    let out = ok(&lab(
        &["advise", "--scenario", "image-batch", "--reference"],
        &[],
    ));
    assert!(out.contains("Recommendation: processes"), "{out}");
    assert!(
        out.contains("<- recommended") && out.contains("Why:"),
        "{out}"
    );
    let out = ok(&lab(
        &[
            "advise",
            "--cpu-share",
            "0.0005",
            "--task-ms",
            "20",
            "--tasks",
            "2000",
            "--reference",
        ],
        &[],
    ));
    assert!(out.contains("Recommendation: async"), "{out}");
    // 2% computing per task, but 5000 tasks: overlapped waits are short, the
    // computing adds up, and a hybrid puts it on every core.
    let out = ok(&lab(
        &[
            "advise",
            "--cpu-share",
            "0.02",
            "--task-ms",
            "20",
            "--tasks",
            "5000",
            "--reference",
        ],
        &[],
    ));
    assert!(
        out.contains("Recommendation: hybrid") && out.contains("the computing decides"),
        "{out}"
    );
    let out = ok(&lab(
        &[
            "advise",
            "--cpu-ms",
            "0.3",
            "--io-ms",
            "15",
            "--tasks",
            "300",
            "--max-concurrency",
            "10",
            "--reference",
        ],
        &[],
    ));
    assert!(out.contains("Recommendation: threads"), "{out}");
}

#[test]
fn isolated_mode_is_in_the_help_the_bench_and_the_assistant() {
    let help = ok(&lab(&["bench", "--help"], &[]));
    assert!(
        help.contains("isolated") && help.contains("InterpreterPoolExecutor"),
        "{help}"
    );
    for key in lab::modes::Mode::ALL.map(lab::modes::Mode::key) {
        assert!(help.contains(key), "--help names {key}:\n{help}");
    }
    let dir = common::scratch("cli-isolated");
    let svg = dir.join("b.svg");
    let out = ok(&lab(
        &[
            "bench",
            "--modes",
            "threads,isolated,processes",
            "--tasks",
            "12",
            "--workers",
            "2",
            "--numbers",
            "300",
            "--data-kb",
            "2",
            "--no-history",
            "--svg",
            svg.to_str().unwrap(),
        ],
        &[],
    ));
    assert!(
        out.contains("| isolated workers (share nothing)") && out.contains("identical"),
        "{out}"
    );
    assert!(
        out.contains("crossed as a copy") && out.contains("µs per task"),
        "{out}"
    );
    assert!(out.contains("read 2 KB of input"), "{out}");
    let out = ok(&lab(
        &["advise", "--scenario", "pure-python-cpu", "--reference"],
        &[],
    ));
    assert!(
        out.contains("Recommendation: subinterpreters") && out.contains("InterpreterPoolExecutor"),
        "{out}"
    );
    let out = ok(&lab(
        &[
            "advise",
            "--scenario",
            "pure-python-cpu",
            "--python",
            "gil",
            "--reference",
        ],
        &[],
    ));
    assert!(out.contains("Recommendation: processes"), "{out}");
}

#[test]
fn advise_check_prints_predicted_vs_measured() {
    let dir = common::scratch("cli-check");
    let svg = dir.join("check.svg");
    let out = ok(&lab(
        &[
            "advise",
            "--cpu-ms",
            "0.05",
            "--io-ms",
            "1",
            "--tasks",
            "1000",
            "--check",
            "--budget-ms",
            "20",
            "--svg",
            svg.to_str().unwrap(),
        ],
        &[],
    ));
    assert!(
        out.contains("predicted ms") && out.contains("measured ms"),
        "{out}"
    );
    assert!(out.contains("Largest error"), "{out}");
    assert!(std::fs::read_to_string(&svg).unwrap().contains("measured"));
}

#[test]
fn matrix_and_timeline() {
    let out = ok(&lab(&["matrix"], &[]));
    for s in [
        "Web scraping thousands of pages",
        "Machine learning training",
        "Real-time GUI",
    ] {
        assert!(out.contains(s), "{out}");
    }
    let dir = common::scratch("cli-timeline");
    let svg = dir.join("t.svg");
    let out = ok(&lab(
        &[
            "timeline",
            "--numbers",
            "20000",
            "--svg",
            svg.to_str().unwrap(),
        ],
        &[],
    ));
    assert!(out.contains("T1") && out.contains("P4"), "{out}");
    assert!(
        out.contains("T lanes") && out.contains("at most 1 running at once"),
        "{out}"
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("T1") && text.contains("P1"));
}

#[test]
fn bad_input_gets_a_clear_error() {
    for args in [
        &["bench", "--workers", "0"][..],
        &["bench", "--workload", "gpu"],
        &["bench", "--modes", "fibers"],
        &["bench", "--io-ms", "-1"],
        &["advise", "--cpu-share", "1.5", "--task-ms", "10"],
        &["advise", "--cpu-share", "0.5"],
        &["advise", "--scenario", "image-batch", "--cpu-ms", "3"],
        &["no-such-command"],
    ] {
        Cli::new(env!("CARGO_BIN_EXE_lab")).assert_usage_error(args);
    }
    for (args, says) in [
        (&["advise"][..], "describe the workload"),
        (
            &["advise", "--scenario", "moon-landing"],
            "unknown scenario",
        ),
        (&["advise", "--cpu-ms", "0", "--io-ms", "0"], "some time"),
    ] {
        Cli::new(env!("CARGO_BIN_EXE_lab")).assert_fails_with(args, says);
    }
}

//! The command line: every demo runs with small settings, mistakes get a
//! clear error, and nothing hangs.

use std::process::Output;

use course_support::testing::Cli;

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_lesson-08-async-fetch"))
}

fn run(args: &[&str]) -> Output {
    cli().run(args)
}

fn stdout_of(args: &[&str]) -> String {
    cli().stdout_of(args)
}

#[test]
fn gather_subcommand() {
    let text = stdout_of(&[
        "gather",
        "--requests",
        "4",
        "--latency-ms",
        "5",
        "--jitter-ms",
        "5",
    ]);
    assert!(text.contains("join_all"), "{text}");
    assert_eq!(text.matches("| 4/4").count(), 3, "{text}");
}

#[test]
fn the_per_request_limit_is_a_flag() {
    // Answers take 400 ms; a 30 ms limit fails every request, and says so.
    let text = stdout_of(&[
        "gather",
        "--requests",
        "3",
        "--latency-ms",
        "400",
        "--jitter-ms",
        "0",
        "--request-timeout-ms",
        "30",
    ]);
    assert_eq!(text.matches("| 0/3").count(), 3, "{text}");
    assert!(text.contains("timed out after 30 ms"), "{text}");
    for demo in ["bounded", "threads"] {
        let help = String::from_utf8_lossy(&run(&[demo, "--help"]).stdout).into_owned();
        assert!(help.contains("--request-timeout-ms"), "{demo}: {help}");
    }
}

#[test]
fn bounded_subcommand_shows_the_server_peak() {
    let text = stdout_of(&[
        "bounded",
        "--requests",
        "30",
        "--limit",
        "3",
        "--latency-ms",
        "5",
    ]);
    assert!(
        text.contains("Semaphore") && text.contains("buffer_unordered"),
        "{text}"
    );
    assert!(text.contains("| 30/30"), "{text}");
}

#[test]
fn timeouts_subcommand_reports_the_hang_and_the_timeouts() {
    let text = stdout_of(&[
        "timeouts",
        "--requests",
        "10",
        "--timeout-ms",
        "50",
        "--watch-ms",
        "100",
    ]);
    assert!(text.contains("still waiting"), "{text}");
    assert!(text.contains("tokio::time::timeout(50 ms)"), "{text}");
}

#[test]
fn retry_and_errors_subcommands() {
    let text = stdout_of(&["retry", "--requests", "3", "--base-ms", "1"]);
    assert!(text.contains("| 3/3"), "{text}");
    let text = stdout_of(&[
        "errors",
        "--requests",
        "20",
        "--timeout-ms",
        "50",
        "--latency-ms",
        "1",
    ]);
    assert!(text.contains("| ok"), "{text}");
}

#[test]
fn blocking_subcommand() {
    let text = stdout_of(&[
        "blocking",
        "--tasks",
        "3",
        "--sleep-ms",
        "10",
        "--cpu-ms",
        "20",
    ]);
    assert!(text.contains("std::thread::sleep"), "{text}");
    assert!(text.contains("spawn_blocking(work).await"), "{text}");
}

#[test]
fn threads_subcommand_runs_each_client_in_a_child() {
    let text = stdout_of(&["threads", "--levels", "5", "--latency-ms", "10"]);
    for label in ["OS thread per request", "tokio TcpStream", "reqwest"] {
        assert!(text.contains(label), "missing {label}: {text}");
    }
    assert_eq!(text.matches("| 5/5").count(), 3, "{text}");
}

#[test]
fn bench_subcommand_prints_the_ratio() {
    let text = stdout_of(&[
        "bench",
        "--requests",
        "200",
        "--concurrency",
        "20",
        "--latency-ms",
        "10",
        "--rounds",
        "1",
    ]);
    assert!(text.contains("of concurrency/latency"), "{text}");
    // Python with aiohttp, or one line saying how to get it.
    assert!(
        text.contains("asyncio + aiohttp")
            || text.contains("aiohttp not found")
            || text.contains("python3 not found"),
        "{text}"
    );
}

#[test]
fn a_closed_port_gives_a_report_not_a_hang() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/");
    let text = stdout_of(&["errors", "--url", &url, "--requests", "3"]);
    assert!(text.contains("| connect"), "{text}");
    assert!(text.contains("0 ok, 3 failed"), "{text}");
}

#[test]
#[cfg(not(feature = "tls"))]
fn https_without_tls_says_how_to_rebuild() {
    let out = run(&["gather", "--url", "https://example.com/"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--features tls"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        &["bounded", "--limit", "0"][..],
        &["timeouts", "--stall-rate", "1.5"],
        &["gather", "--requests", "ten"],
        &["threads", "--levels", "0"],
        &["no-such-demo"],
    ] {
        cli().assert_usage_error(args);
    }
}

#[test]
fn a_bad_url_is_a_clear_error() {
    let out = run(&["bounded", "--url", "not a url"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot fetch this URL"), "{err}");
}

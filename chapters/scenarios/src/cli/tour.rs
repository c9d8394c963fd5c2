//! The tour: each scenario with settings small enough for a debug build.

use anyhow::Result;
use course_support::tour;

use crate::{Cli, dispatch};

pub(crate) fn run() -> Result<()> {
    println!(
        "Three systems, three ways ({} cores here).",
        course_support::cores()
    );
    let sections: [(&str, &[&str]); 3] = [
        (
            "1. A web server",
            &[
                "web",
                "--levels",
                "10,100",
                "--cpu-levels",
                "10",
                "--ms",
                "300",
            ],
        ),
        (
            "2. Data collection",
            &[
                "collect",
                "--sensors",
                "200",
                "--for-ms",
                "1000",
                "--csv-mib",
                "20",
            ],
        ),
        (
            "3. Real-time",
            &[
                "realtime",
                "--clients",
                "200",
                "--messages",
                "10",
                "--frames",
                "30",
                "--work-ms",
                "200",
            ],
        ),
    ];
    for (title, args) in sections {
        tour::run_section("scenarios", title, args, |cli: Cli| {
            dispatch(cli.demo.expect("a scenario"))
        })?;
    }
    println!(
        "\nThe full runs: `cargo run --release -p scenarios -- web` (and `collect`, `realtime`)."
    );
    Ok(())
}

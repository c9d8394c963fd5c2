//! The guided tour: every demo with small defaults, in order.

use anyhow::Result;
use course_support::child::{ROLE_COMMAND, Spawner};
use course_support::{cores, tour};

use crate::{Cli, Demo, dispatch_with};

const CRATE: &str = "lesson-12-distributed";

pub(crate) fn run(spawner: &Spawner) -> Result<()> {
    println!(
        "Lesson 12: beyond one machine. This is pid {} on {} cores.\n\
         Each timely process below is this program started again:\n  {} {ROLE_COMMAND} timely --process I --ports P0,P1,... \n\
         and they talk TCP on 127.0.0.1, as they would between machines.",
        std::process::id(),
        cores(),
        spawner.program().display()
    );
    let sections: [(&str, &[&str]); 4] = [
        ("1. The prime count on every engine", &["primes"]),
        (
            "2. A word count: a shuffle of words between workers",
            &["words"],
        ),
        (
            "3. Few big tasks or many tiny ones: the cost of a task",
            &["overhead"],
        ),
        (
            "4. Kill a worker mid-job",
            &["kill-worker", "--limit", "4000000"],
        ),
    ];
    for (title, args) in sections {
        tour::run_section(CRATE, title, args, |cli: Cli| {
            dispatch_with(spawner, cli.demo.unwrap_or(Demo::Tour))
        })?;
    }
    println!(
        "\nEach section is a subcommand with flags (see --help). Everything at bench sizes, and the\n\
         model for 10 and 100 machines: cargo run --release -p {CRATE} -- bench"
    );
    Ok(())
}

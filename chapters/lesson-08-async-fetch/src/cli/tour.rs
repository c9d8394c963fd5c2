//! The guided tour: every demo with small defaults, in order.

use anyhow::Result;
use course_support::cores;
use course_support::tour;
use lesson_08_async_fetch::robust::Policy;
use lesson_08_async_fetch::server::ServerConfig;

use super::shared::RequestTimeout;

pub(crate) fn run() -> Result<()> {
    println!(
        "Lesson 08: asyncio in Rust, with tokio and reqwest ({} cores here)",
        cores()
    );
    println!("Every request goes to a server inside this program, on 127.0.0.1.");
    let rt = super::shared::runtime();
    tour::section("1. gather: everything at once, results in order");
    rt.block_on(super::gather::show(
        None,
        10,
        super::shared::ms(50),
        super::shared::ms(50),
        RequestTimeout::DEFAULT,
    ))?;
    tour::section("2. Bounded concurrency: at most 10 at once");
    rt.block_on(super::bounded::show(
        None,
        100,
        10,
        super::shared::ms(20),
        RequestTimeout::DEFAULT,
    ))?;
    tour::section("3. Timeouts against a server that never answers");
    rt.block_on(super::timeouts::show(
        None,
        10,
        0.3,
        super::shared::ms(200),
        super::shared::ms(500),
    ))?;
    tour::section("4. Retries with exponential backoff");
    rt.block_on(super::retry::show(None, 10, 2, 4, super::shared::ms(20)))?;
    tour::section("5. Errors collected into a report");
    let config = ServerConfig::default()
        .latency(super::shared::ms(20))
        .fail_rate(0.1)
        .stall_rate(0.05);
    let policy = Policy {
        limit: 20,
        timeout: super::shared::ms(300),
        backoff: super::shared::backoff(3, super::shared::ms(20)),
    };
    rt.block_on(super::errors::show(None, 100, config, policy))?;
    println!();
    rt.block_on(super::errors::show_refused(5, policy))?;
    drop(rt);
    tour::section("6. Blocking the event loop");
    super::blocking::show(10, super::shared::ms(50), super::shared::ms(200));
    tour::section("7. Threads vs async");
    super::threads::show(
        &[10, 100, 1_000],
        super::shared::ms(50),
        RequestTimeout::DEFAULT,
    )?;
    println!(
        "\n10,000 in flight: `threads`; the benchmark: `cargo run --release -p lesson-08-async-fetch -- bench`."
    );
    println!("Each demo is a subcommand with its own flags (see --help); most take --url URL.");
    Ok(())
}

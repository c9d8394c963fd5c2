//! One module per demo: its flags and what it prints.

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;

pub mod cancel;
pub mod cpu;
pub mod deadline;
pub mod mutex;
pub mod scope;
pub mod select;
pub mod shutdown;
pub mod timer;

/// A single-threaded runtime: asyncio's event loop.
pub fn event_loop() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// A multi-threaded runtime, as `#[tokio::main]` builds.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// A section heading of the tour.
pub fn heading(title: &str) {
    println!("\n== {title} ==\n");
}

/// Defaults of a demo's flags, as if given no flags.
fn defaults<T: Parser>() -> T {
    T::parse_from(["demo"])
}

/// Every demo with its defaults.
pub fn tour() -> Result<ExitCode> {
    println!("Lesson 10: cancellation and structured concurrency (`--help` lists the demos).");
    heading("1. asyncio.TaskGroup and JoinSet");
    scope::run(&defaults())?;
    heading("2. Timeouts and deadlines");
    deadline::run(&defaults())?;
    heading("3. Cancelling: abort, drop, shield");
    cancel::run()?;
    heading("4. select! and cancellation safety");
    select::run(&defaults())?;
    heading("5. A MutexGuard across .await");
    mutex::run(&defaults())?;
    heading("6. CPU work in async");
    cpu::run(&defaults())?;
    heading("7. Timer resolution");
    timer::run(&defaults())?;
    // Last: once tokio listens for Ctrl-C it keeps it for the life of the
    // process, so a real Ctrl-C here ends the tour with the demo's exit code.
    heading("8. Graceful shutdown (a simulated Ctrl-C)");
    shutdown::run(&defaults())
}

//! The hidden `child` subcommand: the client runs the demos start in processes of their own.

use std::net::SocketAddr;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use course_support::cores;
use lesson_08_async_fetch::scale::{Mode, run_mode, run_reqwest};

pub(crate) fn run(role: Role) -> Result<()> {
    // A parent killed before it could reap us must not leave us running.
    course_support::child::exit_when_orphaned();
    let runs = match role {
        Role::Scale {
            mode,
            addr,
            requests,
            timeout_ms,
        } => {
            let Some(mode) = Mode::from_name(&mode) else {
                bail!("unknown mode {mode}");
            };
            vec![run_mode(
                mode,
                addr,
                requests,
                super::shared::ms(timeout_ms),
                cores(),
            )]
        }
        Role::Bench {
            url,
            requests,
            concurrency,
            timeout_ms,
            rounds,
            threads,
        } => run_reqwest(
            &url,
            requests,
            concurrency,
            super::shared::ms(timeout_ms),
            threads,
            rounds,
        ),
    };
    for run in runs {
        println!(
            "{}",
            serde_json::to_string(&run).context("writing the result")?
        );
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub(crate) enum Role {
    /// One client run of threads vs async; prints one JSON line.
    Scale {
        #[arg(long)]
        mode: String,
        #[arg(long)]
        addr: SocketAddr,
        #[arg(long)]
        requests: usize,
        #[arg(long)]
        timeout_ms: u64,
    },
    /// The benchmark's Rust client; prints one JSON line.
    Bench {
        #[arg(long)]
        url: String,
        #[arg(long)]
        requests: usize,
        #[arg(long)]
        concurrency: usize,
        #[arg(long)]
        timeout_ms: u64,
        #[arg(long, default_value_t = 1)]
        rounds: usize,
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
}

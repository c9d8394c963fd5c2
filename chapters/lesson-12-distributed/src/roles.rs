//! The hidden `child` subcommand: one process of a timely cluster. The
//! lesson starts `lesson-12-distributed child timely --process I ...` once
//! per process; nobody types it by hand (on real machines, you would start
//! the same command on each host, with the hosts' addresses).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;

use crate::dataflow::{self, Job, Place};
use crate::jobs::prime_tasks;

/// The roles a child process can play.
#[derive(Debug, Clone, Subcommand)]
pub enum Role {
    /// One process of a timely cluster on loopback.
    Timely(TimelyArgs),
}

/// Where the process sits and which job it runs.
#[derive(Debug, Clone, clap::Args)]
pub struct TimelyArgs {
    /// This process's index
    #[arg(long)]
    pub process: usize,
    /// Worker threads per process
    #[arg(long)]
    pub threads: usize,
    /// The loopback port of every process, in order
    #[arg(long, value_delimiter = ',')]
    pub ports: Vec<u16>,
    /// The prime count below this limit...
    #[arg(long)]
    pub limit: Option<u64>,
    /// ... cut into this many tasks
    #[arg(long, default_value_t = 1)]
    pub tasks: usize,
    /// Or: the word count over the `part-*.txt` files in this folder
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// Plays `role`; returns the process's exit code.
pub fn run(role: Role) -> i32 {
    course_support::child::exit_when_orphaned();
    let result = match role {
        Role::Timely(a) => timely_role(&a),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("timely process pid {}: error: {e:#}", std::process::id());
            1
        }
    }
}

/// The files of a corpus folder, in order.
pub fn corpus_files(dir: &std::path::Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    Ok(files)
}

fn timely_role(a: &TimelyArgs) -> Result<()> {
    let job = match (&a.limit, &a.dir) {
        (Some(limit), None) => Job::Primes(prime_tasks(*limit, a.tasks)),
        (None, Some(dir)) => Job::Words(corpus_files(dir)?),
        _ => anyhow::bail!("give --limit (primes) or --dir (words)"),
    };
    let place = Place {
        threads: a.threads,
        process: a.process,
        addresses: a.ports.iter().map(|p| format!("127.0.0.1:{p}")).collect(),
    };
    let report = dataflow::run(&place, job, || {
        println!("running {}", std::process::id());
        let _ = std::io::stdout().flush();
    })?;
    println!("report {}", serde_json::to_string(&report)?);
    Ok(())
}

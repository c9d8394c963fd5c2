//! `realtime`: a WebSocket broadcast to thousands, and a frame loop's deadlines.

use std::time::Duration;

use anyhow::Result;
use course_support::child::Spawner;
use course_support::cli::{u64_in, usize_in};
use course_support::interpreter::PythonArgs;
use course_support::report::grouped;
use course_support::{table, tour};
use scenarios::load::{self, ms, percentile};
use scenarios::procs::{ServerProcess, listener};
use scenarios::python_side::PythonSide;
use scenarios::realtime::{FrameReport, Placement, calibrate, run_clients, run_placement};

#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Args {
    /// WebSocket clients, each a long-lived connection.
    #[arg(long, default_value_t = 2_000, value_parser = usize_in(1..=50_000))]
    pub(crate) clients: usize,
    /// Messages broadcast to all of them.
    #[arg(long, default_value_t = 20, value_parser = usize_in(1..=10_000))]
    pub(crate) messages: usize,
    /// One broadcast every this many ms.
    #[arg(long, default_value_t = 50, value_parser = u64_in(1..=10_000))]
    pub(crate) interval_ms: u64,
    /// Frames the frame loop draws.
    #[arg(long, default_value_t = 60, value_parser = u64_in(10..=100_000))]
    pub(crate) frames: u64,
    /// The frame deadline, ms.
    #[arg(long, default_value_t = 16, value_parser = u64_in(1..=1_000))]
    pub(crate) frame_ms: u64,
    /// How long the computation runs, ms (calibrated on this machine).
    #[arg(long, default_value_t = 400, value_parser = u64_in(1..=60_000))]
    pub(crate) work_ms: u64,
    /// Skip Python's rows.
    #[arg(long)]
    pub(crate) no_python: bool,
    #[command(flatten)]
    pub(crate) python: PythonArgs,
}

pub(crate) fn run(args: Args) -> Result<()> {
    if cfg!(debug_assertions) {
        println!("note: this is a debug build; measure with --release.");
    }
    let python = PythonSide::unless_skipped(args.no_python, args.python.python_bin.as_deref());
    tour::section("A WebSocket server broadcasting to long-lived connections");
    broadcast(&args, python.as_ref().ok())?;
    tour::section("A frame loop with a 16 ms deadline beside a long computation");
    frames(&args, python.as_ref().ok())?;
    if let Err(line) = &python {
        println!("{line}");
    }
    Ok(())
}

fn broadcast(args: &Args, python: Option<&PythonSide>) -> Result<()> {
    let soft = course_support::system::nofile_limits().map_or(u64::MAX, |(s, _)| s);
    let clients = if args.clients as u64 + 64 > soft {
        let capped = (soft.saturating_sub(64)) as usize;
        println!("capped at {capped} clients: this process may open {soft} files");
        capped
    } else {
        args.clients
    };
    println!(
        "{} clients in this process (tokio-tungstenite); the server, a child process, sends {} messages, \
         one every {} ms, to all of them once all are connected. Latency: send to receipt; memory: \
         the server's PSS with all connected minus before any connected.",
        grouped(clients),
        args.messages,
        args.interval_ms
    );
    let spawner = Spawner::current_exe()?;
    let (c, m, i) = (
        clients.to_string(),
        args.messages.to_string(),
        args.interval_ms.to_string(),
    );
    let mut runs = vec![(
        "Rust: tokio-tungstenite".to_owned(),
        spawner.command(
            "ws-server",
            ["--clients", &c, "--messages", &m, "--interval-ms", &i],
        ),
    )];
    let mut notes = Vec::new();
    if let Some(py) = python {
        match py.require("websockets") {
            Ok(()) => {
                let mut cmd = py.command();
                cmd.arg(py.script("ws_server.py")).args([
                    "--fd",
                    "3",
                    "--clients",
                    &c,
                    "--messages",
                    &m,
                    "--interval-ms",
                    &i,
                ]);
                runs.push((format!("{}: websockets", py.label()), cmd));
            }
            Err(line) => notes.push(line),
        }
    }
    let rt = load::runtime();
    let mut t = table([
        "server",
        "connected",
        "got every message",
        "p50 ms",
        "p99 ms",
        "KiB per connection",
    ]);
    for (label, mut cmd) in runs {
        let l = listener()?;
        let mut server = ServerProcess::spawn_reporting(&label, &mut cmd, &l)?;
        drop(l);
        std::thread::sleep(Duration::from_millis(300)); // let it start before measuring its memory
        let idle = server.memory_kib();
        let mut connected_mem = None;
        let r = rt.block_on(run_clients(server.addr, clients, args.messages, || {
            connected_mem = server.memory_kib();
        }));
        let _ = server.wait_output(Duration::from_secs(30));
        let per_conn = match (idle, connected_mem) {
            (Some(a), Some(b)) if r.connected > 0 => {
                format!("{:.1}", b.saturating_sub(a) as f64 / r.connected as f64)
            }
            _ => "-".to_owned(),
        };
        t.add_row([
            label.clone(),
            format!("{}/{}", grouped(r.connected), grouped(r.clients)),
            format!("{}/{}", grouped(r.complete), grouped(r.clients)),
            ms(percentile(&r.latencies_us, 50.0)),
            ms(percentile(&r.latencies_us, 99.0)),
            per_conn,
        ]);
        if let Some(e) = r.first_error {
            notes.push(format!("{label}: first error: {e}"));
        }
    }
    println!("{t}");
    for n in notes {
        println!("{n}");
    }
    Ok(())
}

fn frames(args: &Args, python: Option<&PythonSide>) -> Result<()> {
    let frame = Duration::from_millis(args.frame_ms);
    let n = calibrate(args.work_ms as f64);
    println!(
        "{} frames, one due every {} ms; at frame 3 the loop starts counting the primes below {} \
         (calibrated to about {} ms here).",
        args.frames,
        args.frame_ms,
        grouped(n),
        args.work_ms
    );
    let spawner = Spawner::current_exe()?;
    let mut rows: Vec<(String, FrameReport)> = Vec::new();
    for p in Placement::ALL {
        rows.push((
            format!("Rust: {}", p.label()),
            run_placement(p, args.frames, frame, n, &spawner)?,
        ));
    }
    if let Some(py) = python {
        let out = py
            .command()
            .arg(py.script("frame_loop.py"))
            .args([
                "--json",
                &args.frames.to_string(),
                &args.frame_ms.to_string(),
                &args.work_ms.to_string(),
            ])
            .stderr(std::process::Stdio::inherit())
            .output()?;
        for line in String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with('{'))
        {
            #[derive(serde::Deserialize)]
            struct Row {
                placement: String,
                report: FrameReport,
            }
            let row: Row = serde_json::from_str(line)?;
            rows.push((format!("{}: {}", py.label(), row.placement), row.report));
        }
    }
    let mut t = table([
        "computation runs",
        "frames",
        "missed",
        "worst late ms",
        "answer after ms",
    ]);
    for (label, r) in rows {
        t.add_row([
            label,
            grouped(r.frames),
            grouped(r.missed),
            format!("{:.1}", r.worst_late_ms),
            r.answer_ms
                .map_or("not in time".to_owned(), |a| format!("{a:.0}")),
        ]);
    }
    println!("{t}");
    Ok(())
}

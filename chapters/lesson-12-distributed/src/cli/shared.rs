//! What several demos share: the cluster shapes to run, the Python flags,
//! and the one results table.

use std::time::Duration;

use course_support::cli::usize_in;
use course_support::interpreter::{self, Interpreter, PythonArgs};
use course_support::report::grouped;
use course_support::{ratio, table};
use lesson_12_distributed::cluster::{ClusterRun, Shape};

/// Far longer than any run here needs: only a hang reaches it.
pub(crate) const CLUSTER_LIMIT: Duration = Duration::from_secs(120);

/// Which timely clusters to run: every processes x threads combination.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Shapes {
    /// Worker processes of the timely cluster (each a copy of this program)
    #[arg(long, value_delimiter = ',', default_values_t = [1, 2], value_parser = usize_in(1..=8))]
    pub(crate) processes: Vec<usize>,
    /// Worker threads in each process
    #[arg(long, value_delimiter = ',', default_values_t = [1, 2], value_parser = usize_in(1..=8))]
    pub(crate) threads: Vec<usize>,
}

impl Shapes {
    pub(crate) fn all(&self) -> Vec<Shape> {
        let mut v = Vec::new();
        for &processes in &self.processes {
            for &threads in &self.threads {
                v.push(Shape { processes, threads });
            }
        }
        v
    }
}

/// The Python side's flags.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct PythonSide {
    /// Skip the Python side (ProcessPoolExecutor and dask)
    #[arg(long)]
    pub(crate) no_python: bool,
    #[command(flatten)]
    pub(crate) python: PythonArgs,
}

impl PythonSide {
    /// The interpreter, announced, unless skipped or missing.
    pub(crate) fn find(&self) -> Option<Interpreter> {
        if self.no_python {
            println!("Python side skipped (--no-python).");
            return None;
        }
        interpreter::announce(self.python.python_bin.as_deref())
    }
}

/// One row of a results table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub(crate) engine: String,
    pub(crate) place: String,
    pub(crate) workers: usize,
    pub(crate) start_ms: Option<f64>,
    pub(crate) job_ms: f64,
    pub(crate) bytes: Option<u64>,
    pub(crate) messages: Option<u64>,
    pub(crate) right: bool,
}

impl Line {
    pub(crate) fn local(engine: &str, workers: usize, ms: f64, right: bool) -> Self {
        Self {
            engine: engine.to_owned(),
            place: "1 process".into(),
            workers,
            start_ms: None,
            job_ms: ms,
            bytes: None,
            messages: None,
            right,
        }
    }

    pub(crate) fn timely(run: &ClusterRun, right: bool) -> Self {
        Self {
            engine: "timely".into(),
            place: run.shape.label(),
            workers: run.shape.workers(),
            start_ms: Some(run.connect.as_secs_f64() * 1e3),
            job_ms: run.job_ms,
            bytes: Some(run.bytes_sent),
            messages: Some(run.messages_sent),
            right,
        }
    }

    /// Start-up plus job: what a user waits for.
    pub(crate) fn total_ms(&self) -> f64 {
        self.job_ms + self.start_ms.unwrap_or(0.0)
    }
}

/// The table: speed-ups against `lines[0]` (the plain loop).
pub(crate) fn print_lines(lines: &[Line]) {
    let base = lines.first().map_or(1.0, |l| l.job_ms);
    let mut t = table([
        "engine",
        "where",
        "workers",
        "start-up ms",
        "job ms",
        "job speed-up",
        "with start-up",
        "bytes sent",
        "messages",
        "answer",
    ]);
    for l in lines {
        let dash = || "-".to_owned();
        t.add_row([
            l.engine.clone(),
            l.place.clone(),
            l.workers.to_string(),
            l.start_ms.map_or_else(dash, |ms| format!("{ms:.0}")),
            format!("{:.1}", l.job_ms),
            ratio(base, l.job_ms),
            ratio(base, l.total_ms()),
            l.bytes.map_or_else(dash, grouped),
            l.messages.map_or_else(dash, grouped),
            if l.right {
                "same".into()
            } else {
                "DIFFERENT".into()
            },
        ]);
    }
    println!("{t}");
}

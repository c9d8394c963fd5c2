//! Worker processes that stay up for many rounds, talked to through their
//! stdin and stdout.
//!
//! Every worker is this program started again with a role
//! (`lesson-06-shared-memory child worker --mode shm --segment /l06-... --band 1 --bands 2`).
//! It answers `ready` once it is set up, then reads one command per line on
//! stdin, does it, and answers on stdout. The pipes carry the
//! *synchronisation* in every mode: the parent blocks in a read until the
//! worker writes, with no spinning. What differs is where the numbers go:
//!
//! - [`Mode::Shm`]: nowhere. The command is `scale 2`; the worker multiplies
//!   its band of the shared matrix in place and answers `done`.
//! - [`Mode::PipeRaw`]: the band's bytes go to the worker and come back, as
//!   they are in memory (no encoding): the cheapest possible copy.
//! - [`Mode::PipeJson`]: the band goes as JSON text and comes back as JSON
//!   text: encoding and parsing, the way `pickle` works for Python objects.
//!
//! A worker that dies (a panic, a signal) closes its pipes, so the parent's
//! read returns end-of-file at once and the parent reports the worker's exit
//! status and last words instead of waiting. A worker that hangs is killed
//! by a [`Watchdog`] at the deadline, which closes its pipes the same way.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{ChildStdin, ChildStdout, ExitStatus, Stdio};
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use clap::ValueEnum;
use course_support::child::{ChildGuard, Spawner, Watchdog, describe, exit_when_orphaned};

use crate::interrupt;
use crate::matrix::{self, MAX_BANDS, SharedMatrix, band};

/// Where the numbers travel during a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// In place, in a shared segment: no bytes of data through any pipe.
    Shm,
    /// Raw f64 bytes through the workers' pipes, both ways.
    PipeRaw,
    /// JSON text through the workers' pipes, both ways.
    PipeJson,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::Shm => "shared memory, in place",
            Mode::PipeRaw => "pipe, raw f64 bytes",
            Mode::PipeJson => "pipe, JSON text",
        }
    }

    fn arg(self) -> &'static str {
        match self {
            Mode::Shm => "shm",
            Mode::PipeRaw => "pipe-raw",
            Mode::PipeJson => "pipe-json",
        }
    }
}

/// A worker told to panic after it has transformed this many rows of its
/// band (in the first round), to show what a crash leaves behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PanicAt {
    pub band: usize,
    pub after_rows: usize,
}

/// What the parent reports when a worker fails: which one, how it ended and
/// what it said on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerFailed {
    pub index: usize,
    pub pid: u32,
    /// What the parent saw: "closed its stdout", ...
    pub what: String,
    /// `describe(status)`, or "still running" if it had to be killed.
    pub ended: String,
    /// The first line of its panic message (or of its stderr).
    pub last_words: String,
}

impl fmt::Display for WorkerFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "worker {} (pid {}) {}; it ended with {}",
            self.index, self.pid, self.what, self.ended
        )?;
        if !self.last_words.is_empty() {
            write!(f, ": {}", self.last_words)?;
        }
        Ok(())
    }
}

impl std::error::Error for WorkerFailed {}

/// One worker process and the parent's ends of its pipes.
#[derive(Debug)]
struct Worker {
    guard: ChildGuard,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    stderr: Option<JoinHandle<String>>,
    line: String,
}

impl Worker {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.stdin {
            Some(stdin) => stdin.write_all(bytes),
            None => Err(io::Error::other("its stdin is already closed")),
        }
    }

    /// Reads one line (without the newline); end-of-file is an error.
    fn read_line(&mut self) -> io::Result<&str> {
        self.line.clear();
        if self.stdout.read_line(&mut self.line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "closed its stdout",
            ));
        }
        Ok(self.line.trim_end())
    }

    fn expect(&mut self, want: &str) -> io::Result<()> {
        let got = self.read_line()?;
        if got == want {
            Ok(())
        } else {
            Err(io::Error::other(format!(
                "answered {got:?} instead of {want:?}"
            )))
        }
    }
}

/// A set of worker processes: all killed and reaped when dropped.
#[derive(Debug)]
pub struct Workers {
    // Declared first, so it is disarmed before the guards reap the children.
    watchdog: Option<Watchdog>,
    list: Vec<Worker>,
}

/// How long a worker may take to start and say `ready`.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);

impl Workers {
    // ANCHOR: start
    /// Starts one `role` child per entry of `args`, with piped stdin, stdout
    /// and stderr, and waits until each says `ready`. Every child is killed
    /// if the set still exists after `deadline`.
    pub fn start(
        spawner: &Spawner,
        role: &str,
        args: Vec<Vec<String>>,
        deadline: Duration,
    ) -> Result<Workers> {
        let mut list = Vec::with_capacity(args.len());
        for worker_args in args {
            let mut cmd = spawner.command(role, worker_args);
            cmd.stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .env("RUST_BACKTRACE", "0");
            let mut guard = ChildGuard::spawn(&mut cmd).context("starting a worker process")?;
            let child = guard.child_mut();
            let (stdin, stdout, stderr) =
                (child.stdin.take(), child.stdout.take(), child.stderr.take());
            let (Some(stdin), Some(stdout), Some(mut stderr)) = (stdin, stdout, stderr) else {
                bail!("a worker's pipes are missing");
            };
            // Drain stderr on a thread, so a chatty child never blocks on it
            // and its last words are there to report when it dies.
            let stderr = thread::spawn(move || {
                let mut text = String::new();
                let _ = stderr.read_to_string(&mut text);
                text
            });
            list.push(Worker {
                guard,
                stdin: Some(stdin),
                stdout: BufReader::with_capacity(1 << 16, stdout),
                stderr: Some(stderr),
                line: String::new(),
            });
        }
        let pids = list.iter().map(|w| w.guard.id()).collect();
        let mut workers = Workers {
            watchdog: Some(Watchdog::start(pids, deadline.max(START_TIMEOUT))),
            list,
        };
        for i in 0..workers.len() {
            if let Err(e) = workers.list[i].expect("ready") {
                return Err(workers.failed(i, e));
            }
        }
        Ok(workers)
    }
    // ANCHOR_END: start

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Their pids, in order.
    pub fn pids(&self) -> Vec<u32> {
        self.list.iter().map(|w| w.guard.id()).collect()
    }

    /// Sends `line` to every worker.
    pub fn send_all(&mut self, line: &str) -> Result<()> {
        let line = format!("{line}\n");
        for i in 0..self.len() {
            if let Err(e) = self.list[i].send(line.as_bytes()) {
                return Err(self.failed(i, e));
            }
        }
        Ok(())
    }

    /// Waits for every worker to answer `want`, in order.
    pub fn expect_all(&mut self, want: &str) -> Result<()> {
        for i in 0..self.len() {
            if let Err(e) = self.list[i].expect(want) {
                return Err(self.failed(i, e));
            }
        }
        interrupt::check()?;
        Ok(())
    }

    /// Reads one line from each worker, in order, whatever it says.
    pub fn read_each(&mut self) -> Vec<io::Result<String>> {
        self.list
            .iter_mut()
            .map(|w| w.read_line().map(str::to_owned))
            .collect()
    }

    /// Closes every worker's stdin (each then reads end-of-file and exits)
    /// and reaps them all; returns how each ended.
    pub fn close(mut self) -> Result<Vec<ExitStatus>> {
        for w in &mut self.list {
            drop(w.stdin.take());
        }
        // Disarm the watchdog before reaping: a reaped pid may be reused.
        drop(self.watchdog.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut statuses = Vec::with_capacity(self.len());
        for w in &mut self.list {
            let left = deadline.saturating_duration_since(Instant::now());
            let status = match w.guard.wait_timeout(left)? {
                Some(status) => status,
                None => w.guard.kill()?,
            };
            statuses.push(status);
        }
        Ok(statuses)
    }

    /// Turns an I/O failure with worker `i` into a [`WorkerFailed`] with its
    /// exit status and stderr (or `Interrupted` after Ctrl-C).
    fn failed(&mut self, i: usize, e: io::Error) -> anyhow::Error {
        if interrupt::interrupted() {
            return interrupt::Interrupted.into();
        }
        drop(self.watchdog.take());
        let w = &mut self.list[i];
        drop(w.stdin.take());
        let status = match w.guard.wait_timeout(Duration::from_secs(5)) {
            Ok(Some(status)) => describe(status),
            _ => match w.guard.kill() {
                Ok(status) => format!("{} (killed by us: it was still running)", describe(status)),
                Err(_) => "an unknown status".to_owned(),
            },
        };
        let stderr = w
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        WorkerFailed {
            index: i,
            pid: w.guard.id(),
            what: e.to_string(),
            ended: status,
            last_words: summarize_stderr(&stderr),
        }
        .into()
    }
}

/// For a panic: `panicked: <message>`; otherwise the first line of stderr.
pub fn summarize_stderr(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    match lines.next() {
        // `thread 'main' (pid) panicked at src/x.rs:1:2:` then the message.
        Some(first) if first.contains("panicked at") => match lines.next() {
            Some(message) => format!("panicked: {message}"),
            None => first.to_owned(),
        },
        Some(first) => first.to_owned(),
        None => String::new(),
    }
}

fn common_args(
    mode: Mode,
    band: usize,
    bands: usize,
    cols: usize,
    panic: Option<PanicAt>,
) -> Vec<String> {
    let mut args = vec![
        "--cols".to_owned(),
        cols.to_string(),
        "--mode".to_owned(),
        mode.arg().to_owned(),
        "--band".to_owned(),
        band.to_string(),
        "--bands".to_owned(),
        bands.to_string(),
    ];
    if let Some(p) = panic.filter(|p| p.band == band) {
        args.push("--panic-after-rows".to_owned());
        args.push(p.after_rows.to_string());
    }
    args
}

fn check_workers(workers: usize, rows: usize) -> Result<()> {
    ensure!(workers >= 1, "at least one worker");
    ensure!(
        workers <= rows.min(MAX_BANDS),
        "{workers} workers for {rows} rows: at most one worker per row and {MAX_BANDS} in all"
    );
    Ok(())
}

// ANCHOR: shm_pool
/// Workers that transform a [`SharedMatrix`] in place. The pool borrows the
/// matrix mutably for as long as it lives, so the parent cannot read or
/// write the numbers while workers might be writing them: the compiler
/// enforces the parent's half of the protocol.
#[derive(Debug)]
pub struct ShmPool<'m> {
    matrix: &'m mut SharedMatrix,
    workers: Workers,
    rounds: u64,
}

impl<'m> ShmPool<'m> {
    /// Starts `n` workers, each of which opens the matrix by its name and
    /// maps it before it says `ready`.
    pub fn start(
        spawner: &Spawner,
        matrix: &'m mut SharedMatrix,
        n: usize,
        panic: Option<PanicAt>,
        deadline: Duration,
    ) -> Result<Self> {
        check_workers(n, matrix.rows())?;
        let args = (0..n)
            .map(|i| {
                let mut a = common_args(Mode::Shm, i, n, matrix.cols(), panic);
                a.extend(["--segment".to_owned(), matrix.name().to_owned()]);
                a
            })
            .collect();
        let workers = Workers::start(spawner, "worker", args, deadline)?;
        let rounds = matrix.header().bands_done.load(Ordering::Acquire) / n as u64;
        Ok(ShmPool {
            matrix,
            workers,
            rounds,
        })
    }

    /// One round: every worker multiplies its band by `factor`, in place.
    /// Nothing but `scale <factor>` and `done` goes through the pipes.
    pub fn round(&mut self, factor: f64) -> Result<()> {
        self.workers.send_all(&format!("scale {factor}"))?;
        self.workers.expect_all("done")?;
        self.rounds += 1;
        // Acquire pairs with each worker's Release: their writes are ours now.
        let done = self.matrix.header().bands_done.load(Ordering::Acquire);
        let want = self.rounds * self.workers.len() as u64;
        ensure!(done == want, "{done} bands reported done, expected {want}");
        Ok(())
    }
    // ANCHOR_END: shm_pool

    /// The matrix, between rounds.
    pub fn matrix(&self) -> &SharedMatrix {
        self.matrix
    }

    /// Removes the segment's name now that every worker has mapped it.
    pub fn unlink_name(&mut self) -> Result<()> {
        self.matrix.segment_mut().unlink_now()
    }

    pub fn pids(&self) -> Vec<u32> {
        self.workers.pids()
    }

    /// Lets the workers exit and reaps them.
    pub fn close(self) -> Result<Vec<ExitStatus>> {
        self.workers.close()
    }
}

/// Workers that get their band through a pipe and send it back.
#[derive(Debug)]
pub struct PipePool {
    workers: Workers,
    mode: Mode,
    rows: usize,
    cols: usize,
    /// Where each worker's answer lands before it replaces the band.
    replies: Vec<Vec<f64>>,
    /// Bytes through the pipes in the last round, both directions.
    pub last_round_bytes: u64,
}

impl PipePool {
    /// Starts `n` workers for a `rows x cols` matrix (`Mode::PipeRaw` or
    /// `Mode::PipeJson`).
    pub fn start(
        spawner: &Spawner,
        mode: Mode,
        rows: usize,
        cols: usize,
        n: usize,
        panic: Option<PanicAt>,
        deadline: Duration,
    ) -> Result<Self> {
        ensure!(mode != Mode::Shm, "use ShmPool for shared memory");
        check_workers(n, rows)?;
        let args = (0..n)
            .map(|i| common_args(mode, i, n, cols, panic))
            .collect();
        let workers = Workers::start(spawner, "worker", args, deadline)?;
        let replies = (0..n)
            .map(|i| vec![0.0; band(rows, i, n).len() * cols])
            .collect();
        Ok(PipePool {
            workers,
            mode,
            rows,
            cols,
            replies,
            last_round_bytes: 0,
        })
    }

    // ANCHOR: pipe_round
    /// One round: each band of `data` goes to its worker, which multiplies
    /// it by `factor` and sends it back; one thread per worker, so the
    /// workers run at the same time. A band is replaced only by a complete
    /// answer: a worker that dies leaves `data` as it was.
    pub fn round(&mut self, data: &mut [f64], factor: f64) -> Result<()> {
        ensure!(data.len() == self.rows * self.cols, "wrong matrix size");
        let n = self.workers.len();
        let (mode, rows, cols) = (self.mode, self.rows, self.cols);
        let results: Vec<io::Result<u64>> = thread::scope(|s| {
            let mut rest = &mut *data;
            let mut handles = Vec::with_capacity(n);
            for (i, (worker, reply)) in self
                .workers
                .list
                .iter_mut()
                .zip(&mut self.replies)
                .enumerate()
            {
                let (mine, tail) = rest.split_at_mut(band(rows, i, n).len() * cols);
                rest = tail;
                handles.push(s.spawn(move || match mode {
                    Mode::PipeRaw => raw_exchange(worker, mine, reply, factor),
                    _ => json_exchange(worker, mine, reply, factor),
                }));
            }
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(io::Error::other("panicked")))
                })
                .collect()
        });
        let mut bytes = 0;
        for (i, r) in results.into_iter().enumerate() {
            match r {
                Ok(b) => bytes += b,
                Err(e) => return Err(self.workers.failed(i, e)),
            }
        }
        self.last_round_bytes = bytes;
        interrupt::check()?;
        // Every worker answered in full: now replace the bands.
        let mut rest = &mut *data;
        for reply in &self.replies {
            let (mine, tail) = rest.split_at_mut(reply.len());
            mine.copy_from_slice(reply);
            rest = tail;
        }
        Ok(())
    }
    // ANCHOR_END: pipe_round

    pub fn pids(&self) -> Vec<u32> {
        self.workers.pids()
    }

    pub fn close(self) -> Result<Vec<ExitStatus>> {
        self.workers.close()
    }
}

// ANCHOR: raw_exchange
/// Sends `band` as its raw bytes and reads the answer into `reply`.
fn raw_exchange(w: &mut Worker, band: &[f64], reply: &mut [f64], factor: f64) -> io::Result<u64> {
    w.send(format!("scale {factor} {}\n", band.len()).as_bytes())?;
    w.send(as_bytes(band))?;
    w.stdout.read_exact(as_bytes_mut(reply)).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            io::Error::new(e.kind(), "closed its stdout before answering in full")
        } else {
            e
        }
    })?;
    Ok(2 * size_of_val(band) as u64)
}
// ANCHOR_END: raw_exchange

// ANCHOR: json_exchange
/// Sends `band` as a line of JSON and parses the line that comes back.
fn json_exchange(w: &mut Worker, band: &[f64], reply: &mut [f64], factor: f64) -> io::Result<u64> {
    let mut text = serde_json::to_string(band)?;
    text.push('\n');
    w.send(format!("scale {factor}\n").as_bytes())?;
    w.send(text.as_bytes())?;
    let answer = w.read_line()?;
    let sent_and_received = (text.len() + answer.len() + 1) as u64;
    let numbers: Vec<f64> = serde_json::from_str(answer)?;
    if numbers.len() != reply.len() {
        return Err(io::Error::other("answered with the wrong number of values"));
    }
    reply.copy_from_slice(&numbers);
    Ok(sent_and_received)
}
// ANCHOR_END: json_exchange

/// The bytes of some `f64`s, as they are in memory.
pub fn as_bytes(xs: &[f64]) -> &[u8] {
    // SAFETY: f64 has no padding and u8 has alignment 1; same memory, same lifetime.
    unsafe { std::slice::from_raw_parts(xs.as_ptr().cast::<u8>(), size_of_val(xs)) }
}

/// The bytes of some `f64`s, to overwrite them: every bit pattern is an f64.
pub fn as_bytes_mut(xs: &mut [f64]) -> &mut [u8] {
    let len = size_of_val(xs);
    // SAFETY: as above, and any bytes written make valid f64s.
    unsafe { std::slice::from_raw_parts_mut(xs.as_mut_ptr().cast::<u8>(), len) }
}

// ANCHOR: worker_role
/// Role `worker`: set up, say `ready`, then serve one command per line on
/// stdin until it closes.
pub fn worker_role(
    mode: Mode,
    segment: Option<&str>,
    index: usize,
    bands: usize,
    cols: usize,
    panic_after_rows: Option<usize>,
) -> Result<()> {
    exit_when_orphaned();
    ensure!(
        cols > 0 && index < bands && bands <= MAX_BANDS,
        "bad band or width"
    );
    let mut input = io::stdin().lock();
    let mut output = io::stdout().lock();
    let mut line = String::new();
    let mut first_round = true;
    let mut panic_now = |xs: &mut [f64], cols: usize, factor: f64| {
        if let Some(rows) = panic_after_rows.filter(|_| first_round) {
            let rows = rows.min(xs.len() / cols);
            matrix::scale(&mut xs[..rows * cols], factor);
            panic!("worker {index} panics after {rows} rows, as told");
        }
        first_round = false;
    };
    match mode {
        Mode::Shm => {
            let name = segment.ok_or_else(|| anyhow!("--segment is required with --mode shm"))?;
            // SAFETY: we write only our band, and only between a `scale`
            // command and our `done`; the parent reads only after `done`.
            let mut m = unsafe { SharedMatrix::open(name)? };
            ensure!(
                bands <= m.rows() && cols == m.cols(),
                "the matrix is not the one we were told"
            );
            let rows = band(m.rows(), index, bands);
            writeln!(output, "ready")?;
            output.flush()?;
            while read_command(&mut input, &mut line)? {
                let factor = parse_scale(&line)?.0;
                let mine = m.rows_mut(rows.clone());
                panic_now(mine, cols, factor);
                matrix::scale(mine, factor);
                matrix::report_band_done(m.header(), index, std::process::id());
                writeln!(output, "done")?;
                output.flush()?;
            }
        }
        Mode::PipeRaw | Mode::PipeJson => {
            writeln!(output, "ready")?;
            output.flush()?;
            let mut xs: Vec<f64> = Vec::new();
            while read_command(&mut input, &mut line)? {
                let (factor, count) = parse_scale(&line)?;
                if mode == Mode::PipeRaw {
                    xs.resize(count.ok_or_else(|| anyhow!("raw mode needs a count"))?, 0.0);
                    input.read_exact(as_bytes_mut(&mut xs))?;
                } else {
                    ensure!(
                        read_command(&mut input, &mut line)?,
                        "no JSON after the command"
                    );
                    xs = serde_json::from_str(&line).context("parsing the band")?;
                }
                panic_now(&mut xs, cols, factor);
                matrix::scale(&mut xs, factor);
                if mode == Mode::PipeRaw {
                    output.write_all(as_bytes(&xs))?;
                } else {
                    serde_json::to_writer(&mut output, &xs)?;
                    output.write_all(b"\n")?;
                }
                output.flush()?;
            }
        }
    }
    Ok(())
}
// ANCHOR_END: worker_role

/// Reads one line into `line`; `false` at end of input.
fn read_command(input: &mut impl BufRead, line: &mut String) -> Result<bool> {
    line.clear();
    Ok(input.read_line(line)? > 0)
}

/// `scale <factor> [<count>]`.
fn parse_scale(line: &str) -> Result<(f64, Option<usize>)> {
    let mut words = line.split_whitespace();
    ensure!(words.next() == Some("scale"), "unknown command {line:?}");
    let factor = words
        .next()
        .ok_or_else(|| anyhow!("scale needs a factor"))?
        .parse()?;
    let count = words.next().map(str::parse).transpose()?;
    Ok((factor, count))
}

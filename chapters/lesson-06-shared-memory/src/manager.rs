//! `multiprocessing.Manager()`: a server process that owns a dict and a
//! list, and proxies in other processes that ask it for every read and write.
//!
//! Python's `Manager()` starts a process that holds the real objects;
//! `m.dict()` hands back a *proxy*, and every `d[k]`, `d[k] = v`, `l.append(x)`
//! is a message to that process and an answer back over a socket. Here the
//! same thing is built from a Unix socket and a line protocol:
//!
//! - [`Store`]: the server's dict (`String -> i64`) and list (`Vec<i64>`),
//!   behind one `Mutex`; [`handle`] applies one request line to it;
//! - the `manager` role ([`server_role`]): binds the socket, says `ready`,
//!   serves each connection on a thread of its own (as Python's manager does)
//!   until its stdin closes;
//! - [`Manager`]: the parent's handle: starts the server, owns the socket's
//!   path and removes it, kills the server when dropped;
//! - [`Proxy`]: one connection; each method is one round trip.
//!
//! The questions a Manager raises, each answered by a run:
//! every call is a round trip ([`round_trip`]); `d[k] += 1` is a `get` and
//! then a `set`, two calls, so increments from several processes get lost,
//! while an `incr` done by the server under its lock is exact ([`count`]);
//! and when the manager dies, every proxy's next call fails at once with an
//! error saying so ([`manager_dies`]), instead of waiting forever.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use clap::ValueEnum;
use course_support::child::{ChildGuard, Signal, Spawner, describe, exit_when_orphaned, signal};

use crate::workers::Workers;

/// What the server owns: Python's `m.dict()` and `m.list()`.
#[derive(Debug, Default)]
pub struct Store {
    pub dict: HashMap<String, i64>,
    pub list: Vec<i64>,
}

// ANCHOR: handle
/// Applies one request to the store and returns the answer line:
/// `get K`, `set K V`, `incr K N` (server-side, so indivisible),
/// `append V`, `len`. Answers are `ok [VALUE]` or `err WHY`.
pub fn handle(store: &Mutex<Store>, request: &str) -> String {
    let mut s = store.lock().unwrap_or_else(|p| p.into_inner());
    let words: Vec<&str> = request.split_whitespace().collect();
    let num = |w: &str| {
        w.parse::<i64>()
            .map_err(|_| format!("err not a number: {w}"))
    };
    let answer = match words.as_slice() {
        ["get", k] => match s.dict.get(*k) {
            Some(v) => Ok(format!("ok {v}")),
            None => Err(format!("err KeyError: {k}")),
        },
        ["set", k, v] => num(v).map(|v| {
            s.dict.insert((*k).to_owned(), v);
            "ok".to_owned()
        }),
        ["incr", k, n] => num(n).map(|n| {
            let v = s.dict.entry((*k).to_owned()).or_insert(0);
            *v += n; // read and write under one lock: nothing lost
            format!("ok {v}")
        }),
        ["append", v] => num(v).map(|v| {
            s.list.push(v);
            format!("ok {}", s.list.len())
        }),
        ["len"] => Ok(format!("ok {}", s.list.len())),
        _ => Err(format!("err unknown request: {request}")),
    };
    answer.unwrap_or_else(|e| e)
}
// ANCHOR_END: handle

// ANCHOR: serve
/// Serves connections until the process ends: one thread per connection,
/// one answer per request line. A client that dies mid-request only ends
/// its own thread.
pub fn serve(listener: UnixListener, store: Arc<Mutex<Store>>) {
    for conn in listener.incoming() {
        let Ok(conn) = conn else { continue };
        let store = Arc::clone(&store);
        std::thread::spawn(move || -> io::Result<()> {
            let mut out = conn.try_clone()?;
            for line in BufReader::new(conn).lines() {
                let answer = handle(&store, &line?);
                out.write_all(format!("{answer}\n").as_bytes())?;
            }
            Ok(()) // the client closed its end
        });
    }
}
// ANCHOR_END: serve

/// Role `manager`: bind `socket`, say `ready`, serve until stdin closes.
pub fn server_role(socket: &Path) -> Result<()> {
    exit_when_orphaned();
    let listener =
        UnixListener::bind(socket).with_context(|| format!("binding {}", socket.display()))?;
    let store = Arc::new(Mutex::new(Store::default()));
    std::thread::spawn(move || serve(listener, store));
    let mut out = io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    // The parent closes our stdin to stop us.
    io::copy(&mut io::stdin().lock(), &mut io::sink())?;
    Ok(())
}

/// How long a proxy waits for an answer before calling the manager hung.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

// ANCHOR: proxy
/// One connection to the manager; every method is one round trip.
#[derive(Debug)]
pub struct Proxy {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    line: String,
}

impl Proxy {
    pub fn connect(socket: &Path) -> Result<Proxy> {
        let stream = UnixStream::connect(socket)
            .with_context(|| format!("connecting to the manager at {}", socket.display()))?;
        stream.set_read_timeout(Some(ANSWER_TIMEOUT))?;
        Ok(Proxy {
            writer: stream.try_clone()?,
            reader: BufReader::new(stream),
            line: String::new(),
        })
    }

    /// Sends one request and reads its answer; a dead manager is an error.
    pub fn call(&mut self, request: &str) -> Result<Option<i64>> {
        let gone = |e: io::Error| anyhow::anyhow!("the manager is gone: {e}");
        self.writer
            .write_all(format!("{request}\n").as_bytes())
            .map_err(gone)?;
        self.line.clear();
        match self.reader.read_line(&mut self.line) {
            Ok(0) => bail!("the manager is gone: it closed the connection (did it die?)"),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                bail!("the manager did not answer within {ANSWER_TIMEOUT:?}")
            }
            Err(e) => return Err(gone(e)),
        }
        match self.line.trim_end().split_once(' ') {
            None if self.line.trim_end() == "ok" => Ok(None),
            Some(("ok", v)) => Ok(Some(v.parse()?)),
            _ => bail!("the manager said: {}", self.line.trim_end()),
        }
    }

    pub fn get(&mut self, key: &str) -> Result<i64> {
        self.call(&format!("get {key}"))?
            .context("get answered no value")
    }

    pub fn set(&mut self, key: &str, value: i64) -> Result<()> {
        self.call(&format!("set {key} {value}")).map(|_| ())
    }

    /// `d[key] += n` done by the server: one round trip, nothing lost.
    pub fn incr(&mut self, key: &str, n: i64) -> Result<i64> {
        self.call(&format!("incr {key} {n}"))?
            .context("incr answered no value")
    }

    /// `l.append(value)`; returns the list's new length.
    pub fn append(&mut self, value: i64) -> Result<usize> {
        let len = self
            .call(&format!("append {value}"))?
            .context("append answered no length")?;
        Ok(usize::try_from(len)?)
    }
}
// ANCHOR_END: proxy

/// The parent's handle on a running manager process.
#[derive(Debug)]
pub struct Manager {
    guard: ChildGuard,
    socket: PathBuf,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

/// Every socket this lesson makes is `<temp dir>/l06-mgr-<pid>-<n>.sock`.
pub const SOCKET_PREFIX: &str = "l06-mgr-";

impl Manager {
    // ANCHOR: start
    /// Starts `lesson-06-shared-memory child manager --socket PATH` and waits
    /// for its `ready`.
    pub fn start(spawner: &Spawner) -> Result<Manager> {
        let socket = std::env::temp_dir().join(format!(
            "{SOCKET_PREFIX}{}-{}.sock",
            std::process::id(),
            NEXT.fetch_add(1, Relaxed)
        ));
        let _ = std::fs::remove_file(&socket); // left by a killed process with our pid
        let mut cmd = spawner.command("manager", ["--socket".as_ref(), socket.as_os_str()]);
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut guard = ChildGuard::spawn(&mut cmd).context("starting the manager")?;
        // From here on, dropping `manager` kills the server and removes the socket.
        let stdout = guard.child_mut().stdout.take().context("no stdout")?;
        let manager = Manager { guard, socket };
        let mut ready = String::new();
        BufReader::new(stdout).read_line(&mut ready)?;
        ensure!(
            ready.trim() == "ready",
            "the manager did not start (it said {ready:?})"
        );
        Ok(manager)
    }
    // ANCHOR_END: start

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    pub fn pid(&self) -> u32 {
        self.guard.id()
    }

    pub fn connect(&self) -> Result<Proxy> {
        Proxy::connect(&self.socket)
    }

    /// Kills the server with SIGKILL (no cleanup of its own runs) and reaps
    /// it; returns how it ended.
    pub fn kill(&mut self) -> Result<String> {
        signal(self.pid(), Signal::Kill)?;
        Ok(describe(self.guard.wait()?))
    }
}

impl Drop for Manager {
    fn drop(&mut self) {
        // Closing its stdin asks it to stop; the guard then kills and reaps it.
        drop(self.guard.child_mut().stdin.take());
        let _ = self.guard.wait_timeout(Duration::from_secs(2));
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// How a client adds 1 to `d[key]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Add {
    /// `d[k] += 1` through a proxy: `get`, then `set`: two round trips.
    GetSet,
    /// `incr`: the server reads and writes under its lock, one round trip.
    ServerIncr,
}

impl Add {
    pub fn label(self) -> &'static str {
        match self {
            Add::GetSet => "d[k] += 1 (get, then set)",
            Add::ServerIncr => "server-side incr",
        }
    }

    fn arg(self) -> &'static str {
        match self {
            Add::GetSet => "get-set",
            Add::ServerIncr => "server-incr",
        }
    }

    /// Round trips per increment.
    pub fn calls(self) -> u64 {
        match self {
            Add::GetSet => 2,
            Add::ServerIncr => 1,
        }
    }
}

/// The key every counting client adds to.
pub const KEY: &str = "hits";

// ANCHOR: add
/// Adds 1 to `d[KEY]` `n` times through `proxy`, the way `how` says.
pub fn add_ones(proxy: &mut Proxy, n: u64, how: Add) -> Result<()> {
    for _ in 0..n {
        match how {
            Add::GetSet => {
                let v = proxy.get(KEY)?; // another process may set between these
                proxy.set(KEY, v + 1)?;
            }
            Add::ServerIncr => {
                proxy.incr(KEY, 1)?;
            }
        }
    }
    Ok(())
}
// ANCHOR_END: add

/// Role `manager-client`: connect, say `ready`, wait for `go`, add `n`
/// times (0: until the manager fails), say `done`. A failed call is
/// reported on stdout as `failed after CALLS calls: WHY` and exit code 3.
pub fn client_role(socket: &Path, n: u64, how: Add) -> Result<()> {
    exit_when_orphaned();
    let mut proxy = Proxy::connect(socket)?;
    let mut out = io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    let mut line = String::new();
    io::stdin().lock().read_line(&mut line)?;
    ensure!(line.trim() == "go", "expected go, got {line:?}");
    let mut done = 0u64;
    while n == 0 || done < n {
        if let Err(e) = add_ones(&mut proxy, 1, how) {
            writeln!(out, "failed after {} calls: {e:#}", done * how.calls())?;
            out.flush()?;
            std::process::exit(3);
        }
        done += 1;
    }
    writeln!(out, "done")?;
    out.flush()?;
    Ok(())
}

/// Time per round trip: `calls` `get`s from this process.
pub fn round_trip(spawner: &Spawner, calls: u64) -> Result<Duration> {
    let manager = Manager::start(spawner)?;
    let mut proxy = manager.connect()?;
    proxy.set(KEY, 0)?;
    let started = Instant::now();
    for _ in 0..calls {
        proxy.get(KEY)?;
    }
    Ok(started.elapsed().div_f64(calls.max(1) as f64))
}

/// One counting run through a manager.
#[derive(Debug, Clone)]
pub struct CountRun {
    pub how: Add,
    pub processes: usize,
    pub increments: u64,
    pub expected: u64,
    pub counted: u64,
    /// From `go` to the last `done`.
    pub elapsed: Duration,
    pub pids: Vec<u32>,
    pub manager_pid: u32,
    pub socket: PathBuf,
}

impl CountRun {
    pub fn lost(&self) -> u64 {
        self.expected.saturating_sub(self.counted)
    }

    /// Time per increment, all processes together.
    pub fn per_increment(&self) -> Duration {
        self.elapsed.div_f64(self.expected.max(1) as f64)
    }
}

fn client_args(socket: &Path, n: u64, how: Add) -> Vec<String> {
    vec![
        "--socket".to_owned(),
        socket.display().to_string(),
        "--increments".to_owned(),
        n.to_string(),
        "--how".to_owned(),
        how.arg().to_owned(),
    ]
}

// ANCHOR: count
/// A manager with `d[KEY] = 0`; `processes` clients add 1 `increments`
/// times each, released together; then the parent reads `d[KEY]`.
pub fn count(spawner: &Spawner, processes: usize, increments: u64, how: Add) -> Result<CountRun> {
    ensure!(processes >= 1, "at least one process");
    let manager = Manager::start(spawner)?;
    let mut proxy = manager.connect()?;
    proxy.set(KEY, 0)?;
    let args = (0..processes)
        .map(|_| client_args(manager.socket(), increments, how))
        .collect();
    let mut clients = Workers::start(spawner, "manager-client", args, Duration::from_secs(120))?;
    let started = Instant::now();
    clients.send_all("go")?;
    clients.expect_all("done")?;
    let elapsed = started.elapsed();
    let pids = clients.pids();
    let statuses = clients.close()?;
    ensure!(
        statuses.iter().all(|s| s.success()),
        "a client failed: {statuses:?}"
    );
    Ok(CountRun {
        how,
        processes,
        increments,
        expected: processes as u64 * increments,
        counted: u64::try_from(proxy.get(KEY)?)?,
        elapsed,
        pids,
        manager_pid: manager.pid(),
        socket: manager.socket().to_owned(),
    })
}
// ANCHOR_END: count

/// What each client saw when the manager was killed under it.
#[derive(Debug, Clone)]
pub struct Death {
    pub manager_pid: u32,
    pub manager_ended: String,
    /// Per client: its pid, its last line, how it ended.
    pub clients: Vec<(u32, String, String)>,
    /// From the kill to the last client's report.
    pub all_reported_in: Duration,
    pub socket: PathBuf,
}

// ANCHOR: dies
/// `processes` clients call `incr` in a loop; after `after`, the manager is
/// killed with SIGKILL. Every client must report the failure, not hang.
pub fn manager_dies(spawner: &Spawner, processes: usize, after: Duration) -> Result<Death> {
    let mut manager = Manager::start(spawner)?;
    let args = (0..processes)
        .map(|_| client_args(manager.socket(), 0, Add::ServerIncr))
        .collect();
    let mut clients = Workers::start(spawner, "manager-client", args, Duration::from_secs(30))?;
    clients.send_all("go")?;
    std::thread::sleep(after);
    let killed_at = Instant::now();
    let manager_ended = manager.kill()?;
    let lines = clients.read_each();
    let arrived = killed_at.elapsed();
    let pids = clients.pids();
    let statuses = clients.close()?;
    let clients = pids
        .into_iter()
        .zip(lines)
        .zip(statuses)
        .map(|((pid, line), status)| {
            let line = line.unwrap_or_else(|e| format!("(no line: {e})"));
            (pid, line, describe(status))
        })
        .collect();
    Ok(Death {
        manager_pid: manager.pid(),
        manager_ended,
        clients,
        all_reported_in: arrived,
        socket: manager.socket().to_owned(),
    })
}
// ANCHOR_END: dies

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_answers_each_request() {
        let s = Mutex::new(Store::default());
        assert_eq!(handle(&s, "get a"), "err KeyError: a");
        assert_eq!(handle(&s, "set a 5"), "ok");
        assert_eq!(handle(&s, "incr a 2"), "ok 7");
        assert_eq!(handle(&s, "get a"), "ok 7");
        assert_eq!(handle(&s, "append 3"), "ok 1");
        assert_eq!(handle(&s, "len"), "ok 1");
        assert!(handle(&s, "set a x").starts_with("err"));
        assert!(handle(&s, "pop").starts_with("err"));
    }
}

//! The embedded HTTP server every demo fetches from: axum on its own tokio
//! runtime and thread, bound to a free port on 127.0.0.1, with faults you
//! configure and counters you can read.
//!
//! It is a stand-in for "the internet" that behaves the same on every run:
//!
//! - **latency**: every answer waits this long first (the network and a slow
//!   backend, in one number);
//! - **body size**: successful answers carry this many bytes;
//! - **failures**: a fixed fraction of *paths* always answer `500`;
//! - **stalls**: a fixed fraction of paths never answer at all (until the
//!   server shuts down), the case only a timeout saves you from;
//! - **transient failures**: every path answers `503` to its first `k`
//!   requests and `200` after that, the case retries are for.
//!
//! Which path fails or stalls depends only on the path (a hash of it), never
//! on timing or on the order requests arrive in, so a test can ask
//! [`ServerConfig::fault_for`] what a URL will do before fetching it. Paths
//! under `/fail/`, `/stall/`, `/ok/` and `/status/NNN/` force the answer
//! regardless of rates.
//!
//! While it runs, the server counts requests and, the number that proves a
//! client's concurrency bound holds, the most requests it was handling at
//! the same time ([`ServerStats::peak_in_flight`]).
//!
//! ```no_run
//! use std::time::Duration;
//! use loopback_http::server::{ServerConfig, TestServer};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let config = ServerConfig::default()
//!     .latency(Duration::from_millis(50))
//!     .fail_rate(0.1);
//! let server = TestServer::start(config).await?;
//! let url = server.url_for("/item/1"); // "http://127.0.0.1:PORT/item/1"
//! // ... fetch it ...
//! println!("peak in flight: {}", server.stats().peak_in_flight);
//! # Ok(()) }
//! // dropping `server` shuts it down
//! ```

use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpSocket;
use tokio::sync::watch;

/// How many connections may wait to be accepted: a burst of 10,000 connects
/// must not overflow the queue (the kernel caps it at `net.core.somaxconn`).
const BACKLOG: u32 = 16_384;

/// The longest a stalled request waits for the server to shut down before it
/// gives up and answers anyway: "never", for any test or demo.
const STALL_LIMIT: Duration = Duration::from_secs(600);

/// The longest a request waits for [`ServerConfig::hold_until`] to be met.
pub const HOLD_LIMIT: Duration = Duration::from_secs(20);

/// After shutdown is asked for, how long answers already under way may take.
const DRAIN: Duration = Duration::from_secs(2);

// ANCHOR: config
/// How the embedded server behaves. Build it with the setters:
/// `ServerConfig::default().latency(ms(50)).fail_rate(0.1)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerConfig {
    /// Every answer waits this long before it is sent.
    pub latency: Duration,
    /// Plus up to this much more, fixed per path (so answers come back in a
    /// different order than they were asked for).
    pub jitter: Duration,
    /// Bytes in a successful answer's body (at least the path and a newline).
    pub body_bytes: usize,
    /// Fraction of paths (0.0 to 1.0) that always answer 500.
    pub fail_rate: f64,
    /// Fraction of paths (0.0 to 1.0) that never answer.
    pub stall_rate: f64,
    /// Every path answers 503 to its first `fail_first` requests.
    pub fail_first: u32,
    /// Answer nobody until this many requests have arrived (0: off), so
    /// that a client's N requests are all in flight at once; then each
    /// waits its latency as usual. Gives up waiting after [`HOLD_LIMIT`].
    pub hold_until: usize,
    /// Worker threads of the server's own tokio runtime.
    pub workers: usize,
}
// ANCHOR_END: config

impl Default for ServerConfig {
    /// No latency, 64-byte bodies, no faults, two worker threads.
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            body_bytes: 64,
            fail_rate: 0.0,
            stall_rate: 0.0,
            fail_first: 0,
            hold_until: 0,
            workers: 2,
        }
    }
}

impl ServerConfig {
    /// Every answer waits `latency` first.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Each path waits up to `jitter` more than `latency` (its own share,
    /// the same on every request).
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// How long `path` waits before its answer: latency plus its jitter.
    pub fn delay_for(&self, path: &str) -> Duration {
        // A second hash, independent of the fault band.
        let share = unit_hash(&format!("{path}#jitter"));
        self.latency + self.jitter.mul_f64(share)
    }

    /// Successful bodies are `bytes` long.
    pub fn body_bytes(mut self, bytes: usize) -> Self {
        self.body_bytes = bytes;
        self
    }

    /// This fraction of paths always answers 500 (clamped to 0.0..=1.0).
    pub fn fail_rate(mut self, rate: f64) -> Self {
        self.fail_rate = clamp_rate(rate);
        self
    }

    /// This fraction of paths never answers (clamped to 0.0..=1.0).
    pub fn stall_rate(mut self, rate: f64) -> Self {
        self.stall_rate = clamp_rate(rate);
        self
    }

    /// Every path answers 503 to its first `k` requests, then 200.
    pub fn fail_first(mut self, k: u32) -> Self {
        self.fail_first = k;
        self
    }

    /// Holds every answer until `n` requests have arrived (0: never holds).
    pub fn hold_until(mut self, n: usize) -> Self {
        self.hold_until = n;
        self
    }

    /// The server runs on this many threads (at least 1).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    // ANCHOR: fault_for
    /// What the server does with `path`, decided by the path alone:
    /// `/stall/...`, `/fail/...`, `/ok/...` and `/status/NNN/...` (always
    /// answers status NNN, e.g. `/status/404/x`) say so; any other path is
    /// hashed to a number in [0, 1) that falls into the stall band, the fail
    /// band, or neither. (Transient `fail_first` answers come on top of
    /// [`Fault::None`]; they depend on the attempt, not the path.)
    pub fn fault_for(&self, path: &str) -> Fault {
        if path.starts_with("/stall/") {
            return Fault::Stall;
        }
        if path.starts_with("/fail/") {
            return Fault::Fail;
        }
        if path.starts_with("/ok/") {
            return Fault::None;
        }
        if let Some(code) = path
            .strip_prefix("/status/")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .filter(|code| (100..600).contains(code))
        {
            return Fault::Status(code);
        }
        let x = unit_hash(path);
        if x < self.stall_rate {
            Fault::Stall
        } else if x < self.stall_rate + self.fail_rate {
            Fault::Fail
        } else {
            Fault::None
        }
    }
    // ANCHOR_END: fault_for
}

fn clamp_rate(rate: f64) -> f64 {
    if rate.is_nan() {
        0.0
    } else {
        rate.clamp(0.0, 1.0)
    }
}

/// A path's place in [0, 1): FNV-1a, stable across runs and platforms.
fn unit_hash(path: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in path.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // Mix the high bits down so that paths differing in one digit spread out.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// What the server does with a path (besides transient `fail_first` answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Answers 200 after the latency (or 503 while `fail_first` lasts).
    None,
    /// Answers 500 after the latency, every time.
    Fail,
    /// Never answers while the server runs.
    Stall,
    /// Answers this status after the latency, every time (`/status/NNN/...`).
    Status(u16),
}

/// Counters of a running server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerStats {
    /// Requests that reached a handler.
    pub requests: u64,
    /// Answered 200.
    pub ok: u64,
    /// Answered 500 (injected failure) or 503 (transient failure).
    pub failed: u64,
    /// Requests that stalled (never answered).
    pub stalled: u64,
    /// Requests being handled right now, stalled ones included.
    pub in_flight: usize,
    /// The most requests handled at the same time since start or
    /// [`TestServer::reset_peak`]. A client that never has more than `n`
    /// requests open can never make this exceed `n`.
    pub peak_in_flight: usize,
}

/// A gauge of requests in progress that remembers its peak (and can forget it).
#[derive(Debug, Default)]
struct Gauge {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl Gauge {
    fn enter(&self) -> Inside<'_> {
        let now = self.now.fetch_add(1, SeqCst) + 1;
        self.peak.fetch_max(now, SeqCst);
        Inside(self)
    }
}

/// One request counted as in flight; dropping it (the handler finished, or
/// hyper dropped it because the client hung up) ends it.
struct Inside<'a>(&'a Gauge);

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, SeqCst);
    }
}

/// What the handlers share.
#[derive(Debug)]
struct Shared {
    config: ServerConfig,
    started: Instant,
    padding: Bytes,
    gauge: Gauge,
    requests: AtomicU64,
    ok: AtomicU64,
    failed: AtomicU64,
    stalled: AtomicU64,
    /// When each path was requested, in arrival order.
    arrivals: Mutex<HashMap<String, Vec<Instant>>>,
    shutdown: watch::Receiver<bool>,
    /// Turns true once `hold_until` requests have arrived.
    released: watch::Sender<bool>,
}

impl Shared {
    /// Waits until `hold_until` requests have arrived (or [`HOLD_LIMIT`]).
    async fn hold(&self) {
        let want = self.config.hold_until;
        if want == 0 || *self.released.borrow() {
            return;
        }
        if self.requests.load(SeqCst) as usize >= want {
            self.released.send_replace(true);
            return;
        }
        let mut released = self.released.subscribe();
        let _ = tokio::time::timeout(HOLD_LIMIT, released.wait_for(|&r| r)).await;
    }

    /// Records an arrival of `path`; returns which attempt it is (1-based).
    fn arrive(&self, path: &str) -> usize {
        let now = Instant::now();
        let mut arrivals = self.arrivals.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(times) = arrivals.get_mut(path) {
            times.push(now);
            return times.len();
        }
        arrivals.insert(path.to_owned(), vec![now]);
        1
    }
}

// ANCHOR: handler
async fn handle(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let path = uri.path();
    let attempt = shared.arrive(path);
    shared.requests.fetch_add(1, SeqCst);
    let _inside = shared.gauge.enter(); // counted until this function returns
    let config = &shared.config;

    if config.fault_for(path) == Fault::Stall {
        shared.stalled.fetch_add(1, SeqCst);
        // Never answer: wait for the server to shut down (or the client to
        // hang up, when hyper drops this future).
        let mut shutdown = shared.shutdown.clone();
        let _ = tokio::time::timeout(STALL_LIMIT, shutdown.wait_for(|&stop| stop)).await;
        return (StatusCode::SERVICE_UNAVAILABLE, "server shutting down\n").into_response();
    }

    shared.hold().await; // only with `hold_until`: everybody in before anybody out
    tokio::time::sleep(config.delay_for(path)).await; // the "network", and a slow backend

    match config.fault_for(path) {
        Fault::Fail => {
            shared.failed.fetch_add(1, SeqCst);
            return (StatusCode::INTERNAL_SERVER_ERROR, "injected failure\n").into_response();
        }
        Fault::Status(code) if !(200..300).contains(&code) => {
            shared.failed.fetch_add(1, SeqCst);
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::IM_A_TEAPOT);
            return (status, format!("status {code} as asked\n")).into_response();
        }
        _ => {}
    }
    if attempt <= config.fail_first as usize {
        shared.failed.fetch_add(1, SeqCst);
        let text = format!("transient failure: attempt {attempt} of {path}\n");
        return (StatusCode::SERVICE_UNAVAILABLE, text).into_response();
    }
    shared.ok.fetch_add(1, SeqCst);
    ok_body(path, &shared.padding, config.body_bytes)
}
// ANCHOR_END: handler

/// A 200 whose body starts with the path it answers (so a client can check
/// which answer it got) and is padded to `body_bytes`.
fn ok_body(path: &str, padding: &Bytes, body_bytes: usize) -> Response {
    let head = format!("{path}\n");
    let pad = body_bytes.saturating_sub(head.len()).min(padding.len());
    let mut body = Vec::with_capacity(head.len() + pad);
    body.extend_from_slice(head.as_bytes());
    body.extend_from_slice(&padding[..pad]);
    (
        [(header::CONTENT_TYPE, "text/plain")],
        Body::from(Bytes::from(body)),
    )
        .into_response()
}

/// The embedded server: runs on its own thread and tokio runtime, so it
/// serves the same whether the caller is async, blocking or busy. Dropping
/// it shuts it down (stalled requests are released, answers under way get
/// two seconds to finish).
#[derive(Debug)]
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl TestServer {
    // ANCHOR: start
    /// Starts a server with `config` on 127.0.0.1 and a free port.
    pub async fn start(config: ServerConfig) -> io::Result<Self> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let launched = Launched::spawn(config, move |ready| {
            let _ = tx.send(ready);
        })?;
        let ready = rx
            .await
            .map_err(|_| io::Error::other("server thread died"))?;
        launched.into_server(ready)
    }
    // ANCHOR_END: start

    /// [`TestServer::start`] for code that is not async (a plain `main`,
    /// threads, a test without a runtime).
    pub fn start_blocking(config: ServerConfig) -> io::Result<Self> {
        let (tx, rx) = mpsc::channel();
        let launched = Launched::spawn(config, move |ready| {
            let _ = tx.send(ready);
        })?;
        let ready = rx
            .recv()
            .map_err(|_| io::Error::other("server thread died"))?;
        launched.into_server(ready)
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The URL of `path` (which starts with `/`) on this server.
    pub fn url_for(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `n` distinct URLs: `/item/0` to `/item/{n-1}`.
    pub fn urls(&self, n: usize) -> Vec<String> {
        (0..n)
            .map(|i| self.url_for(&format!("/item/{i}")))
            .collect()
    }

    /// The address it listens on (127.0.0.1 and the port it was given).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &ServerConfig {
        &self.shared.config
    }

    /// What it will do with `path`: see [`ServerConfig::fault_for`].
    pub fn fault_for(&self, path: &str) -> Fault {
        self.shared.config.fault_for(path)
    }

    /// The counters as they are now.
    pub fn stats(&self) -> ServerStats {
        let s = &self.shared;
        ServerStats {
            requests: s.requests.load(SeqCst),
            ok: s.ok.load(SeqCst),
            failed: s.failed.load(SeqCst),
            stalled: s.stalled.load(SeqCst),
            in_flight: s.gauge.now.load(SeqCst),
            peak_in_flight: s.gauge.peak.load(SeqCst),
        }
    }

    /// Forgets the peak: from now on it counts from the requests in flight.
    pub fn reset_peak(&self) {
        let g = &self.shared.gauge;
        g.peak.store(g.now.load(SeqCst), SeqCst);
    }

    /// How many requests for `path` arrived so far (`path` without the host).
    pub fn attempts(&self, path: &str) -> usize {
        self.arrivals(path).len()
    }

    /// When each request for `path` arrived, as time since the server
    /// started, in arrival order.
    pub fn arrivals(&self, path: &str) -> Vec<Duration> {
        let arrivals = self
            .shared
            .arrivals
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        arrivals.get(path).map_or_else(Vec::new, |times| {
            times
                .iter()
                .map(|t| t.duration_since(self.shared.started))
                .collect()
        })
    }

    /// Shuts down and waits (at most a few seconds) for the server thread.
    pub fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A server thread that was spawned but has not said yet where it listens.
struct Launched {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    thread: thread::JoinHandle<()>,
}

impl Launched {
    /// Spawns the server thread; `ready` is told the bound address (or why
    /// binding failed) once it accepts connections.
    fn spawn(
        config: ServerConfig,
        ready: impl FnOnce(io::Result<SocketAddr>) + Send + 'static,
    ) -> io::Result<Self> {
        let (stop, shutdown) = watch::channel(false);
        let shared = Arc::new(Shared {
            padding: Bytes::from(vec![b'.'; config.body_bytes]),
            config,
            started: Instant::now(),
            gauge: Gauge::default(),
            requests: AtomicU64::new(0),
            ok: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            stalled: AtomicU64::new(0),
            arrivals: Mutex::new(HashMap::new()),
            shutdown: shutdown.clone(),
            released: watch::Sender::new(false),
        });
        let state = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name("embedded-server".into())
            .spawn(move || serve(state, shutdown, ready))?;
        Ok(Self {
            shared,
            stop,
            thread,
        })
    }

    fn into_server(self, ready: io::Result<SocketAddr>) -> io::Result<TestServer> {
        let addr = ready?;
        Ok(TestServer {
            addr,
            shared: self.shared,
            stop: self.stop,
            thread: Some(self.thread),
        })
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // The thread finishes by itself within DRAIN; never block a caller
        // (maybe an async task) waiting for it here.
        let _ = self.stop.send(true);
    }
}

// ANCHOR: serve
/// The server thread: its own runtime, a listener with a deep accept queue,
/// axum serving every path with [`handle`] until told to stop.
fn serve(
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
    ready: impl FnOnce(io::Result<SocketAddr>),
) {
    // One worker: everything on this thread (no hand-offs between threads).
    let mut builder = if shared.config.workers <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(shared.config.workers);
        b
    };
    let runtime = match builder
        .thread_name("embedded-server-worker")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return ready(Err(e)),
    };
    runtime.block_on(async move {
        let listener = match bind_loopback() {
            Ok(l) => l,
            Err(e) => return ready(Err(e)),
        };
        let addr = match listener.local_addr() {
            Ok(addr) => addr,
            Err(e) => return ready(Err(e)),
        };
        let app = Router::new().fallback(handle).with_state(shared);
        let (mut stop_accepting, mut stop_waiting) = (shutdown.clone(), shutdown);
        let stopped = async move {
            let _ = stop_accepting.wait_for(|&stop| stop).await;
        };
        let server = axum::serve(listener, app).with_graceful_shutdown(stopped);
        ready(Ok(addr));
        // Graceful: stop accepting, let answers under way finish, but give
        // them no longer than DRAIN after shutdown was asked for.
        let drained = async move {
            let _ = stop_waiting.wait_for(|&stop| stop).await;
            tokio::time::sleep(DRAIN).await;
        };
        tokio::select! {
            _ = server => {}
            _ = drained => {}
        }
    });
    // Dropping the runtime here cancels whatever is left.
    runtime.shutdown_timeout(DRAIN);
}
// ANCHOR_END: serve

/// A URL on 127.0.0.1 where nothing listens: bind a free port, let it go.
/// Fetching it is refused at once (until some other program takes the port).
pub fn closed_port_url() -> io::Result<String> {
    let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let addr = listener.local_addr()?;
    drop(listener);
    Ok(format!("http://{addr}/"))
}

fn bind_loopback() -> io::Result<tokio::net::TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    socket.listen(BACKLOG)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_pick_a_stable_fraction_of_paths() {
        let config = ServerConfig::default().fail_rate(0.2).stall_rate(0.1);
        let faults: Vec<Fault> = (0..10_000)
            .map(|i| config.fault_for(&format!("/item/{i}")))
            .collect();
        let count = |f| faults.iter().filter(|&&x| x == f).count();
        // 10,000 draws: within a few percent of the rates.
        assert!(
            (1_700..2_300).contains(&count(Fault::Fail)),
            "{}",
            count(Fault::Fail)
        );
        assert!(
            (800..1_200).contains(&count(Fault::Stall)),
            "{}",
            count(Fault::Stall)
        );
        let again: Vec<Fault> = (0..10_000)
            .map(|i| config.fault_for(&format!("/item/{i}")))
            .collect();
        assert_eq!(faults, again, "the same path always gets the same fault");
    }

    #[test]
    fn prefixes_force_the_fault() {
        let config = ServerConfig::default().fail_rate(1.0);
        assert_eq!(config.fault_for("/ok/1"), Fault::None);
        assert_eq!(config.fault_for("/stall/1"), Fault::Stall);
        assert_eq!(ServerConfig::default().fault_for("/fail/x"), Fault::Fail);
        assert_eq!(ServerConfig::default().fault_for("/item/1"), Fault::None);
        assert_eq!(config.fault_for("/status/404/a"), Fault::Status(404));
        assert_eq!(
            config.fault_for("/status/99/a"),
            Fault::Fail,
            "not a status: rates apply"
        );
    }

    #[test]
    fn rates_are_clamped() {
        let c = ServerConfig::default().fail_rate(7.0).stall_rate(f64::NAN);
        assert_eq!((c.fail_rate, c.stall_rate), (1.0, 0.0));
    }
}

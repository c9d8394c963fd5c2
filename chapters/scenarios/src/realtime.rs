//! Scenario 3, real-time: a WebSocket server holding thousands of long
//! connections and broadcasting to all of them; and a frame loop that must
//! draw every 16 ms while a long computation runs on the same thread, on
//! another thread, or in another process.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use tokio_tungstenite::tungstenite::Message;

use crate::collect::monotonic_ns;

// ANCHOR: broadcast
/// Accepts `clients` WebSocket connections (a task each), then broadcasts
/// `messages` messages `seq,sent_ns`, one every `every`, to all of them
/// through a tokio broadcast channel, and closes every connection.
pub fn serve_broadcast(
    listener: TcpListener,
    clients: usize,
    messages: usize,
    every: Duration,
) -> io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let (tx, _) = tokio::sync::broadcast::channel::<Option<String>>(messages + 1);
        let (ready_tx, mut ready) = tokio::sync::mpsc::channel::<()>(clients);
        let mut conns = tokio::task::JoinSet::new();
        for _ in 0..clients {
            let (stream, _) = listener.accept().await?;
            let mut rx = tx.subscribe();
            let ready_tx = ready_tx.clone();
            conns.spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
                    return;
                };
                let _ = ready_tx.send(()).await;
                while let Ok(Some(text)) = rx.recv().await {
                    if ws.send(Message::text(text)).await.is_err() {
                        return;
                    }
                }
                let _ = ws.close(None).await;
            });
        }
        for _ in 0..clients {
            ready.recv().await;
        }
        let mut tick = tokio::time::interval(every);
        for seq in 0..messages {
            tick.tick().await;
            let _ = tx.send(Some(format!("{seq},{}", monotonic_ns())));
        }
        let _ = tx.send(None);
        while conns.join_next().await.is_some() {}
        io::Result::Ok(())
    })
}
// ANCHOR_END: broadcast

/// What the clients saw.
#[derive(Debug, Default, Clone)]
pub struct BroadcastResult {
    pub clients: usize,
    pub connected: usize,
    /// Clients that received every message.
    pub complete: usize,
    pub messages: usize,
    /// Send-to-receipt latency of every message at every client, µs, sorted.
    pub latencies_us: Vec<u64>,
    pub first_error: Option<String>,
}

/// `clients` WebSocket clients on `addr`, each reading until the server
/// closes; `on_connected` runs once all have finished their handshakes.
pub async fn run_clients(
    addr: SocketAddr,
    clients: usize,
    messages: usize,
    on_connected: impl FnOnce(),
) -> BroadcastResult {
    let url = format!("ws://{addr}/");
    let (ready_tx, mut ready) = tokio::sync::mpsc::channel::<bool>(clients);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let (url, ready_tx) = (url.clone(), ready_tx.clone());
        set.spawn(async move {
            let connect = async {
                let stream = tokio::net::TcpStream::connect(addr).await?;
                tokio_tungstenite::client_async(url, stream)
                    .await
                    .map_err(io::Error::other)
            };
            let mut ws = match tokio::time::timeout(Duration::from_secs(20), connect).await {
                Ok(Ok((ws, _))) => ws,
                Ok(Err(e)) => {
                    let _ = ready_tx.send(false).await;
                    return Err(e.to_string());
                }
                Err(_) => {
                    let _ = ready_tx.send(false).await;
                    return Err("handshake timed out".to_owned());
                }
            };
            let _ = ready_tx.send(true).await;
            let mut ages = Vec::with_capacity(messages);
            while let Some(msg) = ws.next().await {
                match msg {
                    Ok(Message::Text(t)) => {
                        let now = monotonic_ns();
                        if let Some(sent) = t.split(',').nth(1).and_then(|s| s.parse::<u64>().ok())
                        {
                            ages.push(now.saturating_sub(sent) / 1_000);
                        }
                    }
                    Ok(Message::Close(_)) => break,
                    Ok(_) => {}
                    Err(e) => return Err(e.to_string()),
                }
            }
            Ok(ages)
        });
    }
    drop(ready_tx);
    let mut result = BroadcastResult {
        clients,
        messages,
        ..Default::default()
    };
    let mut on_connected = Some(on_connected);
    for _ in 0..clients {
        match ready.recv().await {
            Some(true) => result.connected += 1,
            Some(false) => {}
            None => break,
        }
    }
    if let Some(f) = on_connected.take() {
        f();
    }
    while let Some(r) = set.join_next().await {
        match r.expect("client task") {
            Ok(ages) => {
                if ages.len() == messages {
                    result.complete += 1;
                }
                result.latencies_us.extend(ages);
            }
            Err(e) => {
                result.first_error.get_or_insert(e);
            }
        }
    }
    result.latencies_us.sort_unstable();
    result
}

/// Where the frame loop's long computation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Placement {
    /// Called from the frame loop itself (a GUI's click handler doing the work).
    SameThread,
    /// On a thread of its own; the loop polls a channel each frame.
    Thread,
    /// In a child process; the loop polls whether it has exited.
    Process,
}

impl Placement {
    pub const ALL: [Placement; 3] = [Self::SameThread, Self::Thread, Self::Process];
    pub fn label(self) -> &'static str {
        match self {
            Self::SameThread => "on the loop's own thread",
            Self::Thread => "on another thread",
            Self::Process => "in a child process",
        }
    }
}

/// What a frame loop run measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FrameReport {
    pub frames: u64,
    /// Frames whose deadline passed before they were drawn.
    pub missed: u64,
    /// The latest a frame was drawn after its deadline, ms (0 if none was late).
    pub worst_late_ms: f64,
    /// When the computation's answer reached the loop, ms after it started.
    pub answer_ms: Option<f64>,
}

// ANCHOR: frames
/// Draws `frames` frames, one every `frame` (frame k is due by
/// `start + (k+1) x frame`); at frame 3 it starts the computation through
/// `start_work`, which returns a poll function the loop calls each frame
/// (`Some(answer)` once done). A frame drawn after its deadline is missed,
/// and so is every frame whose whole slot passed while the loop was busy.
pub fn frame_loop(
    frames: u64,
    frame: Duration,
    mut start_work: impl FnMut() -> Box<dyn FnMut() -> Option<u64>>,
) -> FrameReport {
    let start = Instant::now();
    let mut report = FrameReport::default();
    let (mut k, mut poll, mut work_started) = (0u64, None, None);
    while k < frames {
        let due = start + frame * (k as u32 + 1);
        if k == 3 && poll.is_none() {
            work_started = Some(Instant::now());
            poll = Some(start_work()); // SameThread: returns only when done
        }
        if let (Some(p), None) = (poll.as_mut(), report.answer_ms)
            && p().is_some()
        {
            report.answer_ms = work_started.map(|t| t.elapsed().as_secs_f64() * 1e3);
        }
        let drawn = Instant::now(); // "draw" the frame: nothing to do here
        if drawn > due {
            report.missed += 1;
            let late = (drawn - due).as_secs_f64() * 1e3;
            report.worst_late_ms = report.worst_late_ms.max(late);
            // Slots that passed entirely while we were busy are missed too.
            let passed = ((drawn - due).as_nanos() / frame.as_nanos()) as u64;
            let skip = passed.min(frames - k - 1);
            report.missed += skip;
            k += skip;
        } else {
            std::thread::sleep(due - drawn);
        }
        k += 1;
    }
    report.frames = frames;
    report
}
// ANCHOR_END: frames

/// The prime bound whose count takes about `ms` on this machine, measured.
pub fn calibrate(ms: f64) -> u64 {
    let mut n = 20_000u64;
    loop {
        let t = Instant::now();
        std::hint::black_box(course_support::count_primes(0..n));
        let took = t.elapsed().as_secs_f64() * 1e3;
        // Measure up to a quarter of the target, so the extrapolation is short.
        if took > (ms / 4.0).max(20.0) || n > 1 << 40 {
            // Trial division up to n costs about n^1.5.
            return ((n as f64) * (ms / took).powf(1.0 / 1.5)) as u64;
        }
        n *= 2;
    }
}

/// Runs the frame loop with the computation (`count_primes(0..n)`) placed
/// as `placement`; a child process is this program's `count-primes` role.
pub fn run_placement(
    placement: Placement,
    frames: u64,
    frame: Duration,
    n: u64,
    spawner: &course_support::child::Spawner,
) -> io::Result<FrameReport> {
    let mut error = None;
    let report = frame_loop(frames, frame, || match placement {
        Placement::SameThread => {
            let answer = course_support::count_primes(0..n);
            Box::new(move || Some(answer))
        }
        Placement::Thread => {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::spawn(move || tx.send(course_support::count_primes(0..n)));
            Box::new(move || rx.try_recv().ok())
        }
        Placement::Process => match course_support::child::ChildGuard::spawn(
            spawner
                .command("count-primes", ["--n", &n.to_string()])
                .stdout(std::process::Stdio::null()),
        ) {
            Ok(mut child) => Box::new(move || {
                child
                    .try_wait()
                    .ok()
                    .flatten()
                    .filter(|s| s.success())
                    .map(|_| 0)
            }),
            Err(e) => {
                error = Some(e);
                Box::new(|| None)
            }
        },
    });
    match error {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

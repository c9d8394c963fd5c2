//! The load generator and the latency arithmetic every scenario shares.
//!
//! `connections` keep-alive HTTP/1.1 connections, each a tokio task that
//! sends a request, reads the whole answer, and sends the next, until the
//! time is up. A server that closes the connection after each answer (a
//! Gunicorn sync worker does) is reconnected, and the reconnection is part
//! of that request's latency. Latencies are kept in microseconds.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

// ANCHOR: percentile
/// The `p`-th percentile (0..=100) of sorted values, nearest-rank.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}
// ANCHOR_END: percentile

/// Microseconds as milliseconds with one decimal, or `-`.
pub fn ms(us: Option<u64>) -> String {
    us.map_or("-".to_owned(), |us| format!("{:.1}", us as f64 / 1e3))
}

/// What one load run measured.
#[derive(Debug, Default, Clone)]
pub struct LoadResult {
    /// Answers with status 200.
    pub ok: u64,
    /// Connections refused or reset, bad answers.
    pub errors: u64,
    /// Connections that never got an answer in the whole run.
    pub unserved: usize,
    /// Latency of each answer, µs, sorted.
    pub latencies_us: Vec<u64>,
    /// The measured window (from the first request to the deadline).
    pub elapsed: Duration,
    pub first_error: Option<String>,
}

impl LoadResult {
    pub fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
    pub fn p50(&self) -> Option<u64> {
        percentile(&self.latencies_us, 50.0)
    }
    pub fn p99(&self) -> Option<u64> {
        percentile(&self.latencies_us, 99.0)
    }
}

/// What to send, to where, for how long.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    pub addr: SocketAddr,
    /// Path and query, e.g. `/io?ms=30`.
    pub path: String,
    pub connections: usize,
    pub duration: Duration,
}

/// One HTTP/1.1 GET on `conn` (connecting first if it is `None`); the
/// status, and whether the server keeps the connection open.
async fn get(
    addr: SocketAddr,
    conn: &mut Option<BufReader<TcpStream>>,
    request: &[u8],
) -> std::io::Result<u16> {
    if conn.is_none() {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        *conn = Some(BufReader::new(stream));
    }
    let c = conn.as_mut().expect("connected above");
    c.get_mut().write_all(request).await?;
    let mut line = String::new();
    if c.read_line(&mut line).await? == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "closed before answering",
        ));
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP answer: {line:?}")))?;
    let (mut length, mut close) = (0usize, false);
    loop {
        line.clear();
        if c.read_line(&mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (name, value) = l.split_once(':').unwrap_or((l, ""));
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().unwrap_or(0);
        } else if name.eq_ignore_ascii_case("connection") {
            close = value.trim().eq_ignore_ascii_case("close");
        }
    }
    let mut body = vec![0; length];
    c.read_exact(&mut body).await?;
    if close {
        *conn = None;
    }
    Ok(status)
}

// ANCHOR: run
/// Opens `connections` connections (all before the clock starts, so a
/// thread-per-connection server has its threads), then lets each send
/// requests back to back until `duration` has passed. A request still
/// unanswered half a second after the end is abandoned and not counted.
pub async fn run(plan: &LoadPlan) -> LoadResult {
    let request: Arc<[u8]> = format!("GET {} HTTP/1.1\r\nHost: scenarios\r\n\r\n", plan.path)
        .into_bytes()
        .into();
    let errors = Arc::new(AtomicU64::new(0));
    // Connect everyone first (at most 3 s).
    let mut connecting = tokio::task::JoinSet::new();
    for _ in 0..plan.connections {
        let addr = plan.addr;
        connecting.spawn(async move {
            let s = tokio::time::timeout(Duration::from_secs(3), TcpStream::connect(addr)).await;
            match s {
                Ok(Ok(s)) => {
                    let _ = s.set_nodelay(true);
                    Ok(BufReader::new(s))
                }
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err("connect timed out".to_owned()),
            }
        });
    }
    let mut conns = Vec::with_capacity(plan.connections);
    let mut first_error = None;
    while let Some(r) = connecting.join_next().await {
        match r.expect("connect task") {
            Ok(c) => conns.push(Some(c)),
            Err(e) => {
                errors.fetch_add(1, Ordering::Relaxed);
                first_error.get_or_insert(e);
                conns.push(None); // it tries again in the run
            }
        }
    }
    let start = Instant::now();
    let deadline = tokio::time::Instant::from_std(start + plan.duration);
    let mut tasks = tokio::task::JoinSet::new();
    for mut conn in conns {
        let (addr, request, errors) = (plan.addr, request.clone(), errors.clone());
        tasks.spawn(async move {
            let (mut latencies, mut ok, mut first_error) = (Vec::new(), 0u64, None);
            while tokio::time::Instant::now() < deadline {
                let sent = Instant::now();
                let hard_stop = deadline + Duration::from_millis(500);
                match tokio::time::timeout_at(hard_stop, get(addr, &mut conn, &request)).await {
                    Err(_) => break, // abandoned at the end
                    Ok(Ok(200)) => {
                        ok += 1;
                        latencies.push(sent.elapsed().as_micros() as u64);
                    }
                    Ok(Ok(status)) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        first_error.get_or_insert(format!("HTTP status {status}"));
                    }
                    Ok(Err(e)) => {
                        conn = None;
                        errors.fetch_add(1, Ordering::Relaxed);
                        first_error.get_or_insert(e.to_string());
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            (latencies, ok, first_error)
        });
    }
    let mut result = LoadResult::default();
    while let Some(r) = tasks.join_next().await {
        let (latencies, ok, e) = r.expect("load task");
        if ok == 0 {
            result.unserved += 1;
        }
        result.ok += ok;
        result.latencies_us.extend(latencies);
        first_error = first_error.or(e);
    }
    result.elapsed = plan.duration;
    result.errors = errors.load(Ordering::Relaxed);
    result.first_error = first_error;
    result.latencies_us.sort_unstable();
    result
}
// ANCHOR_END: run

/// One GET answered 200 within a second: the server is up.
pub fn probe(addr: SocketAddr, path: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!("GET {path} HTTP/1.1\r\nHost: scenarios\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.") && &head[9..12] == b"200"
}

/// A tokio runtime on every core, for the clients.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), Some(50));
        assert_eq!(percentile(&v, 99.0), Some(99));
        assert_eq!(percentile(&v, 100.0), Some(100));
        assert_eq!(percentile(&[7], 99.0), Some(7));
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(ms(Some(1_250)), "1.2");
    }
}

//! Scenario 1, the web server, three ways: a thread per connection (what
//! Python's `ThreadingHTTPServer` does), one async runtime (axum on tokio,
//! as uvicorn runs an ASGI app on asyncio), and pre-forked worker processes
//! that share one listening socket (Gunicorn's sync workers).
//!
//! Two endpoints: `/io?ms=N` waits N ms (a database or a backend call),
//! `/cpu?n=N` counts the primes below N (work that needs a core).

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use course_support::count_primes;

/// What a path asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// Wait this long, then answer.
    Io(Duration),
    /// Count the primes below this, then answer.
    Cpu(u64),
    /// `/`: answer at once (the readiness probe).
    Health,
}

impl Endpoint {
    /// `/io?ms=30`, `/cpu?n=20000`, `/`; `None` for anything else.
    pub fn parse(target: &str) -> Option<Self> {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let arg = |key: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
                .and_then(|v| v.parse::<u64>().ok())
        };
        match path {
            "/io" => Some(Self::Io(Duration::from_millis(arg("ms")?))),
            "/cpu" => Some(Self::Cpu(arg("n")?)),
            "/" => Some(Self::Health),
            _ => None,
        }
    }

    /// The path that asks for it.
    pub fn path(&self) -> String {
        match self {
            Self::Io(d) => format!("/io?ms={}", d.as_millis()),
            Self::Cpu(n) => format!("/cpu?n={n}"),
            Self::Health => "/".to_owned(),
        }
    }

    /// Does the work blocking the calling thread; the answer's body.
    pub fn serve_blocking(&self) -> String {
        match *self {
            Self::Io(d) => {
                std::thread::sleep(d);
                "waited\n".to_owned()
            }
            Self::Cpu(n) => format!("{}\n", count_primes(0..n)),
            Self::Health => "ok\n".to_owned(),
        }
    }
}

/// Reads one request head; `None` when the client closed the connection.
fn read_request(r: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let target = line.split_whitespace().nth(1).unwrap_or("").to_owned();
    loop {
        let mut header = String::new();
        if r.read_line(&mut header)? == 0 {
            return Ok(None);
        }
        if header.trim_end().is_empty() {
            return Ok(Some(target));
        }
    }
}

fn respond(w: &mut impl Write, target: &str, keep_alive: bool) -> io::Result<()> {
    let (status, body) = match Endpoint::parse(target) {
        Some(e) => ("200 OK", e.serve_blocking()),
        None => ("404 Not Found", "no such endpoint\n".to_owned()),
    };
    let connection = if keep_alive { "keep-alive" } else { "close" };
    write!(
        w,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: {connection}\r\n\r\n{body}",
        body.len()
    )?;
    w.flush()
}

// ANCHOR: threads
/// A thread per connection, each serving its connection's requests one
/// after another (keep-alive) until the client closes it. Small stacks: 10,000
/// threads with the default 2 MiB would reserve 20 GiB of address space.
pub fn serve_threads(listener: TcpListener) -> io::Result<()> {
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of descriptors or memory for a moment: wait, go on.
            std::thread::sleep(std::time::Duration::from_millis(10));
            continue;
        };
        // A thread that cannot be created (out of memory, a limit on
        // threads) costs that connection, not the server.
        let _ = std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(move || {
                let _ = stream.set_nodelay(true);
                let mut reader = BufReader::new(stream.try_clone()?);
                let mut writer = stream;
                while let Some(target) = read_request(&mut reader)? {
                    respond(&mut writer, &target, true)?;
                }
                io::Result::Ok(())
            });
    }
    Ok(())
}
// ANCHOR_END: threads

// ANCHOR: async
/// axum on a tokio runtime with one thread per core: every connection is a
/// task; `/io` waits with `tokio::time::sleep` (no thread held), `/cpu`
/// computes on a runtime thread, as an `async def` endpoint would.
pub fn serve_async(listener: TcpListener) -> io::Result<()> {
    use axum::http::Uri;
    async fn handle(uri: Uri) -> (axum::http::StatusCode, String) {
        let target = uri.path_and_query().map_or("/", |p| p.as_str());
        match Endpoint::parse(target) {
            Some(Endpoint::Io(d)) => {
                tokio::time::sleep(d).await;
                (axum::http::StatusCode::OK, "waited\n".to_owned())
            }
            Some(e) => (axum::http::StatusCode::OK, e.serve_blocking()),
            None => (
                axum::http::StatusCode::NOT_FOUND,
                "no such endpoint\n".to_owned(),
            ),
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let app = axum::Router::new().fallback(handle);
        axum::serve(listener, app).await
    })
}
// ANCHOR_END: async

// ANCHOR: prefork
/// One pre-forked worker (a process of its own): accepts on the socket it
/// shares with its siblings, serves one request, closes the connection, and
/// accepts the next, as a Gunicorn sync worker does. The kernel hands each
/// new connection to one of the workers blocked in `accept`.
pub fn serve_one_at_a_time(listener: TcpListener) -> io::Result<()> {
    loop {
        let (stream, _) = listener.accept()?;
        let _ = stream.set_nodelay(true);
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut writer = stream;
        if let Ok(Some(target)) = read_request(&mut reader) {
            let _ = respond(&mut writer, &target, false);
        }
    }
}
// ANCHOR_END: prefork

/// The three Rust servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Threads,
    Async,
    Prefork,
}

impl Model {
    pub const ALL: [Model; 3] = [Model::Threads, Model::Async, Model::Prefork];

    pub fn name(self) -> &'static str {
        match self {
            Self::Threads => "threads",
            Self::Async => "async",
            Self::Prefork => "prefork",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The row's label in the table.
    pub fn label(self, workers: usize) -> String {
        match self {
            Self::Threads => "Rust: thread per connection".to_owned(),
            Self::Async => "Rust: axum on tokio".to_owned(),
            Self::Prefork => format!("Rust: {workers} pre-forked processes"),
        }
    }
}

/// Gunicorn's suggested worker count: `2 x cores + 1`.
pub fn default_workers() -> usize {
    2 * course_support::cores() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_and_print_back() {
        let io = Endpoint::parse("/io?ms=30").unwrap();
        assert_eq!(io, Endpoint::Io(Duration::from_millis(30)));
        assert_eq!(io.path(), "/io?ms=30");
        assert_eq!(Endpoint::parse("/cpu?n=100"), Some(Endpoint::Cpu(100)));
        assert_eq!(Endpoint::Cpu(100).serve_blocking(), "25\n");
        assert_eq!(Endpoint::parse("/io"), None);
        assert_eq!(Endpoint::parse("/nope"), None);
    }
}

//! # Exercise: a manager process that serialises increments
//!
//! Reference solution.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a client waits for an answer before giving up with an error.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(2);

/// Serves `listener` until the process ends: a thread per connection, one
/// answer line per request line, one map of `String -> i64` shared by all.
/// A connection that fails or closes ends only its own thread.
pub fn serve(listener: UnixListener) {
    let map: Arc<Mutex<HashMap<String, i64>>> = Arc::default();
    for conn in listener.incoming() {
        let Ok(conn) = conn else { continue };
        let map = Arc::clone(&map);
        std::thread::spawn(move || -> io::Result<()> {
            let mut out = conn.try_clone()?;
            for line in BufReader::new(conn).lines() {
                let answer = answer(&map, &line?);
                out.write_all(format!("{answer}\n").as_bytes())?;
            }
            Ok(())
        });
    }
}

fn answer(map: &Mutex<HashMap<String, i64>>, request: &str) -> String {
    // A panic elsewhere must not stop the server: take the map anyway.
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    match request.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["incr", key, n] => match n.parse::<i64>() {
            Ok(n) => {
                let v = map.entry((*key).to_owned()).or_insert(0);
                *v += n; // read and write under one lock
                format!("ok {v}")
            }
            Err(_) => format!("err not a number: {n}"),
        },
        ["get", key] => format!("ok {}", map.get(*key).copied().unwrap_or(0)),
        _ => format!("err unknown request: {request}"),
    }
}

/// One connection to the manager.
#[derive(Debug)]
pub struct Client {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Client {
    /// Connects to the manager's socket; answers are awaited at most
    /// [`ANSWER_TIMEOUT`].
    pub fn connect(socket: &Path) -> io::Result<Client> {
        let stream = UnixStream::connect(socket)?;
        stream.set_read_timeout(Some(ANSWER_TIMEOUT))?;
        Ok(Client {
            writer: stream.try_clone()?,
            reader: BufReader::new(stream),
        })
    }

    fn call(&mut self, request: &str) -> io::Result<i64> {
        self.writer.write_all(format!("{request}\n").as_bytes())?;
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the manager closed the connection (did it die?)",
            ));
        }
        match line.trim_end().strip_prefix("ok ") {
            Some(v) => v.parse().map_err(io::Error::other),
            None => Err(io::Error::other(format!("the manager said {line:?}"))),
        }
    }

    /// `incr KEY N`: returns the new value. An answer that never comes, a
    /// closed connection or an `err` answer is an `Err`.
    pub fn incr(&mut self, key: &str, n: i64) -> io::Result<i64> {
        self.call(&format!("incr {key} {n}"))
    }

    /// `get KEY`: returns the value (0 if the key was never incremented).
    pub fn get(&mut self, key: &str) -> io::Result<i64> {
        self.call(&format!("get {key}"))
    }
}

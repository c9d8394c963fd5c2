//! # Exercise: a manager process that serialises increments
//!
//! Python's `multiprocessing.Manager()` is a server process that owns the
//! real objects; other processes hold proxies, and every call is a request
//! to the server and an answer back. `d[k] += 1` through a proxy is two
//! calls (a get, then a set) and loses updates; an increment done *inside*
//! the server, under its lock, does not. Here you write both ends over a
//! Unix socket.
//!
//! The protocol is one line per request, one line per answer:
//!
//! | request       | answer                                          |
//! |---------------|-------------------------------------------------|
//! | `incr KEY N`  | `ok NEW` (the value after adding N; a new key starts at 0) |
//! | `get KEY`     | `ok VALUE` (0 for a key never incremented)      |
//! | anything else | `err WHY`                                       |
//!
//! Write:
//! - [`serve`]: accept connections forever, each served on a thread of its
//!   own, all sharing one map;
//! - [`Client::connect`], [`Client::incr`], [`Client::get`]: one request,
//!   one answer.
//!
//! Rules the tests check:
//! - N client processes x M increments, started together, give exactly N x M;
//! - a client that dies (killed, or in the middle of a line) or sends
//!   garbage never stops the server from answering the others;
//! - when the server dies, the client's next call returns an error at once,
//!   and a server that never answers is an error after [`ANSWER_TIMEOUT`]:
//!   never a hang.
//!
//! Run the tests with `cargo xtask check exercises manager-counter`, ask for
//! a hint with `cargo xtask hint manager-counter`.

use std::io::{self, BufReader};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::Duration;

/// How long a client waits for an answer before giving up with an error.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(2);

/// Serves `listener` until the process ends: a thread per connection, one
/// answer line per request line, one map of `String -> i64` shared by all.
/// A connection that fails or closes ends only its own thread.
pub fn serve(listener: UnixListener) {
    todo!("accept in a loop; per connection a thread that reads lines and answers each")
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
        todo!("UnixStream::connect, a read timeout, and a second handle (try_clone) to write")
    }

    /// `incr KEY N`: returns the new value. An answer that never comes, a
    /// closed connection or an `err` answer is an `Err`.
    pub fn incr(&mut self, key: &str, n: i64) -> io::Result<i64> {
        todo!("write the request line, read one answer line, parse `ok NEW`")
    }

    /// `get KEY`: returns the value (0 if the key was never incremented).
    pub fn get(&mut self, key: &str) -> io::Result<i64> {
        todo!("like incr")
    }
}

//! A line reader that can sit in a `tokio::select!` loop without losing
//! data when another branch wins.
//!
//! `tokio::select!` drops the futures of the branches that lose. A reader
//! whose future holds part of a line when it is dropped loses those bytes:
//! `AsyncBufReadExt::read_line` into a fresh `String` does exactly that (its
//! docs say it is not cancel safe), and so does any loop that collects bytes
//! in a local `Vec`. asyncio's `StreamReader.readline` does not lose them,
//! because the bytes wait in the reader's own buffer; do the same here.
//!
//! Replace each `todo!()`. Check your work with
//! `cargo xtask check exercises cancel-safe-lines`; stuck?
//! `cargo xtask hint cancel-safe-lines`.

use std::io;

use tokio::io::AsyncRead;

/// Reads `\n`-terminated lines from `inner`.
#[derive(Debug)]
pub struct LineReader<R> {
    inner: R,
    /// Bytes read but not returned yet: the start of the next line(s).
    buf: Vec<u8>,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub fn new(inner: R) -> Self {
        todo!()
    }

    /// The next line, without its `\n`; at the end of the stream, what is
    /// left after the last `\n` (if anything), then `None`. Bytes that are
    /// not UTF-8 are an `InvalidData` error.
    ///
    /// Cancel safe: if the future is dropped before it completes (another
    /// `select!` branch won, a timeout fired), no byte is lost; the next call
    /// returns the line whole.
    pub async fn next_line(&mut self) -> io::Result<Option<String>> {
        todo!("a line from self.buf, or read more into it")
    }
}

fn text(bytes: Vec<u8>) -> io::Result<String> {
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

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
//! Reference solution.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

/// Reads `\n`-terminated lines from `inner`.
#[derive(Debug)]
pub struct LineReader<R> {
    inner: R,
    /// Bytes read but not returned yet: the start of the next line(s).
    buf: Vec<u8>,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            buf: Vec::new(),
        }
    }

    /// The next line, without its `\n`; at the end of the stream, what is
    /// left after the last `\n` (if anything), then `None`. Bytes that are
    /// not UTF-8 are an `InvalidData` error.
    ///
    /// Cancel safe: if the future is dropped before it completes (another
    /// `select!` branch won, a timeout fired), no byte is lost; the next call
    /// returns the line whole.
    pub async fn next_line(&mut self) -> io::Result<Option<String>> {
        loop {
            if let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.buf.drain(..=pos).collect();
                line.pop(); // the '\n'
                return text(line).map(Some);
            }
            let mut chunk = [0u8; 256];
            let n = self.inner.read(&mut chunk).await?; // cancel safe
            if n == 0 {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                return text(std::mem::take(&mut self.buf)).map(Some);
            }
            self.buf.extend_from_slice(&chunk[..n]); // no .await since the read
        }
    }
}

fn text(bytes: Vec<u8>) -> io::Result<String> {
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

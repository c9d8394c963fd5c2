//! Handing a child its end of a channel.
//!
//! Python pickles a `Queue` into the arguments of `Process(...)`: under the
//! hood the child inherits (fork) or is sent (spawn) the pipe's file
//! descriptors. A re-executed Rust child starts with nothing but its command
//! line, so we do it in the open:
//!
//! 1. the parent opens an [`IpcOneShotServer`], a Unix socket with a name in
//!    the file system, and puts that name on the child's command line;
//! 2. the child connects to it and sends an `IpcSender` of its own;
//! 3. the parent sends, through that sender, whatever the child needs:
//!    `IpcSender`s and `IpcReceiver`s travel inside messages (their file
//!    descriptors are passed by the kernel), so after this one message the
//!    child holds real channel ends, shared with the parent and its siblings.
//!
//! `accept()` blocks until someone connects, so a child that dies before it
//! connects would hang a naive parent forever. [`Offer::hand_over`] waits on
//! another thread, watches the child, and gives up with an error instead.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use course_support::child::{ChildGuard, describe};
use ipc_channel::ipc::{self, IpcOneShotServer, IpcSender};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// How long a child may take to start and connect before we give up on it.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

// ANCHOR: offer
/// The parent's side: a one-shot server a child will connect to.
pub struct Offer<T: Serialize + DeserializeOwned> {
    server: IpcOneShotServer<IpcSender<T>>,
    name: String,
}

impl<T: Serialize + DeserializeOwned + Send + 'static> Offer<T> {
    pub fn new() -> Result<Self> {
        let (server, name) = IpcOneShotServer::new().context("opening a one-shot IPC server")?;
        Ok(Self { server, name })
    }

    /// The server's name: pass it to the child on its command line.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Waits until `child` connects, then sends it `payload`. Fails, instead
    /// of hanging, if the child exits first or `timeout` passes.
    pub fn hand_over(self, child: &mut ChildGuard, payload: T, timeout: Duration) -> Result<()> {
        let Offer { server, name } = self;
        let (done_tx, done_rx) = mpsc::channel();
        // accept() blocks: give it a thread, and keep watching the child here.
        let acceptor = thread::spawn(move || {
            let _ = done_tx.send(server.accept());
        });
        let deadline = Instant::now() + timeout;
        let failure = loop {
            match done_rx.recv_timeout(Duration::from_millis(5)) {
                Ok(Ok((_, child_inbox))) => {
                    let _ = acceptor.join();
                    return child_inbox
                        .send(payload)
                        .with_context(|| format!("sending pid {} its channels", child.id()));
                }
                Ok(Err(e)) => break format!("it connected but then failed: {e}"),
                Err(mpsc::RecvTimeoutError::Disconnected) => break "accept panicked".into(),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if let Some(status) = child.try_wait()? {
                break format!("it ended ({}) before connecting", describe(status));
            }
            if Instant::now() >= deadline {
                break format!("it did not connect within {timeout:?}");
            }
        };
        unblock(&name, &done_rx);
        bail!("child pid {}: {failure}", child.id())
    }
}
// ANCHOR_END: offer

impl<T: Serialize + DeserializeOwned> std::fmt::Debug for Offer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Offer").field("name", &self.name).finish()
    }
}

/// What `IpcOneShotServer::accept` returns.
type Accepted<T> = Result<(ipc::IpcReceiver<IpcSender<T>>, IpcSender<T>), ipc_channel::IpcError>;

/// Releases a thread stuck in `accept()` by connecting to the server
/// ourselves; if even that fails, the thread is left blocked (never the
/// parent).
fn unblock<T: Serialize + DeserializeOwned>(name: &str, done: &mpsc::Receiver<Accepted<T>>) {
    if done.try_recv().is_ok() {
        return;
    }
    if let (Ok(me), Ok((dummy, _))) = (
        IpcSender::<IpcSender<T>>::connect(name.to_owned()),
        ipc::channel::<T>(),
    ) {
        let _ = me.send(dummy);
    }
    let _ = done.recv_timeout(Duration::from_secs(1));
}

// ANCHOR: receive
/// The child's side: connect to the parent's server, send it an inbox, and
/// receive the one message the parent puts there.
pub fn receive<T: Serialize + DeserializeOwned>(server: &str) -> Result<T> {
    let (inbox, from_parent) = ipc::channel::<T>()?;
    let to_parent = IpcSender::<IpcSender<T>>::connect(server.to_owned())
        .with_context(|| format!("connecting to the parent's server {server}"))?;
    to_parent.send(inbox)?;
    from_parent
        .recv()
        .context("waiting for the parent to send our channels")
}
// ANCHOR_END: receive

//! `multiprocessing.Queue` with many producer processes, and what happens
//! when one of them crashes halfway.
//!
//! The queue is one `ipc-channel` channel: the parent keeps the
//! `IpcReceiver`, and every producer process gets a clone of the
//! `IpcSender` (see [`crate::bootstrap`]). When the parent has dropped its
//! own sender, `recv` returns `Disconnected` exactly when every producer is
//! gone, whether it finished, panicked or was killed: the kernel closes a
//! dead process's file descriptors, so a crash can't leave the consumer
//! waiting for messages that will never come.

use std::io::Read;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use course_support::child::{ChildGuard, Children, Spawner, Watchdog, exit_when_orphaned};
use ipc_channel::IpcError;
use ipc_channel::ipc::{self, IpcSender};
use serde::{Deserialize, Serialize};

use crate::bootstrap::{self, CONNECT_TIMEOUT, Offer};

/// One message: who sent it and its number in that producer's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub producer: u32,
    pub seq: u64,
}

/// How a producer is told to crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Crash {
    /// `panic!`: the process exits with code 101.
    Panic,
    /// `std::process::abort()`: the process is killed by SIGABRT.
    Abort,
    /// Stop sending and sleep forever: only the consumer's timeout ends it.
    Hang,
}

/// What one producer is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// How many messages to send.
    pub messages: u64,
    /// Crash after sending this many, instead of finishing.
    pub crash: Option<(u64, Crash)>,
}

impl Plan {
    pub fn ok(messages: u64) -> Self {
        Plan {
            messages,
            crash: None,
        }
    }

    pub fn crash(messages: u64, after: u64, how: Crash) -> Self {
        Plan {
            messages,
            crash: Some((after, how)),
        }
    }

    /// How many messages the consumer should get from this producer.
    pub fn delivers(&self) -> u64 {
        self.crash
            .map_or(self.messages, |(after, _)| after.min(self.messages))
    }
}

/// What the consumer saw of one producer.
#[derive(Debug, Clone)]
pub struct Producer {
    pub id: u32,
    pub pid: u32,
    pub plan: Plan,
    /// Messages received from it.
    pub received: u64,
    /// Every number `0..received` arrived, once each, in order.
    pub in_order: bool,
    pub status: ExitStatus,
    /// Its last words on stderr: the panic message, or the first line.
    pub stderr: String,
}

/// The whole run.
#[derive(Debug, Clone)]
pub struct Collected {
    pub producers: Vec<Producer>,
    pub total: u64,
    /// From the first message received to the last.
    pub first_to_last: Duration,
    /// The deadline passed and producers still running were killed.
    pub timed_out: bool,
}

impl Collected {
    /// Messages per second, counted between the first and last message.
    pub fn per_second(&self) -> f64 {
        per_second(self.total, self.first_to_last)
    }

    /// Each producer delivered exactly what its plan says, in order.
    pub fn exactly_once(&self) -> bool {
        self.producers
            .iter()
            .all(|p| p.in_order && p.received == p.plan.delivers())
    }

    /// What arrived, in words: "each exactly once, in order per producer",
    /// or what went wrong with which producer (fewer than planned, out of
    /// order or repeated), without guessing what the run cannot tell.
    pub fn verdict(&self) -> String {
        let problems: Vec<String> = self
            .producers
            .iter()
            .filter_map(|p| {
                let planned = p.plan.delivers();
                if !p.in_order {
                    Some(format!(
                        "producer {}: messages out of order or repeated",
                        p.id
                    ))
                } else if p.received < planned {
                    Some(format!(
                        "producer {}: {} of {planned} arrived, none repeated (it ended with {})",
                        p.id,
                        p.received,
                        course_support::child::describe(p.status)
                    ))
                } else if p.received > planned {
                    Some(format!(
                        "producer {}: {} arrived, more than the {planned} planned",
                        p.id, p.received
                    ))
                } else {
                    None
                }
            })
            .collect();
        if problems.is_empty() {
            "each exactly once, in order per producer".to_owned()
        } else {
            problems.join("; ")
        }
    }
}

/// `(n - 1) / elapsed`: the rate between the first and the last of `n` events.
pub fn per_second(n: u64, first_to_last: Duration) -> f64 {
    let secs = first_to_last.as_secs_f64();
    if n < 2 || secs <= 0.0 {
        return 0.0;
    }
    (n - 1) as f64 / secs
}

// ANCHOR: consume
/// Starts one producer process per plan, hands each a clone of the queue's
/// sender, and collects every message until all producers are gone (or
/// `timeout` passes: then the ones still running are killed).
pub fn run(spawner: &Spawner, plans: &[Plan], timeout: Duration) -> Result<Collected> {
    let (queue_tx, queue_rx) = ipc::channel::<Item>()?;
    let mut children = Children::new();
    let mut offers = Vec::new();
    for (id, plan) in plans.iter().enumerate() {
        let offer = Offer::<IpcSender<Item>>::new()?;
        let mut cmd = spawner.command("producer", plan_args(id as u32, plan, offer.name()));
        cmd.stderr(Stdio::piped()).env("RUST_BACKTRACE", "0");
        children.push(ChildGuard::spawn(&mut cmd).context("starting a producer")?);
        offers.push(offer);
    }
    // Everyone is starting at once; now give each its end of the queue.
    for (child, offer) in children.iter_mut().zip(offers) {
        offer.hand_over(child, queue_tx.clone(), CONNECT_TIMEOUT)?;
    }
    // Our own sender must go, or `recv` could never report `Disconnected`.
    drop(queue_tx);

    let mut next = vec![0u64; plans.len()];
    let mut in_order = vec![true; plans.len()];
    let (mut first, mut last) = (None, None);
    let mut total = 0u64;
    // The timeout: a watchdog kills every producer still running at the
    // deadline, which closes their senders and ends the loop below.
    let watchdog = Watchdog::start(children.pids(), timeout);
    loop {
        match queue_rx.recv() {
            Ok(item) => {
                let now = Instant::now();
                first.get_or_insert(now);
                last = Some(now);
                total += 1;
                let p = item.producer as usize;
                if p >= plans.len() {
                    bail!("a message from unknown producer {p}");
                }
                in_order[p] &= item.seq == next[p];
                next[p] += 1;
            }
            // Every sender is closed: every producer has ended, one way or another.
            Err(IpcError::Disconnected) => break,
            Err(e) => return Err(e).context("receiving"),
        }
    }
    let timed_out = watchdog.stop();
    let mut producers = Vec::new();
    for (id, child) in children.iter_mut().enumerate() {
        let status = match child.wait_timeout(Duration::from_secs(5))? {
            Some(status) => status,
            None => child.kill()?,
        };
        producers.push(Producer {
            id: id as u32,
            pid: child.id(),
            plan: plans[id],
            received: next[id],
            in_order: in_order[id],
            status,
            stderr: first_line_of_stderr(child),
        });
    }
    let first_to_last = match (first, last) {
        (Some(f), Some(l)) => l - f,
        _ => Duration::ZERO,
    };
    Ok(Collected {
        producers,
        total,
        first_to_last,
        timed_out,
    })
}
// ANCHOR_END: consume

fn plan_args(id: u32, plan: &Plan, server: &str) -> Vec<String> {
    let mut args = vec![
        "--server".to_owned(),
        server.to_owned(),
        "--id".to_owned(),
        id.to_string(),
        "--messages".to_owned(),
        plan.messages.to_string(),
    ];
    if let Some((after, how)) = plan.crash {
        args.push("--crash-after".to_owned());
        args.push(after.to_string());
        args.push("--how".to_owned());
        args.push(
            how.to_possible_value()
                .expect("no skipped variants")
                .get_name()
                .to_owned(),
        );
    }
    args
}

/// What the child wrote to stderr, in one line: for a panic, `panicked: `
/// and its message; otherwise the first line. The child has exited, so its
/// stderr pipe is at end of file and reading it can't block.
fn first_line_of_stderr(child: &mut ChildGuard) -> String {
    let mut text = String::new();
    if let Some(mut err) = child.child_mut().stderr.take() {
        let _ = err.read_to_string(&mut text);
    }
    summarize_stderr(&text)
}

fn summarize_stderr(text: &str) -> String {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    match lines.next() {
        // Rust prints `thread 'main' (pid) panicked at src/x.rs:1:2:` then the message.
        Some(first) if first.contains("panicked at") => match lines.next() {
            Some(message) => format!("panicked: {message}"),
            None => first.to_owned(),
        },
        Some(first) => first.to_owned(),
        None => String::new(),
    }
}

// ANCHOR: producer
/// Role `producer`: get a clone of the queue's sender, send numbered
/// messages, and maybe crash partway through.
pub fn producer_role(
    server: &str,
    id: u32,
    messages: u64,
    crash: Option<(u64, Crash)>,
) -> Result<()> {
    let queue: IpcSender<Item> = bootstrap::receive(server)?;
    for seq in 0..messages {
        if let Some((after, how)) = crash
            && seq == after
        {
            match how {
                Crash::Panic => panic!("producer {id} crashes after {after} messages"),
                Crash::Abort => std::process::abort(),
                Crash::Hang => {
                    exit_when_orphaned();
                    loop {
                        std::thread::sleep(Duration::from_secs(1));
                    }
                }
            }
        }
        queue.send(Item { producer: id, seq })?;
    }
    Ok(())
}
// ANCHOR_END: producer

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crash_caps_what_a_plan_delivers() {
        assert_eq!(Plan::ok(10).delivers(), 10);
        assert_eq!(Plan::crash(10, 3, Crash::Panic).delivers(), 3);
        assert_eq!(Plan::crash(10, 30, Crash::Abort).delivers(), 10);
    }

    #[cfg(unix)]
    #[test]
    fn the_verdict_says_which_producer_fell_short_and_how() {
        use std::os::unix::process::ExitStatusExt;
        let producer = |id, received, in_order, status| Producer {
            id,
            pid: 1,
            plan: Plan::ok(100),
            received,
            in_order,
            status: ExitStatus::from_raw(status),
            stderr: String::new(),
        };
        let run = |producers: Vec<Producer>| Collected {
            total: producers.iter().map(|p| p.received).sum(),
            producers,
            first_to_last: Duration::from_millis(1),
            timed_out: false,
        };
        let ok = run(vec![producer(0, 100, true, 0)]);
        assert_eq!(ok.verdict(), "each exactly once, in order per producer");
        // Killed by SIGKILL after 40: fewer arrived, nothing repeated.
        let killed = run(vec![producer(0, 100, true, 0), producer(1, 40, true, 9)]);
        let v = killed.verdict();
        assert!(
            v.contains("producer 1: 40 of 100 arrived, none repeated") && v.contains("SIGKILL"),
            "{v}"
        );
        assert!(!v.contains("producer 0"), "{v}");
        let mixed = run(vec![producer(2, 100, false, 0)]);
        assert!(mixed.verdict().contains("out of order or repeated"));
    }

    #[test]
    fn rates_need_two_events() {
        assert_eq!(per_second(1, Duration::from_secs(1)), 0.0);
        assert_eq!(per_second(11, Duration::from_secs(2)), 5.0);
    }

    #[test]
    fn panics_are_summarized_by_their_message() {
        let text =
            "thread 'main' (7) panicked at src/queue.rs:1:2:\nproducer 1 crashes\nnote: ...\n";
        assert_eq!(summarize_stderr(text), "panicked: producer 1 crashes");
        assert_eq!(summarize_stderr("\nerror: x\n"), "error: x");
        assert_eq!(summarize_stderr(""), "");
    }

    #[test]
    fn crash_args_name_the_crash() {
        let args = plan_args(2, &Plan::crash(9, 4, Crash::Abort), "/tmp/x");
        assert_eq!(
            args.join(" "),
            "--server /tmp/x --id 2 --messages 9 --crash-after 4 --how abort"
        );
    }
}

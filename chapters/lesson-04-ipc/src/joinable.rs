//! `multiprocessing.JoinableQueue`: `task_done()` and `join()`.
//!
//! A plain queue tells the consumer nothing about the *work*: the last `get()`
//! says a task was taken, not that it was finished. A joinable queue counts
//! unfinished tasks: `put` adds one, each worker's `task_done` takes one away,
//! and `join` returns when the count is back to zero, so the parent knows
//! that every task it queued has been processed.
//!
//! Here the parent owns the queue. Each worker process has its own task
//! channel and all of them share one channel back to the parent. A worker
//! holds at most one task at a time: its `task_done` message is also its
//! request for the next task, so a fast worker takes more tasks than a slow
//! one, as with Python's single shared queue. A background thread in the
//! parent (Python's queue has a "feeder" thread too) receives the
//! `task_done` messages, decrements the count and hands out pending tasks.
//!
//! One difference on purpose: if a worker dies holding a task, Python's
//! `join()` waits forever. [`JoinableQueue::join`] watches the workers and
//! reports the dead one instead.

use std::collections::VecDeque;
use std::process::ExitStatus;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use course_support::child::{Children, Spawner, describe};
use ipc_channel::ipc::{self, IpcReceiver, IpcSender};
use serde::{Deserialize, Serialize};

use crate::bootstrap::{self, CONNECT_TIMEOUT, Offer};

/// One unit of work: count the primes in `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: u64,
    pub start: u64,
    pub end: u64,
    /// Sleep this long first (to make a task visibly slow in tests).
    pub sleep_ms: u64,
    /// Crash the worker instead of finishing (to show `join` noticing).
    pub crash: bool,
}

impl Task {
    pub fn primes(id: u64, start: u64, end: u64) -> Self {
        Task {
            id,
            start,
            end,
            sleep_ms: 0,
            crash: false,
        }
    }
}

/// A worker's `task_done()`: which task, its result, and who did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {
    pub worker: usize,
    pub pid: u32,
    pub task: u64,
    pub primes: u64,
}

/// What a worker process receives at start: its task channel and a sender
/// for `task_done` messages.
#[derive(Debug, Serialize, Deserialize)]
struct WorkerEnd {
    index: usize,
    tasks: IpcReceiver<Task>,
    done: IpcSender<Done>,
}

#[derive(Debug, Default)]
struct State {
    /// put() minus task_done(): Python's "unfinished tasks" counter.
    unfinished: usize,
    put: u64,
    done: Vec<Done>,
    pending: VecDeque<Task>,
    idle: Vec<usize>,
    /// The task each worker holds right now.
    holding: Vec<Option<u64>>,
    senders: Vec<Option<IpcSender<Task>>>,
    /// Every worker's `done` sender has closed: no task_done can come any more.
    disconnected: bool,
    error: Option<String>,
}

impl State {
    /// Gives `task` to worker `w`.
    fn give(&mut self, w: usize, task: Task) {
        self.holding[w] = Some(task.id);
        if let Some(tx) = &self.senders[w] {
            // If the worker is gone the send fails, but it still "holds" the
            // task: join() notices the dead worker and reports it.
            let _ = tx.send(task);
        }
    }
}

/// The parent's side of a joinable queue served by worker processes.
#[derive(Debug)]
pub struct JoinableQueue {
    shared: Arc<(Mutex<State>, Condvar)>,
    children: Children,
    listener: Option<JoinHandle<()>>,
}

impl JoinableQueue {
    /// Starts `workers` worker processes, ready for tasks.
    pub fn start(spawner: &Spawner, workers: usize) -> Result<Self> {
        let (done_tx, done_rx) = ipc::channel::<Done>()?;
        let mut children = Children::new();
        let mut offers = Vec::new();
        for _ in 0..workers {
            let offer = Offer::<WorkerEnd>::new()?;
            children.push(spawner.spawn("worker", ["--server", offer.name()])?);
            offers.push(offer);
        }
        let mut senders = Vec::new();
        for (index, (child, offer)) in children.iter_mut().zip(offers).enumerate() {
            let (tasks_tx, tasks_rx) = ipc::channel::<Task>()?;
            let end = WorkerEnd {
                index,
                tasks: tasks_rx,
                done: done_tx.clone(),
            };
            offer.hand_over(child, end, CONNECT_TIMEOUT)?;
            senders.push(Some(tasks_tx));
        }
        drop(done_tx);
        let state = State {
            idle: (0..workers).rev().collect(),
            holding: vec![None; workers],
            senders,
            ..State::default()
        };
        let shared = Arc::new((Mutex::new(state), Condvar::new()));
        let listener = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || listen(&shared, &done_rx))
        };
        Ok(JoinableQueue {
            shared,
            children,
            listener: Some(listener),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ANCHOR: put
    /// Queues a task: the unfinished count goes up by one.
    pub fn put(&self, task: Task) {
        let mut s = self.state();
        s.unfinished += 1;
        s.put += 1;
        match s.idle.pop() {
            Some(w) => s.give(w, task),
            None => s.pending.push_back(task),
        }
    }
    // ANCHOR_END: put

    /// Tasks put and not yet marked done.
    pub fn unfinished(&self) -> usize {
        self.state().unfinished
    }

    /// Every `task_done` received so far, in the order they arrived.
    pub fn done(&self) -> Vec<Done> {
        self.state().done.clone()
    }

    /// How many tasks were put.
    pub fn put_count(&self) -> u64 {
        self.state().put
    }

    /// The workers' pids.
    pub fn pids(&self) -> Vec<u32> {
        self.children.pids()
    }

    // ANCHOR: join
    /// Blocks until every task put so far has been marked done. Fails instead
    /// of waiting forever if a worker dies holding a task, or after `timeout`.
    pub fn join(&mut self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let all_gone = {
                let (lock, cvar) = &*self.shared;
                let s = lock.lock().unwrap_or_else(|e| e.into_inner());
                // Sleep until a task_done arrives (or 20 ms, to check on the workers).
                let (s, _) = cvar
                    .wait_timeout_while(s, Duration::from_millis(20), |s| {
                        s.unfinished > 0 && s.error.is_none() && !s.disconnected
                    })
                    .unwrap_or_else(|e| e.into_inner());
                if let Some(e) = &s.error {
                    bail!("{e}");
                }
                if s.unfinished == 0 {
                    return Ok(());
                }
                s.disconnected
            };
            if all_gone {
                // Let the exits finish, so check_workers can tell who died.
                self.children.wait_all(Duration::from_secs(2))?;
            }
            self.check_workers()?;
            if all_gone {
                bail!(
                    "join: every worker is gone with {} task(s) unfinished",
                    self.unfinished()
                );
            }
            if Instant::now() >= deadline {
                bail!(
                    "join: {} task(s) still unfinished after {timeout:?}",
                    self.unfinished()
                );
            }
        }
    }
    // ANCHOR_END: join

    /// Fails if a worker has exited while holding a task.
    fn check_workers(&mut self) -> Result<()> {
        for (w, child) in self.children.iter_mut().enumerate() {
            if let Some(status) = child.try_wait()? {
                let s = self.shared.0.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(task) = s.holding[w] {
                    bail!(
                        "worker {w} (pid {}) ended ({}) while holding task {task}: it will \
                         never call task_done, so a plain join() would wait forever",
                        child.id(),
                        describe(status)
                    );
                }
            }
        }
        Ok(())
    }

    /// No more tasks: closes every task channel, so each worker's `recv`
    /// fails and it exits by itself. Returns how each worker ended.
    pub fn close(mut self) -> Result<Vec<ExitStatus>> {
        for tx in &mut self.state().senders {
            tx.take();
        }
        let statuses = self.children.wait_all(Duration::from_secs(10))?;
        if statuses.iter().any(Option::is_none) {
            bail!("a worker did not exit after its task channel closed");
        }
        Ok(statuses.into_iter().flatten().collect())
    }
}

impl Drop for JoinableQueue {
    fn drop(&mut self) {
        // Kill any worker still running: then every `done` sender is closed
        // and the listener thread returns.
        let _ = self.children.kill_all();
        if let Some(listener) = self.listener.take() {
            let _ = listener.join();
        }
    }
}

// ANCHOR: listen
/// The parent's background thread: every message is one worker's
/// `task_done()`; it also asks for that worker's next task.
fn listen(shared: &(Mutex<State>, Condvar), done_rx: &IpcReceiver<Done>) {
    let (lock, cvar) = shared;
    loop {
        let msg = done_rx.recv();
        let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
        match msg {
            Ok(done) => {
                if s.unfinished == 0 {
                    // Python raises ValueError here.
                    s.error = Some("task_done() called more times than put()".into());
                } else {
                    s.unfinished -= 1;
                }
                let w = done.worker;
                s.holding[w] = None;
                s.done.push(done);
                match s.pending.pop_front() {
                    Some(task) => s.give(w, task),
                    None => s.idle.push(w),
                }
            }
            Err(_) => {
                s.disconnected = true;
                cvar.notify_all();
                return;
            }
        }
        cvar.notify_all();
    }
}
// ANCHOR_END: listen

// ANCHOR: worker
/// Role `worker`: take a task, do it, call `task_done`, until the task
/// channel closes.
pub fn worker_role(server: &str) -> Result<()> {
    let end: WorkerEnd = bootstrap::receive(server)?;
    let pid = std::process::id();
    while let Ok(task) = end.tasks.recv() {
        if task.sleep_ms > 0 {
            thread::sleep(Duration::from_millis(task.sleep_ms));
        }
        if task.crash {
            std::process::abort();
        }
        let primes = course_support::count_primes(task.start..task.end);
        // task_done(): tell the parent this task is finished.
        end.done.send(Done {
            worker: end.index,
            pid,
            task: task.id,
            primes,
        })?;
    }
    Ok(())
}
// ANCHOR_END: worker

/// `0..limit` cut into `tasks` ranges of (nearly) equal length.
pub fn prime_tasks(limit: u64, tasks: u64) -> Vec<Task> {
    let tasks = tasks.max(1);
    (0..tasks)
        .map(|i| Task::primes(i, limit * i / tasks, limit * (i + 1) / tasks))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prime_tasks_cover_the_range_once() {
        let tasks = prime_tasks(1000, 7);
        assert_eq!(tasks.len(), 7);
        assert_eq!(tasks[0].start, 0);
        assert_eq!(tasks[6].end, 1000);
        for pair in tasks.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
    }
}

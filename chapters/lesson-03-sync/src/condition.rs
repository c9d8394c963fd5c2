//! `threading.Condition` is a lock plus a waiting room; in Rust the two are
//! separate values: the `Mutex` that guards the state and a `Condvar` that
//! threads sleep on until someone changes that state.
//!
//! Three rules, each measured here:
//! - wait in a loop that re-checks the condition (`while`, or `wait_while`):
//!   a thread can wake to find the condition false again, because another
//!   thread got there first, or for no reason at all (a spurious wake-up,
//!   which the API allows);
//! - `notify_one` is right when any waiter can use the change (one item, one
//!   consumer); when waiters wait for *different* things it can wake the
//!   wrong one and the change is lost;
//! - `notify_all` is always correct, and wakes threads that go straight back
//!   to sleep.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Whom to wake after changing the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Notify {
    One,
    All,
}

impl Notify {
    pub fn label(self) -> &'static str {
        match self {
            Notify::One => "notify_one",
            Notify::All => "notify_all",
        }
    }

    fn wake(self, condvar: &Condvar) {
        match self {
            Notify::One => condvar.notify_one(),
            Notify::All => condvar.notify_all(),
        }
    }
}

#[derive(Debug, Default)]
struct Queue {
    items: VecDeque<u64>,
    closed: bool,
    /// Consumers in `pop_counting`'s wait right now...
    asleep: usize,
    /// ...of which this many were notified and have not run yet.
    notified: usize,
}

impl Queue {
    /// Bookkeeping for the demo's producer: a consumer is awake again.
    fn woke_up(&mut self) {
        self.asleep -= 1;
        self.notified = self.notified.saturating_sub(1);
    }
}

/// An unbounded queue of numbers: `queue.Queue` without `maxsize`.
#[derive(Debug, Default)]
pub struct Mailbox {
    queue: Mutex<Queue>,
    /// Consumers wait here for an item.
    ready: Condvar,
    /// The demo's producer waits here for consumers to fall asleep.
    idle: Condvar,
}

/// Wake-ups seen by the consumers of a [`Mailbox`].
#[derive(Debug, Default)]
pub struct WakeCounts {
    /// Times a consumer returned from `wait`.
    pub wakeups: AtomicU64,
    /// Times it woke to an empty, open queue and had to wait again.
    pub found_nothing: AtomicU64,
}

impl Mailbox {
    pub fn push(&self, item: u64, notify: Notify) {
        let mut queue = self.queue.lock().unwrap();
        queue.items.push_back(item);
        let still_waiting = queue.asleep - queue.notified;
        queue.notified += match notify {
            Notify::One => still_waiting.min(1),
            Notify::All => still_waiting,
        };
        drop(queue);
        notify.wake(&self.ready);
    }

    /// No more items will come; consumers drain the queue, then get `None`.
    pub fn close(&self) {
        self.queue.lock().unwrap().closed = true;
        self.ready.notify_all(); // every consumer must see this
    }

    // ANCHOR: wait_while
    /// Takes the next item, waiting while the queue is empty and open.
    pub fn pop(&self) -> Option<u64> {
        let queue = self.queue.lock().unwrap();
        let mut queue = self
            .ready
            .wait_while(queue, |q| q.items.is_empty() && !q.closed)
            .unwrap();
        queue.items.pop_front() // None only when closed and drained
    }
    // ANCHOR_END: wait_while

    // ANCHOR: while_loop
    /// The same as [`Mailbox::pop`], written as the loop `wait_while` runs,
    /// counting the wake-ups that found nothing to take.
    pub fn pop_counting(&self, counts: &WakeCounts) -> Option<u64> {
        let mut queue = self.queue.lock().unwrap();
        while queue.items.is_empty() && !queue.closed {
            queue.asleep += 1;
            self.idle.notify_one(); // (bookkeeping for the demo's producer)
            queue = self.ready.wait(queue).unwrap(); // unlocks, sleeps, relocks
            queue.woke_up();
            counts.wakeups.fetch_add(1, Relaxed);
            if queue.items.is_empty() && !queue.closed {
                // With `if` instead of `while`, we would pop an empty queue now.
                counts.found_nothing.fetch_add(1, Relaxed);
            }
        }
        queue.items.pop_front()
    }
    // ANCHOR_END: while_loop

    /// Waits until the queue is empty and `consumers` consumers are asleep
    /// in `pop_counting`, none of them notified and still on its way.
    fn wait_until_asleep(&self, consumers: usize) {
        let queue = self.queue.lock().unwrap();
        let _all_asleep = self
            .idle
            .wait_while(queue, |q| {
                !(q.items.is_empty() && q.asleep == consumers && q.notified == 0)
            })
            .unwrap();
    }
}

/// What the consumers of one run saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueRun {
    pub notify: Notify,
    pub items: u64,
    /// The sum of everything consumed: `1 + 2 + ... + items` if nothing was
    /// lost or taken twice.
    pub sum: u64,
    pub wakeups: u64,
    pub found_nothing: u64,
}

/// One producer pushes `1..=items`, waking consumers with `notify`;
/// `consumers` threads take them with [`Mailbox::pop_counting`]. Before
/// each push the producer waits until every consumer is asleep (a quiet
/// server), so each wake-up can be accounted for.
pub fn queue_wakeups(consumers: usize, items: u64, notify: Notify) -> QueueRun {
    let mailbox = Mailbox::default();
    let counts = WakeCounts::default();
    let sum = thread::scope(|s| {
        let takers: Vec<_> = (0..consumers)
            .map(|_| {
                s.spawn(|| {
                    let mut sum = 0;
                    while let Some(item) = mailbox.pop_counting(&counts) {
                        sum += item;
                    }
                    sum
                })
            })
            .collect();
        for item in 1..=items {
            mailbox.wait_until_asleep(consumers);
            mailbox.push(item, notify);
        }
        mailbox.close();
        takers.into_iter().map(|t| t.join().unwrap()).sum()
    });
    QueueRun {
        notify,
        items,
        sum,
        wakeups: counts.wakeups.into_inner(),
        found_nothing: counts.found_nothing.into_inner(),
    }
}

/// What a run of [`take_turns`] saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnRun {
    pub notify: Notify,
    pub turns: usize,
    /// Every turn was taken by the right thread, in order.
    pub in_order: bool,
    pub wakeups: u64,
    /// Woken, but it was another thread's turn: back to sleep.
    pub not_my_turn: u64,
    /// A thread's turn came and nobody woke it: it found out only when its
    /// wait timed out. Without the timeout, the run would hang here.
    pub lost_wakeups: u64,
    pub elapsed: Duration,
}

// ANCHOR: turns
/// `threads` threads take `rounds` turns each, in order 0, 1, 2, ...: thread
/// `i` waits until `next % threads == i`, takes its turn, then wakes the
/// others with `notify`. Each wait gives up after `patience`, so a lost
/// wake-up costs time instead of hanging the program.
pub fn take_turns(threads: usize, rounds: usize, notify: Notify, patience: Duration) -> TurnRun {
    let next = Mutex::new(0usize);
    let changed = Condvar::new();
    let taken = Mutex::new(Vec::new());
    let (wakeups, not_my_turn, lost) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    let start = Instant::now();
    thread::scope(|s| {
        for me in 0..threads {
            let (next, changed, taken) = (&next, &changed, &taken);
            let (wakeups, not_my_turn, lost) = (&wakeups, &not_my_turn, &lost);
            s.spawn(move || {
                for round in 0..rounds {
                    let my_turn = round * threads + me;
                    let mut turn = next.lock().unwrap();
                    while *turn != my_turn {
                        let (woken, wait) = changed.wait_timeout(turn, patience).unwrap();
                        turn = woken;
                        let mine = *turn == my_turn;
                        if wait.timed_out() {
                            if mine {
                                lost.fetch_add(1, Relaxed); // my turn came, nobody woke me
                            }
                        } else {
                            wakeups.fetch_add(1, Relaxed);
                            if !mine {
                                not_my_turn.fetch_add(1, Relaxed); // back to sleep
                            }
                        }
                    }
                    taken.lock().unwrap().push(me);
                    *turn += 1;
                    drop(turn);
                    notify.wake(changed);
                }
            });
        }
    });
    let taken = taken.into_inner().unwrap();
    let in_order = taken.len() == threads * rounds
        && taken.iter().enumerate().all(|(i, &who)| who == i % threads);
    TurnRun {
        notify,
        turns: taken.len(),
        in_order,
        wakeups: wakeups.into_inner(),
        not_my_turn: not_my_turn.into_inner(),
        lost_wakeups: lost.into_inner(),
        elapsed: start.elapsed(),
    }
}
// ANCHOR_END: turns

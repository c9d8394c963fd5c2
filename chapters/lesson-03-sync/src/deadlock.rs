//! Deadlock by lock order: thread 1 holds lock A and waits for B, thread 2
//! holds B and waits for A. Neither can go on, and with plain `lock()` the
//! program hangs for ever, in Python and in Rust alike. The compiler does
//! not catch it: a deadlock is not a data race.
//!
//! Here every lock is taken with a deadline ([`try_lock_for`]: `try_lock` in
//! a loop, the way `Lock.acquire(timeout=...)` works), so a deadlock is
//! *detected* instead of hanging: the thread that gives up drops the lock it
//! holds and reports how long it waited. Then the fix: take the locks in one
//! global order (by account id), and the cycle can't form.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Condvar, Mutex, MutexGuard, TryLockError};
use std::thread;
use std::time::{Duration, Instant};

use crate::lock::lock_ignoring_poison;

/// A bank account: the balance is behind its own lock.
#[derive(Debug)]
pub struct Account {
    pub id: usize,
    balance: Mutex<i64>,
}

impl Account {
    pub fn new(id: usize, balance: i64) -> Self {
        Account {
            id,
            balance: Mutex::new(balance),
        }
    }

    pub fn balance(&self) -> i64 {
        *lock_ignoring_poison(&self.balance)
    }
}

// ANCHOR: try_lock_for
/// Locks `m`, or gives up after `patience`: `Lock.acquire(timeout=...)`.
/// std has no timed lock, so poll `try_lock`, sleeping briefly in between.
pub fn try_lock_for<T>(m: &Mutex<T>, patience: Duration) -> Option<MutexGuard<'_, T>> {
    let deadline = Instant::now() + patience;
    loop {
        match m.try_lock() {
            Ok(guard) => return Some(guard),
            Err(TryLockError::Poisoned(poisoned)) => return Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) if Instant::now() >= deadline => return None,
            Err(TryLockError::WouldBlock) => thread::sleep(Duration::from_micros(50)),
        }
    }
}
// ANCHOR_END: try_lock_for

/// In which order a transfer takes the two locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Order {
    /// `from` first, then `to`: two opposite transfers can deadlock.
    AsCalled,
    /// The lower account id first, whatever the direction: they can't.
    ById,
}

impl Order {
    pub fn label(self) -> &'static str {
        match self {
            Order::AsCalled => "from, then to",
            Order::ById => "lower id first",
        }
    }
}

/// A transfer gave up: it held one lock and waited `waited` for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlock {
    pub waited: Duration,
}

// ANCHOR: transfer
/// Moves `amount` from `from` to `to`, holding both locks. `between` runs
/// after the first lock is taken (the demo uses it to line threads up).
pub fn transfer(
    from: &Account,
    to: &Account,
    amount: i64,
    order: Order,
    patience: Duration,
    between: impl FnOnce(),
) -> Result<(), Deadlock> {
    if from.id == to.id {
        return Ok(()); // one lock, taken twice, would deadlock on its own
    }
    let from_first = order == Order::AsCalled || from.id < to.id;
    let (first, second) = if from_first { (from, to) } else { (to, from) };

    // Waiting for the first lock is safe: whoever holds it waits for its
    // own second lock only with a deadline, so it will let go.
    let mut held = lock_ignoring_poison(&first.balance);
    between();
    let since = Instant::now();
    let Some(mut other) = try_lock_for(&second.balance, patience) else {
        // Give up: returning drops `held`, so the other thread can go on.
        return Err(Deadlock {
            waited: since.elapsed(),
        });
    };
    let (source, target) = if from_first {
        (&mut *held, &mut *other)
    } else {
        (&mut *other, &mut *held)
    };
    *source -= amount;
    *target += amount;
    Ok(())
}
// ANCHOR_END: transfer

/// Lets `expected` threads wait for one another, for at most `patience`.
/// (A `Barrier` would wait for ever if one of them never arrives.)
#[derive(Debug)]
pub struct Meeting {
    arrived: Mutex<usize>,
    everyone: Condvar,
    expected: usize,
}

impl Meeting {
    pub fn new(expected: usize) -> Self {
        Meeting {
            arrived: Mutex::new(0),
            everyone: Condvar::new(),
            expected,
        }
    }

    /// Arrives, then waits until everyone has arrived or `patience` passed.
    pub fn meet(&self, patience: Duration) {
        let mut arrived = lock_ignoring_poison(&self.arrived);
        *arrived += 1;
        self.everyone.notify_all();
        let _ = self
            .everyone
            .wait_timeout_while(arrived, patience, |n| *n < self.expected);
    }
}

/// How one of the two transfers ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Side {
    pub from: usize,
    pub to: usize,
    pub outcome: Result<(), Deadlock>,
    /// From the start of the run to the end of this transfer.
    pub finished_after: Duration,
}

/// Two opposite transfers, run at the same moment.
#[derive(Debug, Clone)]
pub struct Collision {
    pub order: Order,
    pub sides: [Side; 2],
    pub total_before: i64,
    pub total_after: i64,
    pub elapsed: Duration,
}

impl Collision {
    /// The first "deadlock detected": how long a thread waited before it.
    pub fn detected_after(&self) -> Option<Duration> {
        self.sides
            .iter()
            .filter_map(|s| s.outcome.err().map(|d| d.waited))
            .min()
    }
}

// ANCHOR: collide
/// Thread 1 moves money A -> B while thread 2 moves B -> A. Each takes its
/// first lock and waits a moment for the other to take one too, so that
/// both surely hold one lock; then each asks for its second lock.
pub fn collide(order: Order, patience: Duration) -> Collision {
    let accounts = [Account::new(0, 100), Account::new(1, 100)];
    let meeting = Meeting::new(2);
    let start = Instant::now();
    let sides = thread::scope(|s| {
        let run = |from: usize, to: usize| {
            let (accounts, meeting) = (&accounts, &meeting);
            s.spawn(move || {
                let (a, b) = (&accounts[from], &accounts[to]);
                let line_up = || meeting.meet(patience / 4);
                let outcome = transfer(a, b, 10, order, patience, line_up);
                Side {
                    from,
                    to,
                    outcome,
                    finished_after: start.elapsed(),
                }
            })
        };
        let (one, two) = (run(0, 1), run(1, 0));
        [one.join().unwrap(), two.join().unwrap()]
    });
    Collision {
        order,
        sides,
        total_before: 200,
        total_after: accounts.iter().map(Account::balance).sum(),
        elapsed: start.elapsed(),
    }
}
// ANCHOR_END: collide

/// Many random transfers between a few accounts, from several threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stress {
    pub order: Order,
    pub threads: usize,
    pub transfers: u64,
    /// Transfers that timed out on their second lock, backed off and retried.
    pub deadlocks: u64,
    pub total_before: i64,
    pub total_after: i64,
    pub elapsed: Duration,
}

/// A small random-number generator (xorshift), so the demo needs no crate.
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// `threads` threads each make `per_thread` transfers of 1 between random
/// pairs of `accounts` accounts, holding the first lock for `hold` before
/// taking the second. A transfer that detects a deadlock backs off for a
/// random moment and retries, so every transfer is made in the end.
pub fn stress(
    order: Order,
    threads: usize,
    per_thread: u64,
    accounts: usize,
    hold: Duration,
    patience: Duration,
) -> Stress {
    assert!(accounts >= 2, "transfers need two accounts");
    let bank: Vec<Account> = (0..accounts).map(|id| Account::new(id, 1_000)).collect();
    let deadlocks = AtomicU64::new(0);
    let start = Instant::now();
    thread::scope(|s| {
        for t in 0..threads {
            let (bank, deadlocks) = (&bank, &deadlocks);
            s.spawn(move || {
                let mut seed = 0x9E37_79B9_7F4A_7C15 ^ (t as u64 + 1);
                for _ in 0..per_thread {
                    let from = (next_random(&mut seed) % accounts as u64) as usize;
                    let step = 1 + next_random(&mut seed) % (accounts as u64 - 1);
                    let to = (from + step as usize) % accounts;
                    let pause = || thread::sleep(hold);
                    while transfer(&bank[from], &bank[to], 1, order, patience, pause).is_err() {
                        deadlocks.fetch_add(1, Relaxed);
                        let backoff = next_random(&mut seed) % 1_000;
                        thread::sleep(Duration::from_micros(backoff));
                    }
                }
            });
        }
    });
    Stress {
        order,
        threads,
        transfers: threads as u64 * per_thread,
        deadlocks: deadlocks.into_inner(),
        total_before: 1_000 * accounts as i64,
        total_after: bank.iter().map(Account::balance).sum(),
        elapsed: start.elapsed(),
    }
}

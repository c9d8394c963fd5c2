//! Ordered vs unordered results, side by side.
//!
//! `Pool.map` returns a list in input order, all at once. `Pool.imap`
//! yields results one by one, still in input order, so a slow early item
//! holds back every result behind it. `Pool.imap_unordered` yields each
//! result the moment it is ready. We run all three shapes with item 0 slow.

use std::collections::BTreeMap;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use course_support::child::Spawner;

use crate::process_pool::ProcessPool;
use crate::remote::SleepThenEcho;
use crate::threads::{self, Outcome, TaskPanicked};
use crate::with_rayon;

// ANCHOR: in_order
/// `imap` from `imap_unordered`: holds back results that arrive early in a
/// map keyed by index, and releases them as soon as every earlier index has
/// been released.
#[derive(Debug)]
pub struct InOrder<I, R> {
    inner: I,
    next: usize,
    early: BTreeMap<usize, R>,
}

impl<I: Iterator<Item = (usize, R)>, R> Iterator for InOrder<I, R> {
    type Item = R;

    fn next(&mut self) -> Option<R> {
        loop {
            if let Some(value) = self.early.remove(&self.next) {
                self.next += 1;
                return Some(value);
            }
            let (index, value) = self.inner.next()?;
            self.early.insert(index, value);
        }
    }
}

/// Puts `(index, value)` pairs that arrive in any order back in index order.
pub fn in_order<I, R>(unordered: I) -> InOrder<I::IntoIter, R>
where
    I: IntoIterator<Item = (usize, R)>,
{
    InOrder {
        inner: unordered.into_iter(),
        next: 0,
        early: BTreeMap::new(),
    }
}
// ANCHOR_END: in_order

/// An [`Outcome`] as an `(index, result)` pair, so that errors keep their place.
pub fn indexed<R>(outcome: Outcome<R>) -> (usize, Result<R, TaskPanicked>) {
    match outcome {
        Ok((index, value)) => (index, Ok(value)),
        Err(e) => (e.index, Err(e)),
    }
}

/// What the caller saw from one API.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    pub api: &'static str,
    pub python: &'static str,
    /// Item indices in the order the caller received them.
    pub order: Vec<usize>,
    /// When the caller had its first result.
    pub first: Duration,
    /// When it had all of them.
    pub all: Duration,
}

/// Items `0..items`; item 0 takes `slow`, the others `fast` each.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub items: usize,
    pub slow: Duration,
    pub fast: Duration,
    pub workers: usize,
}

impl Plan {
    fn delay(&self, i: usize) -> Duration {
        if i == 0 { self.slow } else { self.fast }
    }
}

/// Records `order`, `first` and `all` while `drive` hands results over.
fn watch(
    api: &'static str,
    python: &'static str,
    drive: impl FnOnce(&mut dyn FnMut(usize)) -> Result<()>,
) -> Result<Seen> {
    let start = Instant::now();
    let mut order = Vec::new();
    let mut first = None;
    drive(&mut |i| {
        first.get_or_insert_with(|| start.elapsed());
        order.push(i);
    })?;
    Ok(Seen {
        api,
        python,
        order,
        first: first.unwrap_or_default(),
        all: start.elapsed(),
    })
}

// ANCHOR: demo
/// Runs the plan through every API of this lesson, with chunks of one item.
pub fn compare(spawner: &Spawner, plan: Plan) -> Result<Vec<Seen>> {
    let items: Vec<usize> = (0..plan.items).collect();
    let sleep = move |&i: &usize| {
        thread::sleep(plan.delay(i));
        i
    };
    let rayon_pool = with_rayon::pool(plan.workers)?;
    let mut process_pool = ProcessPool::start(spawner, plan.workers)?;
    let jobs: Vec<(u64, u64)> = items
        .iter()
        .map(|&i| (i as u64, plan.delay(i).as_millis() as u64))
        .collect();

    let seen = vec![
        watch("rayon: par_iter().map().collect()", "map", |got| {
            with_rayon::map_ordered(&rayon_pool, &items, 1, sleep)
                .into_iter()
                .for_each(got);
            Ok(())
        })?,
        watch("rayon: par_bridge() + channel", "imap_unordered", |got| {
            for outcome in
                with_rayon::imap_unordered(&rayon_pool, items.clone(), move |i| sleep(&i))
            {
                got(outcome?.0);
            }
            Ok(())
        })?,
        watch("threads: par_map", "map", |got| {
            threads::par_map(&items, plan.workers, 1, sleep)
                .into_iter()
                .for_each(got);
            Ok(())
        })?,
        watch("threads: imap_unordered", "imap_unordered", |got| {
            for outcome in
                threads::imap_unordered(items.clone(), plan.workers, 1, move |i| sleep(&i))
            {
                got(outcome?.0);
            }
            Ok(())
        })?,
        watch("threads: in_order(imap_unordered)", "imap", |got| {
            let unordered =
                threads::imap_unordered(items.clone(), plan.workers, 1, move |i| sleep(&i));
            for result in in_order(unordered.map(indexed)) {
                got(result?);
            }
            Ok(())
        })?,
        watch("processes: pool.map", "map", |got| {
            let results = process_pool.map::<SleepThenEcho>(&jobs, 1)?;
            results.into_iter().for_each(|i| got(i as usize));
            Ok(())
        })?,
        watch("processes: pool.imap_unordered", "imap_unordered", |got| {
            process_pool
                .imap_unordered::<SleepThenEcho>(&jobs, 1, |_, i| got(i as usize))
                .map_err(|e| anyhow!(e))
        })?,
    ];
    process_pool.close()?;
    Ok(seen)
}
// ANCHOR_END: demo

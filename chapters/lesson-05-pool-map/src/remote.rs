//! Functions a worker *process* can run, looked up by name.
//!
//! A closure cannot travel to another process: its code lives in the
//! parent's memory. Python does not send the function either: `pickle`
//! writes its module and qualified name, and the worker imports it. We do
//! the same: each function has a [`RemoteFn::NAME`], the parent sends the
//! name with the chunk of items, and the worker (this same program, started
//! again) looks the name up in [`REGISTRY`]. Items and results travel as
//! JSON, the part `pickle` plays in Python.

use std::io::Write;
use std::thread;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::protocol::{FromWorker, send};

// ANCHOR: remote_fn
/// A function that worker processes can run: a stable name, JSON-able input
/// and output, and the code.
pub trait RemoteFn {
    /// What the parent sends and the worker looks up.
    const NAME: &'static str;
    type In: Serialize + DeserializeOwned;
    type Out: Serialize + DeserializeOwned;
    fn call(input: Self::In, ctx: &mut Ctx<'_>) -> Self::Out;
}
// ANCHOR_END: remote_fn

/// What a running function can do besides returning: `print`, which in a
/// worker goes back to the parent as a message (stdout is the channel).
pub struct Ctx<'a> {
    pub(crate) out: &'a mut dyn Write,
    pub(crate) pid: u32,
}

impl Ctx<'_> {
    /// Python's `print()` inside a pool worker: the line reaches the
    /// parent (and your terminal) while the task is still running.
    pub fn print(&mut self, line: impl Into<String>) {
        let msg = FromWorker::Print {
            pid: self.pid,
            line: line.into(),
        };
        // If the parent is gone, the next result fails to send and the worker exits.
        let _ = send(self.out, &msg);
    }

    /// This worker's process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx").field("pid", &self.pid).finish()
    }
}

// ANCHOR: functions
// ANCHOR: count_primes
/// Counts the primes in a block `(start, end)`: the CPU-bound workload.
#[derive(Debug)]
pub struct CountPrimes;

impl RemoteFn for CountPrimes {
    const NAME: &'static str = "count_primes";
    type In = (u64, u64);
    type Out = u64;
    fn call(block: (u64, u64), _: &mut Ctx<'_>) -> u64 {
        crate::chunks::count_block(&block)
    }
}
// ANCHOR_END: count_primes

/// The seed's `process_data`: the sum of the squares of a list.
#[derive(Debug)]
pub struct SumOfSquares;

impl RemoteFn for SumOfSquares {
    const NAME: &'static str = "sum_of_squares";
    type In = Vec<i64>;
    type Out = i64;
    fn call(data: Vec<i64>, _: &mut Ctx<'_>) -> i64 {
        data.iter().map(|i| i * i).sum()
    }
}

/// The seed's `test(i)`: prints `i` (from the worker) and returns it.
#[derive(Debug)]
pub struct PrintItem;

impl RemoteFn for PrintItem {
    const NAME: &'static str = "print_item";
    type In = u64;
    type Out = u64;
    fn call(i: u64, ctx: &mut Ctx<'_>) -> u64 {
        ctx.print(i.to_string());
        i
    }
}

/// Sleeps `ms` milliseconds, then returns `item`: a task of known length.
#[derive(Debug)]
pub struct SleepThenEcho;

impl RemoteFn for SleepThenEcho {
    const NAME: &'static str = "sleep_then_echo";
    type In = (u64, u64);
    type Out = u64;
    fn call((item, ms): (u64, u64), _: &mut Ctx<'_>) -> u64 {
        thread::sleep(Duration::from_millis(ms));
        item
    }
}

/// Squares `x`, and panics on a negative input: a task that kills its worker.
#[derive(Debug)]
pub struct SquareOrPanic;

impl RemoteFn for SquareOrPanic {
    const NAME: &'static str = "square_or_panic";
    type In = i64;
    type Out = i64;
    fn call(x: i64, _: &mut Ctx<'_>) -> i64 {
        assert!(x >= 0, "negative input: {x}");
        x * x
    }
}
// ANCHOR_END: functions

/// A function with its types erased: JSON items in, JSON results out.
pub type Erased = fn(Vec<Value>, &mut Ctx<'_>) -> Result<Vec<Value>, String>;

fn erased<F: RemoteFn>(items: Vec<Value>, ctx: &mut Ctx<'_>) -> Result<Vec<Value>, String> {
    items
        .into_iter()
        .map(|v| {
            let input: F::In =
                serde_json::from_value(v).map_err(|e| format!("{}: bad input: {e}", F::NAME))?;
            serde_json::to_value(F::call(input, ctx)).map_err(|e| format!("{}: {e}", F::NAME))
        })
        .collect()
}

// ANCHOR: registry
/// Every function a worker can run, by name: what `import module; getattr`
/// does for a pickled function in Python.
pub static REGISTRY: &[(&str, Erased)] = &[
    (CountPrimes::NAME, erased::<CountPrimes>),
    (SumOfSquares::NAME, erased::<SumOfSquares>),
    (PrintItem::NAME, erased::<PrintItem>),
    (SleepThenEcho::NAME, erased::<SleepThenEcho>),
    (SquareOrPanic::NAME, erased::<SquareOrPanic>),
];

/// The function called `name`, if there is one.
pub fn lookup(name: &str) -> Option<Erased> {
    REGISTRY.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}
// ANCHOR_END: registry

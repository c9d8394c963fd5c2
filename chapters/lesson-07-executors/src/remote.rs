//! Tasks a worker *process* can run: a name, arguments and a result that
//! can be written down, and the code, looked up by name.
//!
//! A closure cannot go to another process: it is code in this process's
//! memory plus pointers to what it captured. Python has the same limit and
//! calls it pickling: `ProcessPoolExecutor.submit(fn, *args)` pickles `fn`
//! *by reference*, as its module and qualified name, and the arguments *by
//! value*; the worker imports the module and looks the name up. That is why
//! a lambda or a nested function fails there with `PicklingError: Can't
//! pickle <lambda>`. Here a task is a type with a [`Remote::NAME`], its
//! arguments travel as JSON (serde plays pickle's part), and the worker,
//! which is this same program, finds the code in [`REGISTRY`].

use std::thread;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use course_support::count_primes;

// ANCHOR: remote
/// A task that can run in a worker process.
pub trait Remote: 'static {
    /// What travels instead of the code: the worker looks it up.
    const NAME: &'static str;
    /// The arguments, sent as JSON (pickled, in Python's words).
    type Args: Serialize + DeserializeOwned + Send + 'static;
    /// The value it returns, sent back as JSON.
    type Out: Serialize + DeserializeOwned + Send + 'static;
    /// The error it may return (Python's exception), sent back as JSON.
    type Err: Serialize + DeserializeOwned + Send + 'static;
    /// The code, run in the worker.
    fn call(args: Self::Args) -> Result<Self::Out, Self::Err>;
}
// ANCHOR_END: remote

/// What a worker says about one task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    /// It returned `Ok`: the value, as JSON.
    Ok(Value),
    /// It returned `Err`: the error, as JSON.
    Err(Value),
    /// It panicked; the worker caught it and lives on.
    Panicked(String),
    /// The worker knows no task by that name, or the arguments did not fit.
    Refused(String),
}

// ANCHOR: tasks
/// Counts the primes in `start..end`: the CPU-bound workload.
#[derive(Debug)]
pub struct CountPrimes;

impl Remote for CountPrimes {
    const NAME: &'static str = "count_primes";
    type Args = (u64, u64);
    type Out = u64;
    type Err = String;
    fn call((start, end): (u64, u64)) -> Result<u64, String> {
        if start > end {
            return Err(format!("empty range {start}..{end}"));
        }
        Ok(count_primes(start..end))
    }
}

/// Returns its argument: a task that costs nothing, to measure the pool.
#[derive(Debug)]
pub struct Echo;

impl Remote for Echo {
    const NAME: &'static str = "echo";
    type Args = u64;
    type Out = u64;
    type Err = String;
    fn call(x: u64) -> Result<u64, String> {
        Ok(x)
    }
}

/// Sleeps `ms` milliseconds, then returns the worker's pid.
#[derive(Debug)]
pub struct SleepThenPid;

impl Remote for SleepThenPid {
    const NAME: &'static str = "sleep_then_pid";
    type Args = u64;
    type Out = u32;
    type Err = String;
    fn call(ms: u64) -> Result<u32, String> {
        thread::sleep(Duration::from_millis(ms));
        Ok(std::process::id())
    }
}

/// Fails (returns `Err`) with the given message.
#[derive(Debug)]
pub struct Fail;

impl Remote for Fail {
    const NAME: &'static str = "fail";
    type Args = String;
    type Out = u64;
    type Err = String;
    fn call(message: String) -> Result<u64, String> {
        Err(message)
    }
}

/// Panics with the given message: the worker catches it and carries on.
#[derive(Debug)]
pub struct Panic;

impl Remote for Panic {
    const NAME: &'static str = "panic";
    type Args = String;
    type Out = u64;
    type Err = String;
    fn call(message: String) -> Result<u64, String> {
        panic!("{message}")
    }
}

/// How [`Crash`] ends its worker process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CrashHow {
    /// `std::process::abort()`: SIGABRT, like a failed C assertion.
    Abort,
    /// `std::process::exit(3)`, like `os._exit(3)` in a Python worker.
    Exit,
}

/// Kills its own worker process: nothing can catch this, so the parent must
/// notice the worker died and fail the task (Python's `BrokenProcessPool`).
#[derive(Debug)]
pub struct Crash;

impl Remote for Crash {
    const NAME: &'static str = "crash";
    type Args = CrashHow;
    type Out = u64;
    type Err = String;
    fn call(how: CrashHow) -> Result<u64, String> {
        match how {
            CrashHow::Abort => std::process::abort(),
            CrashHow::Exit => std::process::exit(3),
        }
    }
}
// ANCHOR_END: tasks

// ANCHOR: isolation_tasks
thread_local! {
    /// A "module global" of the worker that runs the task: one per worker
    /// process, one per interpreter thread, never shared between them.
    static CALLS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Sleeps `ms` milliseconds, then adds one to its worker's own counter and
/// returns it: Python's `time.sleep(ms / 1000); global CALLS; CALLS += 1;
/// return CALLS` in the module a worker imported.
#[derive(Debug)]
pub struct Tally;

impl Remote for Tally {
    const NAME: &'static str = "tally";
    type Args = u64;
    type Out = u64;
    type Err = String;
    fn call(ms: u64) -> Result<u64, String> {
        thread::sleep(Duration::from_millis(ms));
        Ok(CALLS.with(|c| {
            c.set(c.get() + 1);
            c.get()
        }))
    }
}

/// Where it ran: the process id and the name of the thread.
#[derive(Debug)]
pub struct WhereAmI;

impl Remote for WhereAmI {
    const NAME: &'static str = "where_am_i";
    type Args = ();
    type Out = (u32, String);
    type Err = String;
    fn call((): ()) -> Result<(u32, String), String> {
        let name = thread::current().name().unwrap_or("unnamed").to_owned();
        Ok((std::process::id(), name))
    }
}

/// Sums the bytes of a text it received (a copy, in a worker): returns
/// the length and the sum.
#[derive(Debug)]
pub struct Checksum;

impl Remote for Checksum {
    const NAME: &'static str = "checksum";
    type Args = String;
    type Out = (u64, u64);
    type Err = String;
    fn call(text: String) -> Result<(u64, u64), String> {
        let sum = text.bytes().map(u64::from).sum();
        Ok((text.len() as u64, sum))
    }
}
// ANCHOR_END: isolation_tasks

/// A task with its types erased: JSON arguments in, a [`Reply`] out.
pub type Erased = fn(Value) -> Reply;

fn erased<F: Remote>(args: Value) -> Reply {
    let args: F::Args = match serde_json::from_value(args) {
        Ok(args) => args,
        Err(e) => return Reply::Refused(format!("{}: bad arguments: {e}", F::NAME)),
    };
    let encode = |v: Result<Value, serde_json::Error>| {
        v.unwrap_or_else(|e| Value::String(format!("unencodable: {e}")))
    };
    match F::call(args) {
        Ok(out) => Reply::Ok(encode(serde_json::to_value(out))),
        Err(err) => Reply::Err(encode(serde_json::to_value(err))),
    }
}

// ANCHOR: registry
/// Every task a worker can run, by name: what importing the module and
/// looking up the pickled name does in a Python worker.
pub static REGISTRY: &[(&str, Erased)] = &[
    (CountPrimes::NAME, erased::<CountPrimes>),
    (Echo::NAME, erased::<Echo>),
    (SleepThenPid::NAME, erased::<SleepThenPid>),
    (Fail::NAME, erased::<Fail>),
    (Panic::NAME, erased::<Panic>),
    (Crash::NAME, erased::<Crash>),
    (Tally::NAME, erased::<Tally>),
    (WhereAmI::NAME, erased::<WhereAmI>),
    (Checksum::NAME, erased::<Checksum>),
];

/// The task called `name`, if there is one.
pub fn lookup(name: &str) -> Option<Erased> {
    REGISTRY.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}
// ANCHOR_END: registry

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        for (i, (name, _)) in REGISTRY.iter().enumerate() {
            assert!(lookup(name).is_some());
            assert!(REGISTRY[i + 1..].iter().all(|(n, _)| n != name), "{name}");
        }
        assert!(lookup("no_such_task").is_none());
    }

    #[test]
    fn erased_calls_encode_both_sides() {
        let f = lookup(CountPrimes::NAME).unwrap();
        assert_eq!(f(serde_json::json!([0, 100])), Reply::Ok(25.into()));
        assert_eq!(
            f(serde_json::json!([5, 1])),
            Reply::Err("empty range 5..1".into())
        );
        assert!(matches!(f(serde_json::json!("x")), Reply::Refused(_)));
    }
}

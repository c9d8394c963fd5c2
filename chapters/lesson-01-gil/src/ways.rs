//! Four ways CPython runs code at once since 3.14, each with its Rust
//! counterpart, and the Rust side of the third one: share-nothing workers that
//! receive copies over channels, as subinterpreters receive pickled data
//! through queues.

use std::sync::mpsc;
use std::thread;

use course_support::{Table, is_prime};

/// One way of running Python code at the same time, as a row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Way {
    pub way: &'static str,
    pub python: &'static str,
    pub parallel: &'static str,
    pub shared: &'static str,
    pub data: &'static str,
    pub rust: &'static str,
}

// ANCHOR: ways
/// GIL threads, free-threaded threads, subinterpreters, processes.
pub const WAYS: [Way; 4] = [
    Way {
        way: "GIL threads",
        python: "threading, ThreadPoolExecutor",
        parallel: "no: one GIL holder at a time",
        shared: "everything",
        data: "by reference",
        rust: "std::thread (no lock needed)",
    },
    Way {
        way: "free-threaded threads",
        python: "the same code on python3.13t/3.14t",
        parallel: "yes, while no extension turns the GIL back on",
        shared: "everything",
        data: "by reference",
        rust: "std::thread, rayon",
    },
    Way {
        way: "subinterpreters",
        python: "InterpreterPoolExecutor (3.14)",
        parallel: "yes: one GIL per interpreter",
        shared: "nothing mutable",
        data: "copied (mostly pickled) through queues",
        rust: "share-nothing threads fed copies over channels",
    },
    Way {
        way: "processes",
        python: "ProcessPoolExecutor, multiprocessing",
        parallel: "yes: one interpreter per process",
        shared: "nothing, unless shared_memory",
        data: "pickled through pipes",
        rust: "std::process (lessons 04 to 06)",
    },
];
// ANCHOR_END: ways

/// The four ways as a printable table.
pub fn table() -> Table {
    let mut t = course_support::table([
        "way",
        "Python",
        "Python code on every core?",
        "shared",
        "data crosses",
        "Rust",
    ]);
    for w in WAYS {
        t.add_row([w.way, w.python, w.parallel, w.shared, w.data, w.rust]);
    }
    t
}

/// What one share-nothing worker did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub worker: usize,
    /// Blocks it received.
    pub blocks: usize,
    /// Numbers it received, all of them copies.
    pub numbers: usize,
    pub primes: u64,
}

// ANCHOR: isolated
/// Counts the primes in `numbers` with `workers` threads that share nothing:
/// each owns an inbox and receives *copies* of its blocks (`to_vec`), the way
/// a subinterpreter receives pickled data through a queue. `thread::spawn`
/// (not `scope`) requires `'static`, so a worker cannot borrow `numbers` even
/// by mistake: the compiler keeps it isolated. Reports come back by channel too.
pub fn count_primes_isolated(numbers: &[u64], blocks: usize, workers: usize) -> Vec<Report> {
    let workers = workers.max(1);
    let (report_tx, reports) = mpsc::channel();
    let inboxes: Vec<mpsc::Sender<Vec<u64>>> = (0..workers)
        .map(|worker| {
            let (tx, inbox) = mpsc::channel::<Vec<u64>>();
            let report_tx = report_tx.clone();
            thread::spawn(move || {
                let mut report = Report {
                    worker,
                    blocks: 0,
                    numbers: 0,
                    primes: 0,
                };
                for block in inbox {
                    // Ends when the inbox's sender is dropped.
                    report.blocks += 1;
                    report.numbers += block.len();
                    report.primes += block.iter().filter(|&&n| is_prime(n)).count() as u64;
                }
                report_tx
                    .send(report)
                    .expect("the caller waits for every report");
            });
            tx
        })
        .collect();
    drop(report_tx); // the workers hold the only senders now
    let per_block = numbers.len().div_ceil(blocks.max(1)).max(1);
    for (i, block) in numbers.chunks(per_block).enumerate() {
        inboxes[i % workers]
            .send(block.to_vec())
            .expect("a worker keeps its inbox until it closes");
    }
    drop(inboxes); // close every inbox: each worker reports and ends
    let mut all: Vec<Report> = reports.iter().collect();
    all.sort_by_key(|r| r.worker);
    all
}
// ANCHOR_END: isolated

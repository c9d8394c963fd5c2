//! Python's "three pillars" of concurrency, and what each is in Rust.

use course_support::Table;

/// One concurrency model, as a row of the comparison table.
#[derive(Debug, Clone, Copy)]
pub struct Pillar {
    pub model: &'static str,
    pub python: &'static str,
    pub rust: &'static str,
    pub switching: &'static str,
    pub memory: &'static str,
    pub python_parallel: &'static str,
    pub best_for: &'static str,
}

// ANCHOR: pillars
/// Threads, processes and async: the costs that decide which one fits.
pub const PILLARS: [Pillar; 3] = [
    Pillar {
        model: "threads",
        python: "threading",
        rust: "std::thread",
        switching: "low (OS thread switch)",
        memory: "low (shared address space)",
        python_parallel: "no: one GIL holder at a time",
        best_for: "file and network I/O",
    },
    Pillar {
        model: "processes",
        python: "multiprocessing",
        rust: "std::process (lesson 04)",
        switching: "high (address-space switch)",
        memory: "high (a whole interpreter each)",
        python_parallel: "yes: one GIL per process",
        best_for: "CPU work, isolation",
    },
    Pillar {
        model: "async",
        python: "asyncio",
        rust: "tokio (lesson 08)",
        switching: "very low (a function return)",
        memory: "very low (a small state machine)",
        python_parallel: "no: one event-loop thread",
        best_for: "thousands of connections",
    },
];
// ANCHOR_END: pillars

/// The pillars as a printable table.
pub fn table() -> Table {
    let mut t = course_support::table([
        "model",
        "Python",
        "Rust",
        "switching overhead",
        "memory",
        "Python code in parallel?",
        "best for",
    ]);
    for p in PILLARS {
        t.add_row([
            p.model,
            p.python,
            p.rust,
            p.switching,
            p.memory,
            p.python_parallel,
            p.best_for,
        ]);
    }
    t
}

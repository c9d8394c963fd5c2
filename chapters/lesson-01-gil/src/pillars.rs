//! Python's "three pillars" of concurrency, and what each is in Rust.
//! ([`crate::ways`] splits the parallel ones further: four ways since 3.14.)

use course_support::Table;

/// One concurrency model, as a row of the comparison table.
#[derive(Debug, Clone, Copy)]
pub struct Pillar {
    pub model: &'static str,
    pub python: &'static str,
    pub rust: &'static str,
    pub startup: &'static str,
    pub switching: &'static str,
    pub memory: &'static str,
    pub python_parallel: &'static str,
    pub best_for: &'static str,
}

// ANCHOR: pillars
/// Threads, processes and async: the costs that decide which one fits.
/// Lesson 04 measures start-up and switching: a process costs far more to
/// start than a thread, but a round trip to one costs about the same.
pub const PILLARS: [Pillar; 3] = [
    Pillar {
        model: "threads",
        python: "threading",
        rust: "std::thread",
        startup: "cheap (a stack)",
        switching: "low (OS thread switch)",
        memory: "low (shared address space)",
        python_parallel: "not under a GIL; yes on a free-threaded build",
        best_for: "I/O; CPU work when free-threaded",
    },
    Pillar {
        model: "processes",
        python: "multiprocessing",
        rust: "std::process (lesson 04)",
        startup: "costly (a new program)",
        switching: "low too: a wake-up dominates",
        memory: "high (a whole interpreter each)",
        python_parallel: "yes: an interpreter each",
        best_for: "CPU work, isolation",
    },
    Pillar {
        model: "async",
        python: "asyncio",
        rust: "tokio (lesson 08)",
        startup: "almost free (a value)",
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
        "start-up",
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
            p.startup,
            p.switching,
            p.memory,
            p.python_parallel,
            p.best_for,
        ]);
    }
    t
}

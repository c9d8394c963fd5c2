//! Python's `threading` and `queue` primitives, and what to use in Rust.

/// One primitive: the Python name, its Rust counterpart, and the difference
/// that matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub python: &'static str,
    pub rust: &'static str,
    pub note: &'static str,
}

/// The map, in the order the lesson teaches it.
pub const ROWS: [Row; 9] = [
    Row {
        python: "threading.Lock",
        rust: "std::sync::Mutex<T>",
        note: "the data lives inside; the guard unlocks on drop; poisoned by a panic",
    },
    Row {
        python: "threading.RLock",
        rust: "Mutex<T> + helpers taking &mut T",
        note: "std's Mutex is not re-entrant: lock once, pass &mut down",
    },
    Row {
        python: "threading.Semaphore(n)",
        rust: "Mutex<usize> + Condvar (this lesson)",
        note: "no std semaphore; a permit is a value, dropped to release",
    },
    Row {
        python: "threading.BoundedSemaphore(n)",
        rust: "the same, with RAII permits",
        note: "over-release can't happen: only a permit can give one back",
    },
    Row {
        python: "threading.Condition",
        rust: "std::sync::Condvar + the Mutex it waits with",
        note: "wait in a loop or wait_while; notify_one vs notify_all",
    },
    Row {
        python: "threading.Event",
        rust: "Mutex<flag> + Condvar (this lesson)",
        note: "no std Event; count sets so set()+clear() wakes every waiter",
    },
    Row {
        python: "threading.Barrier(n)",
        rust: "std::sync::Barrier",
        note: "reusable; is_leader() picks one thread per round (Python: action=)",
    },
    Row {
        python: "queue.Queue(maxsize=n)",
        rust: "crossbeam::channel::bounded(n)",
        note: "blocks when full (backpressure); dropping senders ends the stream",
    },
    Row {
        python: "queue.Queue()",
        rust: "crossbeam::channel::unbounded()",
        note: "never blocks the sender, so nothing limits its memory",
    },
];

//! Named workloads for `lab advise --scenario`, and the decision matrix: the
//! seed's six scenarios and more, each with the model it calls for and the
//! tool for it in Python and in Rust.

use crate::model::{Profile, PythonBuild};
use crate::modes::Mode;

/// A named workload the assistant knows.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The `--scenario` name.
    pub key: &'static str,
    pub title: &'static str,
    pub profile: Profile,
    /// What one task is, in words.
    pub task: &'static str,
    /// What the assistant recommends with [`crate::model::Calibration::reference`]
    /// (tests hold it to this; the book documents it).
    pub expected: Mode,
}

const fn profile(tasks: u64, cpu_ms: f64, io_ms: f64, data_kb: f64) -> Profile {
    Profile {
        tasks,
        cpu_ms,
        io_ms,
        data_kb,
        shared_memory: false,
        max_concurrency: None,
        python: PythonBuild::Gil,
    }
}

// ANCHOR: scenarios
/// The scenarios, in the order of the decision matrix.
pub fn all() -> Vec<Scenario> {
    vec![
        Scenario {
            key: "web-scraping",
            title: "Web scraping thousands of pages",
            profile: profile(2_000, 0.02, 100.0, 100.0),
            task: "fetch a page (100 ms away), pull out its title",
            expected: Mode::Async,
        },
        Scenario {
            key: "image-batch",
            title: "Image processing pipeline",
            profile: profile(400, 5.0, 0.0, 256.0),
            task: "filter one 256 KB image",
            expected: Mode::Processes,
        },
        Scenario {
            key: "web-api",
            title: "Real-time web API serving",
            profile: Profile {
                max_concurrency: Some(1_000),
                ..profile(10_000, 0.01, 20.0, 2.0)
            },
            task: "answer a request: wait 20 ms for the backend, format 2 KB",
            expected: Mode::Async,
        },
        Scenario {
            key: "scientific",
            title: "Scientific computing with NumPy",
            profile: Profile {
                shared_memory: true,
                ..profile(64, 25.0, 0.0, 512.0)
            },
            task: "crunch one 512 KB chunk of a shared array",
            expected: Mode::Processes,
        },
        Scenario {
            key: "database",
            title: "Database-heavy operations",
            profile: Profile {
                max_concurrency: Some(10),
                ..profile(300, 0.3, 15.0, 4.0)
            },
            task: "run a query (15 ms) on one of 10 pooled connections",
            expected: Mode::GilThreads,
        },
        Scenario {
            key: "ml-training",
            title: "Machine learning training",
            profile: profile(200, 8.0, 8.0, 256.0),
            task: "load a batch (8 ms), then compute on it (8 ms)",
            expected: Mode::Hybrid,
        },
        Scenario {
            key: "csv-pipeline",
            title: "Data pipeline: parsing CSV files",
            profile: profile(100, 10.0, 3.0, 1_024.0),
            task: "read a 1 MB CSV file (3 ms), parse it (10 ms)",
            expected: Mode::Hybrid,
        },
        Scenario {
            key: "small-script",
            title: "A small script's loop",
            profile: profile(50, 0.02, 0.0, 1.0),
            task: "transform one record",
            expected: Mode::Sequential,
        },
        Scenario {
            key: "pure-python-cpu",
            title: "Pure-Python computing on Python 3.14",
            profile: Profile {
                python: PythonBuild::Subinterpreters,
                ..profile(1_000, 1.0, 0.0, 1.0)
            },
            task: "score one record in pure Python: 1 ms of computing on 1 KB of input",
            expected: Mode::Isolated,
        },
    ]
}
// ANCHOR_END: scenarios

/// The running system that measures a scenario of this kind: the book's
/// "Three systems, three ways" page runs it with this command.
pub fn measured_by(key: &str) -> Option<&'static str> {
    match key {
        "web-api" | "Real-time web API serving" | "Web server (many slow clients)" => {
            Some("cargo run --release -p scenarios -- web")
        }
        "csv-pipeline" | "Data pipeline: parsing CSV files" | "Sensor data collection" => {
            Some("cargo run --release -p scenarios -- collect")
        }
        "Real-time GUI" | "WebSocket server with long-lived connections" => {
            Some("cargo run --release -p scenarios -- realtime")
        }
        _ => None,
    }
}

/// The scenario named `key`.
pub fn find(key: &str) -> Option<Scenario> {
    all().into_iter().find(|s| s.key == key)
}

/// One row of the decision matrix.
#[derive(Debug, Clone)]
pub struct Row {
    pub scenario: &'static str,
    /// `threads`, `processes`, `subinterpreters`, `async`, `hybrid` or `sequential`.
    pub model: &'static str,
    pub why: &'static str,
    pub python: &'static str,
    pub rust: &'static str,
    /// The `lab advise --scenario` that models it, if any.
    pub assistant: Option<&'static str>,
}

// ANCHOR: matrix
/// The decision matrix: the seed's six scenarios first, then more.
pub const MATRIX: [Row; 16] = [
    Row {
        scenario: "Web scraping thousands of pages",
        model: "async",
        why: "I/O-bound: thousands of waits overlap on one thread; parsing is tiny",
        python: "asyncio + aiohttp (or ThreadPoolExecutor + requests)",
        rust: "tokio + reqwest, buffer_unordered (lesson 08)",
        assistant: Some("web-scraping"),
    },
    Row {
        scenario: "Image processing pipeline",
        model: "processes",
        why: "CPU-bound: needs every core; each image is copied to a worker once",
        python: "ProcessPoolExecutor + Pillow",
        rust: "rayon par_iter over the images (lesson 05)",
        assistant: Some("image-batch"),
    },
    Row {
        scenario: "Real-time web API serving",
        model: "async",
        why: "many connections at once, little CPU per request",
        python: "FastAPI on uvicorn (asyncio)",
        rust: "axum on tokio",
        assistant: Some("web-api"),
    },
    Row {
        scenario: "Scientific computing with NumPy",
        model: "processes",
        why: "CPU-bound; NumPy releases the GIL inside its kernels, but Python code between them holds it",
        python: "ProcessPoolExecutor + numpy + multiprocessing.shared_memory",
        rust: "rayon (ndarray) on one shared array, no copies (lesson 06)",
        assistant: Some("scientific"),
    },
    Row {
        scenario: "Database-heavy operations",
        model: "threads",
        why: "I/O-bound with a small connection pool: a few threads keep every connection busy",
        python: "ThreadPoolExecutor + SQLAlchemy's pool",
        rust: "a thread per connection, or sqlx on tokio",
        assistant: Some("database"),
    },
    Row {
        scenario: "Machine learning training",
        model: "hybrid",
        why: "loading waits and computing are both large: overlap them",
        python: "DataLoader worker processes + threads (or asyncio) for loading",
        rust: "tokio loads batches into a bounded channel, rayon computes (lesson 09)",
        assistant: Some("ml-training"),
    },
    Row {
        scenario: "Data pipeline: parsing CSV files",
        model: "hybrid",
        why: "reads wait, parsing computes: a reading stage feeds a parsing pool",
        python: "threads read, ProcessPoolExecutor parses",
        rust: "a reader thread + bounded channel + rayon (lesson 09)",
        assistant: Some("csv-pipeline"),
    },
    Row {
        scenario: "A small script's loop",
        model: "sequential",
        why: "the whole job takes less than starting workers would",
        python: "a for loop",
        rust: "a for loop (or iterators)",
        assistant: Some("small-script"),
    },
    Row {
        scenario: "Pure-Python computing on Python 3.14",
        model: "subinterpreters",
        why: "CPU-bound with no C extension releasing the GIL: one interpreter (and GIL) per core in one process; small inputs make the copies cheap",
        python: "InterpreterPoolExecutor (concurrent.interpreters), or threads on a free-threaded build",
        rust: "threads (rayon): no GIL, nothing to copy",
        assistant: Some("pure-python-cpu"),
    },
    Row {
        scenario: "Web server (many slow clients)",
        model: "async",
        why: "each connection mostly waits; a thread each would cost memory and switches",
        python: "asyncio / uvicorn",
        rust: "tokio (lesson 08)",
        assistant: None,
    },
    Row {
        scenario: "Real-time GUI",
        model: "threads",
        why: "not throughput but latency: the UI thread must never block, so slow work goes to a background thread",
        python: "threading.Thread + a queue back to the UI loop",
        rust: "std::thread + a channel to the UI thread",
        assistant: None,
    },
    Row {
        scenario: "Sensor data collection",
        model: "async",
        why: "thousands of producers, each mostly silent: one event loop holds every connection",
        python: "asyncio.start_server",
        rust: "tokio: a task per connection",
        assistant: None,
    },
    Row {
        scenario: "WebSocket server with long-lived connections",
        model: "async",
        why: "thousands of idle connections, woken together by a broadcast",
        python: "websockets (asyncio)",
        rust: "tokio-tungstenite, a broadcast channel",
        assistant: None,
    },
    Row {
        scenario: "Video encoding, compression, hashing many files",
        model: "processes",
        why: "CPU-bound and independent: one worker per core",
        python: "ProcessPoolExecutor (or a library that releases the GIL)",
        rust: "rayon, or std::thread::scope",
        assistant: None,
    },
    Row {
        scenario: "Crawler that also parses heavily",
        model: "hybrid",
        why: "thousands of waits and real CPU work per page",
        python: "asyncio + run_in_executor(ProcessPoolExecutor)",
        rust: "tokio + rayon behind a bounded channel",
        assistant: None,
    },
    Row {
        scenario: "More work than one machine finishes in time",
        model: "distributed",
        why: "only when tasks are big next to the engine's cost per task and the job dwarfs the cluster's start-up (lesson 12 measures both)",
        python: "dask.distributed (a Client to a cluster)",
        rust: "timely dataflow across processes and machines (lesson 12)",
        assistant: None,
    },
];
// ANCHOR_END: matrix

/// The matrix as a Markdown table.
pub fn matrix_table() -> course_support::Table {
    let mut t = course_support::table([
        "scenario",
        "best choice",
        "why",
        "Python tool",
        "Rust tool",
        "lab advise --scenario",
        "run as a system",
    ]);
    for row in MATRIX {
        t.add_row([
            row.scenario,
            row.model,
            row.why,
            row.python,
            row.rust,
            row.assistant.unwrap_or("-"),
            measured_by(row.scenario)
                .map_or("-", |c| c.trim_start_matches("cargo run --release -p ")),
        ]);
    }
    t
}

//! Lesson 05: `Pool.map`, three ways, measured.
//!
//! Python's `multiprocessing.Pool.map(f, items, chunksize)` cuts `items`
//! into chunks, sends them to worker processes, and gathers the results in
//! input order. This lesson builds the same thing with rayon, with plain
//! scoped threads, and with a pool of real worker processes (this program
//! started again N times), then measures what chunk size, result order and
//! the number of workers do to the time.
//!
//! - [`chunks`]: cutting items into chunks (and Python's default size);
//! - [`threads`]: `map` and `imap_unordered` on scoped and spawned threads;
//! - [`with_rayon`]: the same with rayon (`collect`, `par_bridge`);
//! - [`process_pool`], [`worker`], [`remote`], [`protocol`]: the pool of worker
//!   processes, the worker's loop, the functions workers can run by name, and
//!   the messages between them;
//! - [`order`]: ordered vs unordered results, and `imap` as a reorder buffer;
//! - [`sweep`]: the chunk-size sweep;
//! - [`scaling`]: the prime count with 1, 2, ... workers, every way;
//! - [`amdahl`]: Amdahl's law, the Karp-Flatt metric, and a program with a
//!   measurable serial part;
//! - [`seed`]: the seed articles' two `Pool` examples;
//! - [`python`]: the same prime count in Python, side by side;
//! - [`roles`]: the hidden `child` subcommand the workers run.

pub mod amdahl;
pub mod chunks;
pub mod order;
pub mod process_pool;
pub mod protocol;
pub mod python;
pub mod remote;
pub mod roles;
pub mod scaling;
pub mod seed;
pub mod sweep;
pub mod threads;
pub mod with_rayon;
pub mod worker;

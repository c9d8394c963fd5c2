//! The laboratory: the course's workloads run every way Python can run them
//! (and the way Rust can), measured on this machine; and the decision
//! assistant, which predicts those measurements from a few calibrations and
//! recommends a model.
//!
//! - [`task`]: what one task is (compute, wait, input);
//! - [`modes`]: sequential, threads under lesson 01's simulated GIL, free
//!   threads, processes ([`pool`]), async (tokio), hybrid, and isolated
//!   workers that share nothing ([`isolated`]);
//! - [`bench`], [`progress`], [`history`], [`chart`]: `lab bench` and its
//!   progress bars, history file and SVG charts;
//! - [`python`]: the same workload in Python, side by side;
//! - [`model`], [`calibrate`], [`advise`], [`scenarios`]: the decision
//!   assistant, its calibrated model, its check against real runs, and the
//!   decision matrix;
//! - [`gil_timeline`]: lesson 01's timeline drawn as an SVG.

pub mod advise;
pub mod bench;
pub mod calibrate;
pub mod chart;
pub mod gil_timeline;
pub mod history;
pub mod isolated;
pub mod model;
pub mod modes;
pub mod pool;
pub mod progress;
pub mod python;
pub mod scenarios;
pub mod task;

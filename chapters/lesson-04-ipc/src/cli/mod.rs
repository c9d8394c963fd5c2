//! The command line: one module per demo (its `Args` and `run`), and the tour.

pub(crate) mod bench;
pub(crate) mod crash;
pub(crate) mod fork;
pub(crate) mod joinable;
pub(crate) mod pipe;
pub(crate) mod process;
pub(crate) mod queue;
pub(crate) mod startup;
pub(crate) mod throughput;
pub(crate) mod tour;
pub(crate) mod writer_reader;

//! The command line: one module per demo (its `Args` and `run`), and the tour.

pub(crate) mod bench;
pub(crate) mod crash;
pub(crate) mod model_demo;
pub(crate) mod mpsc;
pub(crate) mod ring;
pub(crate) mod tour;
pub(crate) mod waits;

//! The command line: one module per demo (its `Args` and `run`), and the tour.

pub(crate) mod backpressure;
pub(crate) mod bench;
pub(crate) mod bottleneck;
pub(crate) mod compare;
pub(crate) mod errors;
pub(crate) mod pipeline;
pub(crate) mod shared;
pub(crate) mod shutdown;
pub(crate) mod tour;

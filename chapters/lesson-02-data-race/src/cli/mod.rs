//! The command line: one module per demo (its `Args` and `run`), and the tour.

pub(crate) mod cost;
pub(crate) mod downloads;
pub(crate) mod fixes;
pub(crate) mod lost_updates;
pub(crate) mod tour;

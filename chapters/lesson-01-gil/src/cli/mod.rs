//! The command line: one module per demo (its `Args` and `run`), and the tour.

pub(crate) mod convoy;
pub(crate) mod gil;
pub(crate) mod no_gil;
pub(crate) mod pillars;
pub(crate) mod timeline;
pub(crate) mod tour;
pub(crate) mod ways;

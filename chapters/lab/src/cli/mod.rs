//! The command line: one module per demo (its `Args` and `run`), and the tour.

pub(crate) mod advise;
pub(crate) mod bench;
pub(crate) mod history;
pub(crate) mod paths;
pub(crate) mod timeline;
pub(crate) mod tour;

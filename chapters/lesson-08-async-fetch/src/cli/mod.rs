//! The command line: one module per demo (its `Args` and `run`), and the tour.

pub(crate) mod bench;
pub(crate) mod blocking;
pub(crate) mod bounded;
pub(crate) mod child;
pub(crate) mod errors;
pub(crate) mod gather;
pub(crate) mod retry;
pub(crate) mod shared;
pub(crate) mod threads;
pub(crate) mod timeouts;
pub(crate) mod tour;

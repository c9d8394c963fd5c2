//! The command line: one module per demo (its `Args` and `run`), and the tour.

pub(crate) mod barrier;
pub(crate) mod bench;
pub(crate) mod bounded;
pub(crate) mod channels;
pub(crate) mod condition;
pub(crate) mod deadlock;
pub(crate) mod event;
pub(crate) mod handoff;
pub(crate) mod lock;
pub(crate) mod map;
pub(crate) mod rlock;
pub(crate) mod scoped;
pub(crate) mod semaphore;
pub(crate) mod tour;

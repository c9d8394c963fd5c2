//! The command line: one module per demo (its `Args` and `run`), and the tour.

pub(crate) mod bench;
pub(crate) mod compare;
pub(crate) mod counter;
pub(crate) mod crash;
pub(crate) mod lock;
pub(crate) mod manager;
pub(crate) mod segment;
pub(crate) mod shape;
pub(crate) mod tour;
pub(crate) mod transform;

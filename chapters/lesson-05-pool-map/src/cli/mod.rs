//! The command line: one module per demo (its `Args` and `run`), and the tour.

pub(crate) mod amdahl;
pub(crate) mod bench;
pub(crate) mod chunks;
pub(crate) mod crash;
pub(crate) mod order;
pub(crate) mod scaling;
pub(crate) mod seed;
pub(crate) mod tour;

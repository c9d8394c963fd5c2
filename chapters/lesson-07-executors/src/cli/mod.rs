//! The command line: one module per demo (its `Args` and `run`), and the tour.

pub(crate) mod as_completed;
pub(crate) mod bench;
pub(crate) mod cancel;
pub(crate) mod cpu;
pub(crate) mod interpreters;
pub(crate) mod map;
pub(crate) mod overhead;
pub(crate) mod processes;
pub(crate) mod robust;
pub(crate) mod seed;
pub(crate) mod shutdown;
pub(crate) mod submit;
pub(crate) mod tour;
pub(crate) mod wait;

//! One module per subcommand; `shared` holds the flags and printers several use.

pub(crate) mod bench;
pub(crate) mod kill_worker;
pub(crate) mod overhead;
pub(crate) mod primes;
pub(crate) mod shared;
pub(crate) mod tour;
pub(crate) mod words;

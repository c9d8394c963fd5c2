//! Lesson 12: beyond one machine.
//!
//! A learner who outgrows one machine does not write a cluster scheduler:
//! they use an engine. This lesson runs two of the course's jobs, the prime
//! count (compute, little data) and a word count (a shuffle of words), on
//! timely dataflow with worker processes that talk TCP on loopback, on
//! dask.distributed's LocalCluster, and on the single-machine tools of
//! earlier lessons, and measures what the step costs.
//!
//! - [`jobs`]: the two jobs' tasks and files, defined once;
//! - [`single`]: a plain loop and rayon;
//! - [`dataflow`]: the jobs as timely dataflows, with bytes counted;
//! - [`cluster`], [`roles`]: starting this program as the cluster's
//!   processes, and what each runs;
//! - [`python`]: ProcessPoolExecutor and dask, side by side;
//! - [`model`]: per-task overhead, break-even and the 10/100-machine model.
pub mod cluster;
pub mod dataflow;
pub mod jobs;
pub mod model;
pub mod python;
pub mod roles;
pub mod single;

//! From what one machine measured to what many machines would take: the
//! per-task overhead fitted from a sweep of task counts, the break-even task
//! size, and a simple model for 10 and 100 machines. The model is arithmetic
//! on measured numbers and ASSUMED network figures, never a measurement.

/// A straight line `ms = fixed + per_task * tasks`, fitted by least squares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// The job's time with no tasks at all (the work itself, spread out).
    pub fixed_ms: f64,
    /// What one more task adds to the job's time, in milliseconds.
    pub per_task_ms: f64,
}

/// Fits `(tasks, ms)` points; `None` with fewer than two distinct task counts.
pub fn fit(points: &[(f64, f64)]) -> Option<Fit> {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if points.len() < 2 || sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let per_task_ms = sxy / sxx;
    Some(Fit {
        fixed_ms: my - per_task_ms * mx,
        per_task_ms,
    })
}

// ANCHOR: break_even
/// The smallest task (milliseconds of computing) whose overhead stays under
/// `fraction` of its time, on `workers` workers: each task costs
/// `per_task_ms * workers` of some worker's time beyond its work.
pub fn break_even_task_ms(per_task_ms: f64, workers: usize, fraction: f64) -> f64 {
    let overhead = per_task_ms.max(0.0) * workers as f64;
    overhead * (1.0 - fraction) / fraction
}
// ANCHOR_END: break_even

/// What the model assumes and what it takes from the measurements.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Computing time of the whole job on ONE core (measured: the loop).
    pub work_ms: f64,
    /// Cores per machine (this machine's).
    pub cores: usize,
    /// Tasks in the job.
    pub tasks: usize,
    /// What one more task added to the job's wall time (the measured slope)...
    pub slope_ms: f64,
    /// ... with this many workers.
    pub measured_workers: usize,
    /// Is the overhead paid by ONE central scheduler (dask), so that it
    /// does not shrink with more machines? (timely has none.)
    pub central: bool,
    /// Bytes that crossed between processes for the whole job (measured).
    pub bytes: f64,
    /// Starting the cluster (measured on loopback; machines add their own).
    pub start_ms: f64,
    /// ASSUMED: each machine's network link, bytes per millisecond
    /// (1 Gbit/s = 125,000 bytes/ms).
    pub link_bytes_per_ms: f64,
    /// ASSUMED: one network round trip between machines, milliseconds.
    pub rtt_ms: f64,
    /// ASSUMED: round trips the job needs (tasks out, results in, done).
    pub rounds: f64,
}

/// The model's answer for one cluster size, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    pub machines: usize,
    pub compute_ms: f64,
    pub overhead_ms: f64,
    pub network_ms: f64,
    pub start_ms: f64,
}

impl Prediction {
    pub fn total_ms(&self) -> f64 {
        self.compute_ms + self.overhead_ms + self.network_ms + self.start_ms
    }
}

// ANCHOR: model
impl Model {
    /// `machines` machines of `cores` cores: the work and (for a peer-to-peer
    /// engine) the per-task overhead divide by every core; a central
    /// scheduler's overhead does not; each machine's link carries its share
    /// of the bytes; every round costs a round trip.
    pub fn predict(&self, machines: usize) -> Prediction {
        let cores = (machines * self.cores).max(1) as f64;
        // Tasks come in whole numbers: with fewer tasks than cores, some idle.
        let waves = (self.tasks as f64 / cores).ceil().max(1.0);
        let per_task_work = self.work_ms / self.tasks.max(1) as f64;
        let overhead_ms = if self.central {
            // One scheduler handles every task, one after the other.
            self.slope_ms * self.tasks as f64
        } else {
            // Each task costs a worker `slope x workers`; the cores share them.
            self.slope_ms * self.measured_workers as f64 * waves
        };
        Prediction {
            machines,
            compute_ms: per_task_work * waves,
            overhead_ms,
            network_ms: if machines > 1 {
                self.bytes / machines as f64 / self.link_bytes_per_ms + self.rounds * self.rtt_ms
            } else {
                0.0
            },
            start_ms: self.start_ms,
        }
    }

    /// The one-core work (ms) from which `machines` machines beat this one
    /// machine's cores, perfectly used: start-up, task overhead and network
    /// must be paid for by the cores the cluster adds. `None`: never.
    pub fn pays_from_ms(&self, machines: usize) -> Option<f64> {
        let p = self.predict(machines);
        let fixed = p.overhead_ms + p.network_ms + p.start_ms;
        let here = 1.0 / self.cores.max(1) as f64;
        let there = 1.0 / (machines * self.cores).max(1) as f64;
        (machines > 1 && here > there).then(|| fixed / (here - there))
    }
}
// ANCHOR_END: model

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_a_line() {
        let f = fit(&[(10.0, 21.0), (20.0, 41.0), (40.0, 81.0)]).unwrap();
        assert!((f.per_task_ms - 2.0).abs() < 1e-9);
        assert!((f.fixed_ms - 1.0).abs() < 1e-9);
        assert!(fit(&[(10.0, 1.0)]).is_none());
        assert!(fit(&[(10.0, 1.0), (10.0, 2.0)]).is_none());
    }

    #[test]
    fn break_even_grows_with_overhead() {
        // 1 ms per task on 2 workers = 2 ms of overhead; under 10% needs 18 ms tasks.
        assert!((break_even_task_ms(1.0, 2, 0.10) - 18.0).abs() < 1e-9);
    }

    #[test]
    fn more_machines_less_compute_but_a_central_scheduler_stays() {
        let m = Model {
            work_ms: 100_000.0,
            cores: 2,
            tasks: 10_000,
            slope_ms: 0.5,
            measured_workers: 2,
            central: true,
            bytes: 1e6,
            start_ms: 1000.0,
            link_bytes_per_ms: 125_000.0,
            rtt_ms: 0.5,
            rounds: 3.0,
        };
        let (p10, p100) = (m.predict(10), m.predict(100));
        assert!(p100.compute_ms < p10.compute_ms);
        assert_eq!(p100.overhead_ms, p10.overhead_ms);
        let peer = Model {
            central: false,
            ..m
        };
        assert!(peer.predict(100).overhead_ms < peer.predict(10).overhead_ms);
    }
}

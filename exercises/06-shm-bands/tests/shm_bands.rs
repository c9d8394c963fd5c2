//! Canonical tests for `shm-bands`: bands cover every row once, the matrix
//! lives in a named shared segment, every cell is written once, in place,
//! by workers that really run at the same time.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering::SeqCst};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use shm_bands::{PREFIX, ShmMatrix, band, transform_in_bands};

fn listed_at(name: &str) -> PathBuf {
    Path::new("/dev/shm").join(name.trim_start_matches('/'))
}

fn listed(name: &str) -> bool {
    listed_at(name).exists()
}

/// Removes the segments a test made, even if the code under test did not.
#[derive(Default)]
struct Cleanup(Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for name in &self.0 {
            let _ = std::fs::remove_file(listed_at(name));
        }
    }
}

/// Holds each worker in `on_start` until `want` workers are in there at
/// once, or a deadline passes: only workers that really run at the same
/// time can all get in. Not a speed limit: correct code meets in microseconds.
struct Rendezvous {
    want: usize,
    inside: AtomicUsize,
    most_inside: AtomicUsize,
    calls: Mutex<Vec<usize>>,
    deadline: Instant,
}

impl Rendezvous {
    fn new(want: usize) -> Self {
        Rendezvous {
            want,
            inside: AtomicUsize::new(0),
            most_inside: AtomicUsize::new(0),
            calls: Mutex::new(Vec::new()),
            deadline: Instant::now() + Duration::from_secs(3),
        }
    }

    fn arrive(&self, i: usize) {
        self.calls.lock().unwrap().push(i);
        let now = self.inside.fetch_add(1, SeqCst) + 1;
        self.most_inside.fetch_max(now, SeqCst);
        while self.most_inside.load(SeqCst) < self.want && Instant::now() < self.deadline {
            thread::sleep(Duration::from_millis(1));
        }
        self.inside.fetch_sub(1, SeqCst);
    }
}

fn initial(r: usize, c: usize) -> f64 {
    (r * 1000 + c) as f64
}

fn filled(rows: usize, cols: usize) -> Vec<f64> {
    (0..rows * cols)
        .map(|k| initial(k / cols, k % cols))
        .collect()
}

fn rule(r: usize, c: usize, old: f64) -> f64 {
    old * 2.0 + r as f64 - 3.0 * c as f64
}

#[test]
fn bands_cover_every_row_once_in_order() {
    for rows in [1, 2, 7, 10, 1000] {
        for n in 1..=9 {
            let bands: Vec<_> = (0..n).map(|i| band(rows, i, n)).collect();
            assert_eq!(
                bands[0].start, 0,
                "band 0 of {n} for {rows} rows must start at row 0"
            );
            assert_eq!(
                bands[n - 1].end,
                rows,
                "the last of {n} bands must end at row {rows}"
            );
            for (i, w) in bands.windows(2).enumerate() {
                assert_eq!(
                    w[0].end,
                    w[1].start,
                    "band {i} ends at {} but band {} starts at {} ({rows} rows, {n} bands): \
                     no gaps, no overlaps",
                    w[0].end,
                    i + 1,
                    w[1].start
                );
            }
            let sizes: Vec<usize> = bands.iter().map(|b| b.len()).collect();
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(hi - lo <= 1, "band sizes {sizes:?} differ by more than one");
        }
    }
}

#[test]
fn a_new_matrix_is_zeroed_named_and_unlinked_on_drop() {
    let mut cleanup = Cleanup::default();
    let m = ShmMatrix::create(4, 6).expect("create(4, 6) should work");
    cleanup.0.push(m.name().to_owned());
    let other = ShmMatrix::create(1, 1).unwrap();
    cleanup.0.push(other.name().to_owned());
    let mine = format!("/{PREFIX}{}-", std::process::id());
    assert!(
        m.name().starts_with(&mine),
        "{:?} should start with {mine:?}",
        m.name()
    );
    assert_ne!(m.name(), other.name(), "two matrices got the same name");
    assert_eq!((m.rows(), m.cols()), (4, 6));
    assert_eq!(m.as_slice().len(), 24, "a 4 x 6 matrix has 24 numbers");
    assert!(
        m.as_slice().iter().all(|&x| x == 0.0),
        "a new matrix is all zeros"
    );
    let name = m.name().to_owned();
    assert!(
        listed(&name),
        "{name} should be listed in /dev/shm while its creator holds it"
    );
    drop(m);
    assert!(
        !listed(&name),
        "{name} is still in /dev/shm after its creator was dropped"
    );
    assert!(
        ShmMatrix::create(0, 5).is_err(),
        "a matrix with 0 rows is an error"
    );
    assert!(
        ShmMatrix::create(5, 0).is_err(),
        "a matrix with 0 columns is an error"
    );
}

#[test]
fn open_maps_the_same_numbers_and_never_unlinks() {
    let mut cleanup = Cleanup::default();
    let mut a = ShmMatrix::create(3, 4).unwrap();
    cleanup.0.push(a.name().to_owned());
    a.as_mut_slice()[7] = 1.5;
    let mut b = ShmMatrix::open(a.name(), 3, 4).expect("open() should map an existing matrix");
    assert_eq!(
        b.as_slice()[7],
        1.5,
        "the opened matrix sees what the creator wrote"
    );
    b.as_mut_slice()[0] = -2.0;
    assert_eq!(
        a.as_slice()[0],
        -2.0,
        "the creator sees what was written through the other mapping"
    );
    assert_ne!(
        a.as_slice().as_ptr(),
        b.as_slice().as_ptr(),
        "open() should map the segment again (another address, the same memory)"
    );
    assert!(
        ShmMatrix::open(a.name(), 100, 100).is_err(),
        "opening a 3 x 4 segment as 100 x 100 must be an error, not an out-of-bounds slice"
    );
    assert!(ShmMatrix::open("/shm-bands-no-such-segment", 1, 1).is_err());
    let name = a.name().to_owned();
    drop(b);
    assert!(
        listed(&name),
        "dropping an opened matrix must not unlink its creator's name"
    );
}

#[test]
fn every_cell_is_written_exactly_once_with_its_old_value() {
    let (rows, cols, workers) = (37, 23, 4);
    let mut data = filled(rows, cols);
    let calls: Vec<AtomicU32> = (0..rows * cols).map(|_| AtomicU32::new(0)).collect();
    let wrong_old = AtomicUsize::new(0);
    transform_in_bands(
        &mut data,
        cols,
        workers,
        |_| {},
        |r, c, old| {
            calls[r * cols + c].fetch_add(1, SeqCst);
            if old != initial(r, c) {
                wrong_old.fetch_add(1, SeqCst);
            }
            rule(r, c, old)
        },
    );
    for (k, n) in calls.iter().enumerate() {
        let n = n.load(SeqCst);
        assert_eq!(
            n,
            1,
            "cell ({}, {}) was computed {n} times: every cell exactly once",
            k / cols,
            k % cols
        );
    }
    assert_eq!(
        wrong_old.load(SeqCst),
        0,
        "f(r, c, old) must get the cell's value from before the transform"
    );
}

#[test]
fn the_result_equals_the_sequential_one() {
    for (rows, cols, workers) in [(1000, 100, 8), (10, 10, 1), (3, 5, 5), (2, 4, 6)] {
        let mut data = filled(rows, cols);
        let want: Vec<f64> = (0..rows * cols)
            .map(|k| rule(k / cols, k % cols, initial(k / cols, k % cols)))
            .collect();
        transform_in_bands(&mut data, cols, workers, |_| {}, rule);
        assert!(
            data == want,
            "{rows} x {cols} with {workers} workers: the result differs from doing it \
             sequentially (first difference at cell {:?})",
            data.iter().zip(&want).position(|(a, b)| a != b)
        );
    }
}

#[test]
fn workers_run_at_the_same_time_one_band_each() {
    let (rows, cols, workers) = (40, 8, 4);
    let meet = Rendezvous::new(workers);
    let row_threads: Mutex<HashMap<usize, HashSet<ThreadId>>> = Mutex::new(HashMap::new());
    let mut data = filled(rows, cols);
    transform_in_bands(
        &mut data,
        cols,
        workers,
        |i| meet.arrive(i),
        |r, c, old| {
            row_threads
                .lock()
                .unwrap()
                .entry(r)
                .or_default()
                .insert(thread::current().id());
            rule(r, c, old)
        },
    );
    let mut calls = meet.calls.into_inner().unwrap();
    calls.sort_unstable();
    assert_eq!(
        calls,
        (0..workers).collect::<Vec<_>>(),
        "each worker i in 0..{workers} must call on_start(i) exactly once"
    );
    let at_once = meet.most_inside.load(SeqCst);
    assert_eq!(
        at_once, workers,
        "only {at_once} of {workers} workers were running at the same time: spawn every \
         worker before any of them is joined"
    );
    let row_threads = row_threads.into_inner().unwrap();
    let mut owner_of_band = Vec::new();
    for i in 0..workers {
        let mut owners = HashSet::new();
        for r in band(rows, i, workers) {
            owners.extend(row_threads[&r].iter().copied());
        }
        assert_eq!(
            owners.len(),
            1,
            "band {i} was written by {} threads: one worker per band",
            owners.len()
        );
        owner_of_band.push(owners.into_iter().next().unwrap());
    }
    let distinct: HashSet<_> = owner_of_band.iter().collect();
    assert_eq!(
        distinct.len(),
        workers,
        "each band needs its own worker thread"
    );
    assert!(
        !owner_of_band.contains(&thread::current().id()),
        "the calling thread must not do a band itself: the workers do"
    );
}

#[test]
fn the_transform_lands_in_shared_memory_in_place() {
    let mut cleanup = Cleanup::default();
    let (rows, cols) = (100, 50);
    let mut m = ShmMatrix::create(rows, cols).unwrap();
    cleanup.0.push(m.name().to_owned());
    m.as_mut_slice().copy_from_slice(&filled(rows, cols));
    let before = m.as_slice().as_ptr();
    transform_in_bands(m.as_mut_slice(), cols, 3, |_| {}, rule);
    assert_eq!(
        m.as_slice().as_ptr(),
        before,
        "the numbers must stay where they are"
    );
    let seen = ShmMatrix::open(m.name(), rows, cols).unwrap();
    for (k, &x) in seen.as_slice().iter().enumerate() {
        let (r, c) = (k / cols, k % cols);
        assert_eq!(
            x,
            rule(r, c, initial(r, c)),
            "cell ({r}, {c}) as seen through a second mapping of the segment"
        );
    }
}

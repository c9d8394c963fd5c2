//! Canonical tests for `process-lock`: a robust process-shared mutex that
//! excludes across processes and survives a holder killed while holding it.

use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use course_support::testing::{LineChild, TaggedChildren as Tagged, within};
use process_lock::{PREFIX, ProcessLock};

const WORKER: &str = env!("CARGO_BIN_EXE_lock-worker");
const LIMIT: Duration = Duration::from_secs(20);

fn listed(name: &str) -> bool {
    Path::new("/dev/shm")
        .join(name.trim_start_matches('/'))
        .exists()
}

/// Removes a test's segment even if the code under test did not.
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(Path::new("/dev/shm").join(self.0.trim_start_matches('/')));
    }
}

fn create() -> (ProcessLock, Cleanup) {
    let lock = ProcessLock::create().expect("create() should make a new lock");
    let cleanup = Cleanup(lock.name().to_owned());
    (lock, cleanup)
}

/// A lock-worker process that says `ready` and waits for `go`, killed and
/// reaped when dropped.
type Worker = LineChild;

fn start(t: &Tagged, args: &[&str]) -> Worker {
    t.start_line_child(WORKER, args)
}

/// `processes` workers x `rounds` locked read-yield-write rounds, released
/// together; returns what each said at the end.
fn count_with(t: &Tagged, name: &str, processes: usize, rounds: u64) -> Vec<String> {
    let rounds = rounds.to_string();
    let mut workers: Vec<Worker> = (0..processes)
        .map(|_| start(t, &[name, "count", &rounds]))
        .collect();
    for w in &mut workers {
        let said = w.line();
        assert_eq!(said, "ready", "a worker could not open the lock: {said:?}");
    }
    for w in &mut workers {
        w.go();
    }
    workers.iter_mut().map(LineChild::line).collect()
}

/// Starts a worker that takes the lock, begins an update and says
/// `holding`; kills it with SIGKILL; returns its pid.
fn kill_a_holder(t: &Tagged, name: &str) -> u32 {
    let mut holder = start(t, &[name, "hold"]);
    let said = holder.line();
    assert_eq!(
        said, "holding",
        "the holder could not take the lock: {said:?}"
    );
    let pid = holder.id();
    holder.kill();
    pid
}

#[test]
fn names_are_unique_and_only_the_creator_removes_them() {
    let (a, _ca) = create();
    let (b, _cb) = create();
    let mine = format!("/{PREFIX}{}-", std::process::id());
    assert!(
        a.name().starts_with(&mine),
        "{:?} should start with {mine:?}",
        a.name()
    );
    assert_ne!(a.name(), b.name(), "two locks got the same name");
    assert!(
        listed(a.name()),
        "the name should be in /dev/shm while the creator holds it"
    );
    let opened = ProcessLock::open(a.name()).expect("open() maps an existing lock");
    drop(opened);
    assert!(
        listed(a.name()),
        "dropping an opened lock must not remove the name"
    );
    let name = a.name().to_owned();
    drop(a);
    assert!(
        !listed(&name),
        "{name} is still listed after its creator was dropped"
    );
    assert!(ProcessLock::open("/process-lock-no-such").is_err());
}

#[test]
fn a_lock_is_taken_and_given_back() {
    let (lock, _c) = create();
    within("lock, unlock, lock", LIMIT, move || {
        let g = lock.lock().expect("lock a fresh mutex");
        assert_eq!(g.recovered(), None, "nobody died: nothing recovered");
        assert_eq!(
            lock.shared().holder.load(Relaxed),
            std::process::id(),
            "lock() writes the holder's pid"
        );
        drop(g);
        assert_eq!(
            lock.shared().holder.load(Relaxed),
            0,
            "unlocking clears the holder"
        );
        drop(lock.lock().expect("lock again after the guard was dropped"));
    });
}

#[test]
fn processes_exclude_each_other() {
    let (lock, _c) = create();
    let t = Tagged::new("process-lock-test");
    within(
        "4 processes x 2,000 rounds, three times",
        LIMIT,
        move || {
            for round in 1..=3u64 {
                let said = count_with(&t, lock.name(), 4, 2_000);
                assert!(said.iter().all(|s| s == "done"), "round {round}: {said:?}");
                let count = lock.shared().count.load(Relaxed);
                assert_eq!(
                    count,
                    round * 8_000,
                    "round {round}: 4 processes x 2,000 locked rounds: {} lost. Two processes \
                 were inside the lock at once: is the mutex PTHREAD_PROCESS_SHARED?",
                    round * 8_000 - count
                );
            }
        },
    );
}

#[test]
fn threads_with_mappings_of_their_own_exclude_each_other() {
    let (lock, _c) = create();
    let name = lock.name().to_owned();
    within("4 threads x 5,000 rounds", LIMIT, move || {
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    // Another mapping: the mutex at another address.
                    let mine = ProcessLock::open(&name).unwrap();
                    for _ in 0..5_000 {
                        let _g = mine.lock().unwrap();
                        let v = mine.shared().count.load(Relaxed);
                        std::thread::yield_now();
                        mine.shared().count.store(v + 1, Relaxed);
                    }
                });
            }
        });
        assert_eq!(
            lock.shared().count.load(Relaxed),
            20_000,
            "updates lost under the lock"
        );
    });
}

#[test]
fn a_holder_killed_while_holding_is_recovered_by_the_next_taker() {
    let (lock, _c) = create();
    let t = Tagged::new("process-lock-test");
    within("a dead holder", LIMIT, move || {
        let dead = kill_a_holder(&t, lock.name());
        assert_eq!(
            lock.shared().dirty.load(Relaxed),
            1,
            "the holder began an update"
        );
        let started = Instant::now();
        let g = lock
            .lock()
            .expect("the holder died: lock() must take over (EOWNERDEAD), not fail");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            g.recovered(),
            Some(dead),
            "the guard should say the lock was recovered from pid {dead}"
        );
        assert_eq!(
            lock.shared().dirty.load(Relaxed),
            0,
            "the repair resets dirty"
        );
        drop(g);
        let g = lock.lock().expect(
            "after a recovery the lock must work again: call pthread_mutex_consistent \
             before unlocking, or it becomes ENOTRECOVERABLE",
        );
        assert_eq!(
            g.recovered(),
            None,
            "the second lock after a recovery is a normal one"
        );
        drop(g);
        let said = count_with(&t, lock.name(), 3, 1_000);
        assert!(said.iter().all(|s| s == "done"), "{said:?}");
        assert_eq!(
            lock.shared().count.load(Relaxed),
            3_000,
            "and it still excludes"
        );
    });
}

#[test]
fn a_taker_already_waiting_when_the_holder_dies_gets_the_lock() {
    let (lock, _c) = create();
    let name = lock.name().to_owned();
    let t = Tagged::new("process-lock-test");
    within("a waiter and a dead holder", LIMIT, move || {
        let mut holder = start(&t, &[&name, "hold"]);
        assert_eq!(holder.line(), "holding");
        let pid = holder.id();
        let (tx, rx) = mpsc::channel();
        let waiter_name = name.clone();
        std::thread::spawn(move || {
            let mine = ProcessLock::open(&waiter_name).unwrap();
            let got = mine.lock().map(|g| g.recovered());
            let _ = tx.send(got);
        });
        assert!(
            rx.recv_timeout(Duration::from_millis(300)).is_err(),
            "lock() returned while another process held the lock"
        );
        holder.kill();
        let got = rx
            .recv_timeout(Duration::from_secs(2))
            .expect("a waiter must be handed the lock when its holder dies");
        assert_eq!(got.expect("lock() after the holder died"), Some(pid));
    });
}
